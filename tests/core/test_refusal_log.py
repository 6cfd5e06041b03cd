"""A refused request (403) is logged as one line saying who asked for what, never as a traceback."""

import logging

import pytest
from django.urls import reverse

from civunit.log import RefusalFilter


def request_records(caplog):
    return [r for r in caplog.records if r.name in ("django.request", "django.security.csrf")]


def test_a_raised_permission_denied_is_one_line_with_who_method_and_path(cast, campaign, login, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(cast.leader).get(reverse("evidence:upload"))
    assert response.status_code == 403
    [record] = request_records(caplog)
    assert (
        record.getMessage() == f"Refused (403, Permission denied): GET /evidence/upload/ by leader (#{cast.leader.pk})"
    )
    assert record.exc_info is None
    assert record.levelno == logging.WARNING
    assert "Traceback" not in caplog.text


def test_a_403_answered_by_a_view_names_the_person_too(cast, campaign, login, caplog):
    # The upload endpoint answers its page's XHR with a JSON 403 (no exception is raised).
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(cast.leader).post(reverse("evidence:upload_file"), {})
    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.getMessage() == f"Refused (403): POST /evidence/upload/file/ by leader (#{cast.leader.pk})"


def test_a_csrf_refusal_of_an_anonymous_visitor_says_anonymous(db, caplog):
    from django.test import Client

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.getMessage() == "Refused (403, CSRF cookie not set.): POST /accounts/login/ by anonymous"
    assert record.exc_info is None


def test_other_request_log_lines_are_left_as_django_writes_them(cast, login, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert login(cast.staff_a).get("/tasks/999999/").status_code == 404
    [record] = request_records(caplog)
    assert record.getMessage() == "Not Found: /tasks/999999/"


@pytest.mark.parametrize("path", ["/evidence/\n[fake] admin logged in", "/evidence/\u202e"])
def test_the_path_cannot_forge_log_lines(path, rf):
    request = rf.get("/")
    request.path = path
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Forbidden: %s", (path,), None)
    record.status_code = 403
    record.request = request
    RefusalFilter().filter(record)
    assert "\n" not in record.getMessage()
    assert record.getMessage().isascii()
