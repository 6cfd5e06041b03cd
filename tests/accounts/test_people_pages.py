"""The people and offices pages: every action with its audit row, refusals that change nothing, access for every
role of the cast, deactivation ending the person's session, the one-time password link, the forced change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from civunit.accounts.models import AccountEvent, Office, User
from civunit.accounts.roles import Role
from tests.db_state import database_state
from tests.factories import OfficeFactory, UserFactory


def events(action: str) -> list[AccountEvent]:
    return list(AccountEvent.objects.filter(action=action).order_by("pk"))


def group_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def form_errors(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return " ".join(
        re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger|alert-block)[^"]*"[^>]*>(.*?)</', html, re.S)
    )


# --- Access ---------------------------------------------------------------------------------------------------

LIST_PAGES = ["accounts:people", "accounts:person_add", "accounts:offices", "accounts:office_add"]
OBJECT_PAGES = ["accounts:person", "accounts:person_edit", "accounts:office_edit", "accounts:office_delete"]
OBJECT_ACTIONS = [
    "accounts:person_deactivate",
    "accounts:person_reactivate",
    "accounts:person_reset_link",
    "accounts:person_force_change",
]


def object_url(cast, name: str) -> str:
    pk = cast.office_a.pk if name.startswith("accounts:office") else cast.staff_a.pk
    return reverse(name, args=[pk])


@pytest.mark.parametrize("who", ["staff_a", "head_a", "staff_b", "head_b", "coordinator", "leader"])
def test_every_other_role_is_refused_like_the_robots_pages(cast, login, who):
    """Lists and "add" pages: 403 (an "only administrators" page); an object's pages and actions: 404."""
    client = login(getattr(cast, who))
    before = database_state()
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
        assert client.post(reverse(name), {"name": "新委室", "username": "x", "real_name": "某"}).status_code in (
            403,
            405,
        )
    for name in OBJECT_PAGES:
        assert client.get(object_url(cast, name)).status_code == 404, name
        assert client.post(object_url(cast, name), {"name": "改名"}).status_code in (404, 405), name
    for name in OBJECT_ACTIONS:
        assert client.post(object_url(cast, name)).status_code == 404, name
    assert database_state() == before
    assert 'data-nav="people"' not in client.get("/").content.decode()


def test_the_administrator_sees_every_page_and_the_navigation_entry(cast, login):
    client = login(cast.admin)
    assert 'data-nav="people"' in client.get("/").content.decode()
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    for name in OBJECT_PAGES:
        assert client.get(object_url(cast, name)).status_code == 200, name
    html = client.get(reverse("accounts:people")).content.decode()
    for person in cast.everyone.values():
        assert person.display_name in html


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    for name in LIST_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_lists_query_the_database_a_constant_number_of_times(cast, login, django_assert_max_num_queries):
    client = login(cast.admin)
    client.get(reverse("accounts:people"))
    for n in range(15):
        office = OfficeFactory(name=f"新增委室{n}", ordering=10 + n)
        UserFactory(username=f"extra{n}", office=office, roles=[Role.STAFF, Role.OFFICE_HEAD])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:people")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:offices")).status_code == 200


def test_empty_states_say_what_to_do(cast, login):
    client = login(cast.admin)
    html = client.get(reverse("accounts:people"), {"q": "没有这个人"}).content.decode()
    assert 'data-testid="empty"' in html and "没有这个人" in html
    Office.objects.update(head=None)
    User.objects.update(office=None)
    Office.objects.all().delete()
    html = client.get(reverse("accounts:offices")).content.decode()
    assert 'data-testid="empty"' in html
    assert reverse("accounts:office_add") in html


# --- Offices --------------------------------------------------------------------------------------------------


def test_the_administrator_creates_an_office_with_its_audit_row(cast, login):
    client = login(cast.admin)
    response = client.post(
        reverse("accounts:office_add"),
        {
            "name": "文史委员会办公室",
            "short_name": "文史委",
            "kind": "committee",
            "ordering": "7",
            "head": cast.staff_b.pk,
        },
    )
    assert response.status_code == 302
    office = Office.objects.get(name="文史委员会办公室")
    assert (office.short_name, office.kind, office.ordering, office.head) == ("文史委", "committee", 7, cast.staff_b)
    (event,) = events(AccountEvent.Action.OFFICE_CREATED)
    assert event.actor == cast.admin and event.office == office
    assert event.changes["name"] == [None, "文史委员会办公室"]
    assert event.changes["head"] == [None, str(cast.staff_b)]


