"""Downloads handed to nginx (X-Accel-Redirect, NGINX_ACCEL_PREFIX) or to S3 (a presigned URL,
AWS_S3_DOWNLOAD_URL_SECONDS) once the app has checked access; streamed by the app when neither is set."""

import hashlib
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.evidence.factories import make_evidence

pytestmark = pytest.mark.django_db


def test_a_local_download_is_handed_to_nginx_with_the_apps_headers(cast, campaign, login, settings):
    settings.NGINX_ACCEL_PREFIX = "/_civunit_files/"
    item = make_evidence(user=cast.staff_a, campaign=campaign, name="活动照片.jpg")
    response = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]) + "?download=1")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_civunit_files/" + item.stored_file.file.name
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store, no-transform"
    assert response["X-Civunit-Csp"] == response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_access_is_still_checked_before_nginx_is_asked(cast, campaign, login, settings):
    settings.NGINX_ACCEL_PREFIX = "/_civunit_files/"
    item = make_evidence(user=cast.staff_a, campaign=campaign, name="活动照片.jpg")
    item.stored_file.file.storage.delete(item.stored_file.file.name)
    response = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_an_s3_download_redirects_to_a_short_lived_presigned_url(cast, campaign, login, settings, s3):
    settings.AWS_S3_DOWNLOAD_URL_SECONDS = 60
    item = make_evidence(user=cast.staff_a, campaign=campaign, name="活动照片.jpg")
    response = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]) + "?download=1")
    assert response.status_code == 302
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert "Signature" in query or "X-Amz-Signature" in query
    if "Expires" in query:  # signature version 2: the moment it expires
        assert 0 < int(query["Expires"][0]) - time.time() <= 61
    else:
        assert query["X-Amz-Expires"] == ["60"]
    with urllib.request.urlopen(url) as answer:  # noqa: S310 (the loopback endpoint)
        data = answer.read()
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(data).hexdigest() == item.stored_file.sha256


def test_without_either_setting_the_app_streams_the_file(cast, campaign, login, settings):
    item = make_evidence(user=cast.staff_a, campaign=campaign, name="活动照片.jpg")
    response = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]))
    assert "X-Accel-Redirect" not in response
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == item.stored_file.sha256
