import pytest

from civunit import access


@pytest.fixture
def office_rule(monkeypatch):
    """Offices become readable only by their members, so tests have an object some people may not read."""
    monkeypatch.setitem(access.READ_RULES, "accounts.office", lambda user, office: user.office_id == office.pk)


@pytest.fixture
def offices_readable(monkeypatch):
    """Every office readable by every active person: cheap extra objects to notify about."""
    monkeypatch.setitem(access.READ_RULES, "accounts.office", lambda user, office: True)


class FailingBackend:
    """A mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")
