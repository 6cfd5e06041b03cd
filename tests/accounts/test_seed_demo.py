import pytest
from django.apps import apps
from django.core.management import CommandError, call_command


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if not m._meta.label.startswith("django_tasks_db")
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows_and_every_role_has_a_demo_user_who_can_log_in(settings, client):
    """One test for both (seeding the whole demo takes seconds)."""
    from civunit.accounts.demo import DEMO_PASSWORD, PEOPLE

    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    first = row_counts()
    assert first["accounts.User"] >= 7
    assert first["accounts.Office"] >= 10
    call_command("seed_demo")
    assert row_counts() == first
    for username, *_rest in PEOPLE:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
