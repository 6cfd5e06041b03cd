"""Deactivation, a password change and a password reset end every session of the person, on every path.

A deactivated person was already treated as anonymous (ModelBackend refuses inactive users), but reactivating
them revived the sessions they had: these tests deactivate, reactivate, and then try the old session cookie.
"""

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civunit.accounts import triggers
from civunit.accounts.models import User

SESSION_ENGINES = ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"]


@pytest.fixture(params=SESSION_ENGINES, ids=["db-sessions", "cache-sessions"])
def session_engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def signed_in(client: Client) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def two_sessions(user: User) -> list[Client]:
    """The person signed in twice (office computer and laptop)."""
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(user)
        assert signed_in(c)
    return clients


def admin_change_data(user: User, **changes) -> dict:
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().replace(microsecond=0).isoformat(),
        "groups": [g.pk for g in user.groups.all()],
        "real_name": user.real_name,
        "office": user.office_id or "",
        "position": user.position,
        "phone": user.phone,
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_trigger_that_ends_sessions_on_deactivation_is_installed(db):
    assert triggers.exists(connection)


def test_deactivating_in_the_admin_ends_every_session_even_after_reactivation(cast, login, session_engine):
    sessions = two_sessions(cast.staff_a)
    admin = login(cast.admin)
    url = reverse("admin:accounts_user_change", args=[cast.staff_a.pk])

    response = admin.post(url, admin_change_data(cast.staff_a, is_active=None))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=cast.staff_a.pk).is_active
    response = admin.post(url, admin_change_data(cast.staff_a, is_active="on"))
    assert response.status_code == 302
    assert User.objects.get(pk=cast.staff_a.pk).is_active

    assert [signed_in(c) for c in sessions] == [False, False]
    assert signed_in(login(User.objects.get(pk=cast.staff_a.pk)))  # a new sign-in works
    assert signed_in(admin)


def test_editing_an_active_person_in_the_admin_keeps_their_sessions(cast, login):
    sessions = two_sessions(cast.staff_a)
    url = reverse("admin:accounts_user_change", args=[cast.staff_a.pk])
    response = login(cast.admin).post(url, admin_change_data(cast.staff_a, phone="0571-8888"))
    assert response.status_code == 302
    assert User.objects.get(pk=cast.staff_a.pk).phone == "0571-8888"
    assert [signed_in(c) for c in sessions] == [True, True]


def test_a_script_that_deactivates_and_reactivates_the_same_object_ends_every_session(cast, session_engine):
    sessions = two_sessions(cast.staff_a)
    user = User.objects.get(pk=cast.staff_a.pk)
    user.is_active = False
    user.save()
    # The object still holds the generation it was loaded with; saving it again must not bring that back.
    user.is_active = True
    user.save()
    assert [signed_in(c) for c in sessions] == [False, False]


def test_save_with_update_fields_ends_every_session(cast):
    sessions = two_sessions(cast.staff_a)
    user = User.objects.get(pk=cast.staff_a.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert [signed_in(c) for c in sessions] == [False, False]


def test_a_queryset_update_ends_every_session_of_everyone_it_deactivates(cast, session_engine):
    a = two_sessions(cast.staff_a)
    b = two_sessions(cast.staff_b)
    head = two_sessions(cast.head_a)
    User.objects.filter(pk__in=[cast.staff_a.pk, cast.staff_b.pk]).update(is_active=False)
    User.objects.filter(pk__in=[cast.staff_a.pk, cast.staff_b.pk]).update(is_active=True)
    assert [signed_in(c) for c in a + b] == [False] * 4
    assert [signed_in(c) for c in head] == [True, True]


def test_bulk_update_ends_every_session(cast):
    sessions = two_sessions(cast.staff_a)
    user = User.objects.get(pk=cast.staff_a.pk)
    user.is_active = False
    User.objects.bulk_update([user], ["is_active"])
    user.is_active = True
    User.objects.bulk_update([user], ["is_active", "session_generation"])
    assert [signed_in(c) for c in sessions] == [False, False]


def test_raw_sql_deactivation_ends_every_session(cast):
    sessions = two_sessions(cast.staff_a)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET is_active = %s WHERE id = %s", [False, cast.staff_a.pk])
        cursor.execute("UPDATE accounts_user SET is_active = %s WHERE id = %s", [True, cast.staff_a.pk])
    assert [signed_in(c) for c in sessions] == [False, False]


def test_the_generation_never_goes_down(cast):
    User.objects.filter(pk=cast.staff_a.pk).update(is_active=False)
    assert User.objects.get(pk=cast.staff_a.pk).session_generation == 1
    User.objects.filter(pk=cast.staff_a.pk).update(is_active=True, session_generation=0)
    assert User.objects.get(pk=cast.staff_a.pk).session_generation == 1
    User.objects.filter(pk=cast.staff_a.pk).update(session_generation=5)
    assert User.objects.get(pk=cast.staff_a.pk).session_generation == 5


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(cast, password, session_engine):
    here, elsewhere = two_sessions(cast.staff_a)
    response = here.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Another-l0ng-secret", "new_password2": "Another-l0ng-secret"},
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_an_administrator_resetting_the_password_ends_every_session(cast, login, session_engine):
    sessions = two_sessions(cast.staff_a)
    response = login(cast.admin).post(
        reverse("admin:auth_user_password_change", args=[cast.staff_a.pk]),
        {"password1": "Reset-by-the-admin-9", "password2": "Reset-by-the-admin-9", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=cast.staff_a.pk).check_password("Reset-by-the-admin-9")
    assert [signed_in(c) for c in sessions] == [False, False]


def test_a_script_setting_a_new_password_ends_every_session(cast):
    sessions = two_sessions(cast.staff_a)
    user = User.objects.get(pk=cast.staff_a.pk)
    user.set_password("Set-by-a-script-42")
    user.save()
    assert [signed_in(c) for c in sessions] == [False, False]


def test_until_the_first_deactivation_the_session_hash_is_djangos_so_nobody_is_signed_out_by_the_upgrade(cast):
    user = User.objects.get(pk=cast.staff_a.pk)
    assert user.session_generation == 0
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
