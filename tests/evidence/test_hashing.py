"""Perceptual hashes of photos: made by the previews job from the upright thumbnail it makes, kept on the
stored file, filled in for files stored before by `manage.py hash_photos`."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from evidence import hashing
from evidence.models import StoredFile
from tests.evidence import samples
from tests.evidence.factories import make_evidence
from tests.reports.readiness.photos import exif, jpeg, scene

pytestmark = pytest.mark.django_db


def upload(cast, campaign, data, django_capture_on_commit_callbacks, name="照片.jpg"):
    with django_capture_on_commit_callbacks(execute=True):
        item = make_evidence(user=cast.staff_a, campaign=campaign, data=data, name=name)
    item.stored_file.refresh_from_db()
    return item.stored_file


def test_the_previews_job_keeps_the_perceptual_hash_of_a_photo(cast, campaign, django_capture_on_commit_callbacks):
    shot = scene(seed=31)
    stored = upload(cast, campaign, jpeg(shot), django_capture_on_commit_callbacks)
    assert stored.preview_status == StoredFile.PreviewStatus.READY
    assert stored.phash is not None
    assert -(2**63) <= stored.phash < 2**63
    assert hashing.distance(stored.phash, hashing.image_hash(shot)) <= 2  # the draft hashes like the full image
    # unlike another scene
    other = upload(cast, campaign, jpeg(scene(seed=32, people=7)), django_capture_on_commit_callbacks)
    assert hashing.distance(stored.phash, other.phash) > 10


def test_a_photo_stored_sideways_hashes_like_its_upright_copy(cast, campaign, django_capture_on_commit_callbacks):
    upright = scene(seed=33, width=600, height=800)
    # stored landscape, with orientation 6 (rotate 90° clockwise to view): upright it is the portrait above
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    tags = exif("2026:03:05 09:30:00")
    tags[0x0112] = 6
    buf = io.BytesIO()
    sideways.save(buf, "JPEG", quality=90, exif=tags)
    stored = upload(cast, campaign, buf.getvalue(), django_capture_on_commit_callbacks)
    plain = upload(cast, campaign, jpeg(upright, quality=80), django_capture_on_commit_callbacks)
    assert hashing.distance(stored.phash, plain.phash) <= 2
    # without the orientation applied the hashes would be far apart
    assert hashing.distance(hashing.image_hash(sideways), plain.phash) > 10


def test_other_kinds_and_damaged_photos_have_no_hash(cast, campaign, django_capture_on_commit_callbacks):
    pdf = upload(cast, campaign, samples.pdf(), django_capture_on_commit_callbacks, name="纪要.pdf")
    assert pdf.phash is None
    damaged = upload(cast, campaign, samples.truncated_jpeg(), django_capture_on_commit_callbacks, name="cut.jpg")
    assert damaged.preview_status == StoredFile.PreviewStatus.FAILED
    assert damaged.phash is None


def test_hash_photos_fills_in_the_hashes_of_photos_stored_before(
    cast, campaign, django_capture_on_commit_callbacks, capsys
):
    first = upload(cast, campaign, jpeg(scene(seed=34)), django_capture_on_commit_callbacks)
    second = upload(cast, campaign, jpeg(scene(seed=35)), django_capture_on_commit_callbacks)
    expected = {first.pk: first.phash, second.pk: second.phash}
    StoredFile.objects.filter(pk=first.pk).update(phash=None)
    call_command("hash_photos")
    assert dict(StoredFile.objects.filter(pk__in=expected).values_list("pk", "phash")) == expected
    assert "Photos hashed: 1;" in capsys.readouterr().out
    call_command("hash_photos", all=True)
    assert "Photos hashed: 2;" in capsys.readouterr().out


def test_hashes_are_64_bits_stored_signed():
    for value in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        signed = hashing.to_signed(value)
        assert -(2**63) <= signed < 2**63
        assert hashing.to_unsigned(signed) == value
    assert hashing.distance(hashing.to_signed(2**64 - 1), 0) == 64
    assert hashing.distance(-1, 2**64 - 2) == 1
