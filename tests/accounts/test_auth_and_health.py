from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from civunit import access
from civunit.accounts.roles import Role


def test_healthz_answers_ok_without_login_over_http(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_other_pages_redirect_to_https_when_ssl_redirect_is_on(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch("civunit.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_login_with_the_right_password_then_logout(client, cast, password):
    response = client.post("/accounts/login/", {"username": "staff_a", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_gets_a_chinese_message_and_no_session(client, cast):
    response = client.post("/accounts/login/", {"username": "staff_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_throttling_locks_after_repeated_failures(client, cast, settings, password):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "staff_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "staff_a", "password": password})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_post_without_csrf_token_gets_a_chinese_403_page(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "安全令牌" in response.content.decode()


def test_missing_page_is_a_chinese_404(login, cast, settings):
    settings.DEBUG = False
    response = login(cast.staff_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_password_change_page_is_chinese(login, cast):
    response = login(cast.staff_a).get(reverse("password_change"))
    assert response.status_code == 200
    assert "修改密码" in response.content.decode()


def test_admin_is_for_administrators_only(login, cast):
    assert login(cast.admin).get("/admin/").status_code == 200
    for user in (cast.coordinator, cast.head_a, cast.staff_a, cast.leader):
        user.is_staff = True  # even a staff flag does not open the admin
        user.save()
        assert login(user).get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("who", "coordinator", "read_only", "sees_all", "head"),
    [
        ("staff_a", False, False, False, False),
        ("head_a", False, False, False, True),
        ("coordinator", True, False, True, True),
        ("leader", False, True, True, False),
        ("admin", True, False, True, False),
    ],
)
def test_role_predicates(cast, who, coordinator, read_only, sees_all, head):
    user = cast.everyone[who]
    assert access.is_coordinator(user) is coordinator
    assert access.is_read_only(user) is read_only
    assert access.sees_everything(user) is sees_all
    assert access.is_office_head(user) is head
    assert access.can_read_plan(user)


def test_inactive_user_has_no_roles(cast):
    cast.coordinator.is_active = False
    assert not access.is_coordinator(cast.coordinator)
    assert not access.can_read_plan(cast.coordinator)


def test_roles_and_headships_are_read_once_per_user_object(cast, django_assert_num_queries):
    from civunit.accounts.models import User

    user = User.objects.get(pk=cast.head_a.pk)
    with django_assert_num_queries(2):  # the user's group names, the offices they head
        for _ in range(5):
            user.has_role(Role.STAFF)
            user.heads(cast.office_a.pk)
    assert user.heads(cast.office_a.pk)
    assert not user.heads(cast.office_b.pk)


def test_objects_of_unknown_kind_are_readable_by_nobody(cast):
    assert not access.can_read(cast.admin, cast.office_a)


def test_an_expired_session_leads_to_login_with_a_chinese_explanation(cast, login):
    client = login(cast.staff_a)
    client.session.flush()  # what an expired or cleared session looks like to the server
    client.cookies["sessionid"] = "expired-session-key"
    response = client.get("/tasks/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/tasks/")
    assert "登录已过期" in response.content.decode()