def test_renaming_reordering_and_changing_kind_and_head_is_audited_with_old_and_new_values(cast, login):
    client = login(cast.admin)
    office = cast.office_a
    response = client.post(
        reverse("accounts:office_edit", args=[office.pk]),
        {"name": "研究室（新）", "short_name": "", "kind": "section", "ordering": "9", "head": cast.staff_a.pk},
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.name, office.kind, office.ordering, office.head) == ("研究室（新）", "section", 9, cast.staff_a)
    (event,) = events(AccountEvent.Action.OFFICE_CHANGED)
    assert event.actor == cast.admin
    assert event.changes == {
        "name": ["研究室", "研究室（新）"],
        "kind": ["委室", "科室"],
        "ordering": [2, 9],
        "head": [str(cast.head_a), str(cast.staff_a)],
    }
    html = client.get(reverse("accounts:office_edit", args=[office.pk])).content.decode()
    assert "研究室 → 研究室（新）" in html
    # saving again unchanged writes no audit row
    client.post(
        reverse("accounts:office_edit", args=[office.pk]),
        {"name": "研究室（新）", "short_name": "", "kind": "section", "ordering": "9", "head": cast.staff_a.pk},
    )
    assert len(events(AccountEvent.Action.OFFICE_CHANGED)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "提案委员会办公室"}, "已有名为"),
        ({"name": ""}, "这个字段是必填项"),
        ({"ordering": "-1"}, "大于或等于"),
        ({"ordering": "abc"}, "输入整数"),
        ({"kind": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_bad_office_input_gets_a_chinese_error_and_changes_nothing(cast, login, data, message):
    client = login(cast.admin)
    before = database_state()
    post = {"name": "研究室", "kind": "committee", "ordering": "2", "head": cast.head_a.pk, **data}
    response = client.post(reverse("accounts:office_edit", args=[cast.office_a.pk]), post)
    assert message in form_errors(response), form_errors(response)
    assert database_state() == before


def test_a_deactivated_person_cannot_be_made_an_office_head(cast, login):
    User.objects.filter(pk=cast.staff_b.pk).update(is_active=False)
    client = login(cast.admin)
    before = database_state()
    response = client.post(
        reverse("accounts:office_edit", args=[cast.office_a.pk]),
        {"name": "研究室", "kind": "committee", "ordering": "2", "head": cast.staff_b.pk},
    )
    assert "请从列表中选择一位在职人员" in form_errors(response)
    assert database_state() == before


def test_an_office_with_people_is_not_deleted_and_renaming_is_offered(cast, login):
    client = login(cast.admin)
    page = client.get(reverse("accounts:office_delete", args=[cast.office_a.pk])).content.decode()
    assert 'data-testid="has-people"' in page and 'data-testid="rename"' in page
    before = database_state()
    response = client.post(reverse("accounts:office_delete", args=[cast.office_a.pk]), follow=True)
    assert "改名" in response.content.decode()
    assert database_state() == before


def test_an_empty_office_is_deleted_with_its_audit_row(cast, login):
    empty = OfficeFactory(name="临时工作组", ordering=20)
    client = login(cast.admin)
    response = client.post(reverse("accounts:office_delete", args=[empty.pk]))
    assert response.status_code == 302
    assert not Office.objects.filter(pk=empty.pk).exists()
    (event,) = events(AccountEvent.Action.OFFICE_DELETED)
    assert event.changes["name"] == ["临时工作组", None] and event.actor == cast.admin


# --- People ---------------------------------------------------------------------------------------------------


def person_post(**changes) -> dict:
    data = {
        "real_name": "周敏",
        "username": "zhoumin",
        "office": "",
        "position": "一级主任科员",
        "phone": "0571-8888 1234",
        "roles": ["staff"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_administrator_adds_a_person_and_gets_a_one_time_link(cast, login):
    client = login(cast.admin)
    response = client.post(
        reverse("accounts:person_add"), person_post(office=cast.office_b.pk, roles=["staff", "office_head"])
    )
    assert response.status_code == 200
    person = User.objects.get(username="zhoumin")
    assert (person.real_name, person.office, person.phone) == ("周敏", cast.office_b, "0571-8888 1234")
    assert group_names(person) == {"干部职工", "委室负责人"}
    assert not person.has_usable_password()
    link = re.search(
        r'data-testid="reset-link"[^>]*>|value="([^"]+)"[^>]*data-testid="reset-link"', response.content.decode()
    )
    assert link is not None
    (created,) = events(AccountEvent.Action.PERSON_CREATED)
    assert created.actor == cast.admin and created.person == person
    assert created.changes["roles"] == [None, ["委室负责人", "干部职工"]]
    assert created.changes["office"] == [None, "提案委员会办公室"]
    assert len(events(AccountEvent.Action.RESET_LINK)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "staff_a"}, "登录名“staff_a”已被使用"),
        ({"username": "STAFF_A"}, "登录名“STAFF_A”已被使用"),
        ({"username": "有 空格"}, "请输入合法的用户名"),
        ({"real_name": ""}, "这个字段是必填项"),
        ({"phone": "打电话"}, "请用数字填写电话号码"),
        ({"roles": ["boss"]}, "选择一个有效的选项"),
        ({"office": "987654"}, "选择一个有效的选项"),
    ],
)
def test_bad_person_input_gets_a_chinese_error_and_changes_nothing(cast, login, changes, message):
    client = login(cast.admin)
    before = database_state()
    response = client.post(reverse("accounts:person_add"), person_post(**changes))
    assert message in form_errors(response), form_errors(response)
    assert database_state() == before


def test_changing_office_roles_and_phone_is_audited(cast, login):
    client = login(cast.admin)
    url = reverse("accounts:person_edit", args=[cast.staff_a.pk])
    response = client.post(
        url,
        person_post(
            real_name="张伟",
            username="staff_a",
            office=cast.office_b.pk,
            phone="13800000000",
            roles=["staff", "leadership"],
        ),
    )
    assert response.status_code == 302
    person = User.objects.get(pk=cast.staff_a.pk)
    assert person.office == cast.office_b and person.phone == "13800000000"
    assert group_names(person) == {"干部职工", "领导小组"}
    (event,) = events(AccountEvent.Action.PERSON_CHANGED)
    assert event.actor == cast.admin and event.person == person
    assert event.changes["office"] == ["研究室", "提案委员会办公室"]
    assert event.changes["phone"] == ["", "13800000000"]
    assert event.changes["roles"] == [["干部职工"], ["干部职工", "领导小组"]]
    assert "username" not in event.changes
    page = client.get(reverse("accounts:person", args=[person.pk])).content.decode()
    assert "研究室 → 提案委员会办公室" in page


def test_the_administrator_role_gives_the_django_admin_too_and_cannot_be_taken_from_oneself(cast, login):
    client = login(cast.admin)
    client.post(
        reverse("accounts:person_edit", args=[cast.staff_b.pk]),
        person_post(real_name="刘洋", username="staff_b", roles=["staff", "admin"]),
    )
    person = User.objects.get(pk=cast.staff_b.pk)
    assert person.is_staff and person.is_superuser and "系统管理员" in group_names(person)
    assert login(person).get(reverse("admin:index")).status_code == 200

    before = database_state()
    response = client.post(
        reverse("accounts:person_edit", args=[cast.admin.pk]),
        person_post(real_name="孙立", username="admin", roles=["staff"]),
    )
    assert "不能取消自己的系统管理员角色" in form_errors(response)
    assert database_state() == before


def test_deactivation_ends_the_persons_session_at_their_next_request(cast, login):
    victim = login(cast.staff_a)
    assert victim.get("/").status_code == 200
    client = login(cast.admin)
    response = client.post(reverse("accounts:person_deactivate", args=[cast.staff_a.pk]))
    assert response.status_code == 302
    person = User.objects.get(pk=cast.staff_a.pk)
    assert not person.is_active and person.session_generation == 1  # raised by the database trigger
    next_request = victim.get("/")
    assert next_request.status_code == 302 and "/login/" in next_request["Location"]
    (event,) = events(AccountEvent.Action.PERSON_DEACTIVATED)
    assert event.changes == {"is_active": [True, False]} and event.actor == cast.admin
    assert cast.admin.display_name in client.get(reverse("accounts:people")).content.decode()
    assert 'data-testid="inactive"' in client.get(reverse("accounts:people")).content.decode()

    # reactivating does not revive the old session
    client.post(reverse("accounts:person_reactivate", args=[cast.staff_a.pk]))
    assert User.objects.get(pk=cast.staff_a.pk).is_active
    assert victim.get("/").status_code == 302
    assert len(events(AccountEvent.Action.PERSON_REACTIVATED)) == 1


def test_an_office_head_or_oneself_is_not_deactivated(cast, login):
    client = login(cast.admin)
    before = database_state()
    response = client.post(reverse("accounts:person_deactivate", args=[cast.head_a.pk]), follow=True)
    assert "请先为其指定新的负责人" in response.content.decode()
    response = client.post(reverse("accounts:person_deactivate", args=[cast.admin.pk]), follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert database_state() == before


def set_password_through(link: str, password: str) -> tuple[Client, Any]:
    browser = Client()
    first = browser.get(link)
    assert first.status_code == 302  # Django moves the token into the session, then shows the form
    form_url = first["Location"]
    response = browser.post(form_url, {"new_password1": password, "new_password2": password})
    return browser, response


def test_the_reset_link_works_once(cast, login):
    client = login(cast.admin)
    page = client.post(reverse("accounts:person_reset_link", args=[cast.staff_b.pk])).content.decode()
    found = re.search(r'value="(http[^"]+)"', page)
    assert found is not None
    link = found.group(1)
    assert link.startswith("http://testserver/accounts/set-password/")
    (issued,) = events(AccountEvent.Action.RESET_LINK)
    assert issued.actor == cast.admin and issued.person == cast.staff_b

    _browser, response = set_password_through(link, "新密码-足够长-2026")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert Client().login(username="staff_b", password="新密码-足够长-2026")
    (used,) = events(AccountEvent.Action.PASSWORD_SET)
    assert used.person == cast.staff_b

    # the second time the link is dead
    again = Client().get(link, follow=True)
    assert 'data-testid="invalid-link"' in again.content.decode()
    assert "已失效" in again.content.decode() or "不再有效" in again.content.decode()


def test_a_weak_password_at_the_link_is_refused_in_chinese(cast, login):
    client = login(cast.admin)
    page = client.post(reverse("accounts:person_reset_link", args=[cast.staff_b.pk])).content.decode()
    found = re.search(r'value="(http[^"]+)"', page)
    assert found is not None
    link = found.group(1)
    before = User.objects.get(pk=cast.staff_b.pk).password
    _browser, response = set_password_through(link, "123")
    assert response.status_code == 200
    assert "密码太短" in response.content.decode()
    assert User.objects.get(pk=cast.staff_b.pk).password == before


def test_a_forced_change_redirects_until_the_person_changes_their_password(cast, login, password):
    person = login(cast.staff_a)
    client = login(cast.admin)
    assert client.post(reverse("accounts:person_force_change", args=[cast.staff_a.pk])).status_code == 302
    assert User.objects.get(pk=cast.staff_a.pk).must_change_password
    (event,) = events(AccountEvent.Action.FORCE_CHANGE)
    assert event.actor == cast.admin

    for url in ["/", "/tasks/", reverse("evidence:upload")]:
        response = person.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    page = person.get(reverse("password_change")).content.decode()
    assert 'data-testid="change-required"' in page

    # a wrong old password changes nothing and still redirects
    person.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "另一个-长密码-2026", "new_password2": "另一个-长密码-2026"},
    )
    assert person.get("/").status_code == 302

    response = person.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "另一个-长密码-2026", "new_password2": "另一个-长密码-2026"},
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=cast.staff_a.pk).must_change_password
    assert person.get("/").status_code == 200  # still signed in, free again
    (changed,) = events(AccountEvent.Action.PASSWORD_CHANGED)
    assert changed.changes == {"must_change_password": [True, False]} and changed.actor == cast.staff_a


def test_roles_are_the_chinese_groups(cast, login):
    client = login(cast.admin)
    html = client.get(reverse("accounts:person_add")).content.decode()
    for role in Role:
        assert role.group_name in html
    assert set(Group.objects.values_list("name", flat=True)) >= {"干部职工"}
