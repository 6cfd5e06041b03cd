"""The list, mark read, open, the bell and the e-mail settings page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civunit.accounts.models import signed_in_users
from civunit.notifications.context_processors import Bell
from civunit.notifications.models import Notification, NotificationPreference
from civunit.notifications.services import notify
from tests.factories import OfficeFactory

Kind = Notification.Kind


def _many(user, objs, kind=Kind.ASSIGNED, text="通知"):
    return [notify(recipient=user, kind=kind, obj=o, text=f"{text}{o.pk}") for o in objs]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_list_shows_newest_first_and_only_own(cast, campaign, login, office_rule):
    notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="较早的通知")
    notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=cast.office_a, text="较新的通知")
    notify(recipient=cast.staff_b, kind=Kind.ASSIGNED, obj=campaign, text="别人的通知")
    body = login(cast.staff_a).get(reverse("notifications:list")).content.decode()
    assert body.index("较新的通知") < body.index("较早的通知")
    assert "别人的通知" not in body


def test_notification_about_an_object_no_longer_readable_is_neither_shown_nor_counted(cast, login, office_rule):
    notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=cast.office_a, text="本室的通知")
    n = notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=cast.office_a, text="调走后看不到")
    assert n is not None
    cast.staff_a.office = cast.office_b
    cast.staff_a.save()
    client = login(cast.staff_a)
    response = client.get(reverse("notifications:list"))
    assert "调走后看不到" not in response.content.decode()
    assert response.context["notification_bell"].count == 0
    assert client.post(reverse("notifications:open", args=[n.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 404


def test_notify_refuses_an_object_the_recipient_may_not_read(cast, office_rule):
    assert notify(recipient=cast.staff_b, kind=Kind.ASSIGNED, obj=cast.office_a, text="x") is None
    assert not Notification.objects.exists()


def test_list_is_paginated(cast, login, offices_readable):
    offices = [OfficeFactory() for _ in range(25)]
    _many(cast.coordinator, offices)
    client = login(cast.coordinator)
    first = client.get(reverse("notifications:list"))
    assert len(first.context["notifications"]) == 20
    second = client.get(reverse("notifications:list") + "?page=2")
    assert len(second.context["notifications"]) == 5
    assert client.get(reverse("notifications:list") + "?page=zzz").status_code == 200


def test_marking_one_read_changes_only_that_one(cast, campaign, login, office_rule):
    a = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    assert a is not None
    b = notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="b")
    assert b is not None
    response = login(cast.staff_a).post(reverse("notifications:read", args=[a.pk]))
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.read_at is not None
    assert b.read_at is None


def test_marking_read_needs_post(cast, campaign, login):
    a = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    assert a is not None
    assert login(cast.staff_a).get(reverse("notifications:read", args=[a.pk])).status_code == 405


def test_someone_elses_notification_is_404(cast, campaign, login):
    a = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    assert a is not None
    client = login(cast.staff_b)
    assert client.post(reverse("notifications:read", args=[a.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[a.pk])).status_code == 404
    a.refresh_from_db()
    assert a.read_at is None


def test_mark_all_read(cast, campaign, login):
    notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="b")
    other = notify(recipient=cast.staff_b, kind=Kind.RETURNED, obj=campaign, text="b")
    assert other is not None
    client = login(cast.staff_a)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.context["notification_bell"].count == 0
    assert not Notification.objects.filter(recipient=cast.staff_a, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_open_marks_read_and_redirects_to_the_object(cast, campaign, login):
    n = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a", url="/campaign/plan/")
    assert n is not None
    response = login(cast.staff_a).post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/campaign/plan/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_never_redirects_off_site(cast, campaign, login):
    n = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a", url="https://evil.example/")
    assert n is not None
    response = login(cast.staff_a).post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_bell_shows_the_unread_count_on_every_page(cast, campaign, login):
    notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="b")
    body = login(cast.staff_a).get(reverse("reports:home")).content.decode()
    assert 'data-testid="bell-count">2<' in body


def test_bell_shows_no_badge_when_nothing_is_unread(cast, login):
    body = login(cast.staff_a).get(reverse("reports:home")).content.decode()
    assert 'data-testid="bell"' in body
    assert "bell-count" not in body


@pytest.mark.parametrize("rows", [1, 30])
def test_unread_count_query_count_is_constant(cast, campaign, rows, django_assert_num_queries, office_rule):

    offices = [OfficeFactory(name=f"室{i}") for i in range(rows)]
    cast.coordinator.office = offices[0]
    cast.coordinator.save()
    _many(cast.coordinator, offices)  # only offices[0] stays readable: the rest are hidden
    notify(recipient=cast.coordinator, kind=Kind.ASSIGNED, obj=campaign, text="c")
    user = signed_in_users().get(pk=cast.coordinator.pk)  # as a request has them: roles and headships loaded
    assert Bell(user).count == 2  # warm-up: the content types of the kinds checked in the query, cached by the process
    # 1: the newest unread (content type, object id) rows, those about tasks, evidence and bulletins already
    # checked in it; 2: the offices among them; 3: the campaigns (kinds checked object by object).
    with django_assert_num_queries(3):
        assert Bell(user).count == 2


def test_list_page_query_count_is_constant(cast, campaign, login, offices_readable):
    client = login(cast.coordinator)
    client.get(reverse("notifications:list"))  # warm-up: content types cached
    counts = []
    for extra in (2, 15):
        _many(cast.coordinator, [OfficeFactory() for _ in range(extra)])
        notify(recipient=cast.coordinator, kind=Kind.ASSIGNED, obj=campaign, text="c")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("notifications:list"))
        counts.append(len(ctx.captured_queries))
        assert len(response.context["notifications"]) == min(20, Notification.objects.count())
    assert counts[0] == counts[1]


def test_preferences_are_off_by_default_and_saved_per_kind(cast, login):
    client = login(cast.staff_a)
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    assert response.context["form"].initial["email_kinds"] == []
    response = client.post(reverse("notifications:preferences"), {"email_kinds": [Kind.RETURNED, Kind.OVERDUE]})
    assert response.status_code == 302
    chosen = set(NotificationPreference.objects.filter(user=cast.staff_a, email=True).values_list("kind", flat=True))
    assert chosen == {Kind.RETURNED, Kind.OVERDUE}
    client.post(reverse("notifications:preferences"), {"email_kinds": [Kind.OVERDUE]})
    assert NotificationPreference.wants_email(cast.staff_a, Kind.OVERDUE)
    assert not NotificationPreference.wants_email(cast.staff_a, Kind.RETURNED)


def test_preferences_reject_an_unknown_kind_without_saving(cast, login):
    response = login(cast.staff_a).post(reverse("notifications:preferences"), {"email_kinds": ["nonsense"]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not NotificationPreference.objects.exists()


def test_unread_filter_shows_only_unread_and_marking_read_keeps_the_filter(cast, campaign, login):
    a = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="已读的")
    assert a is not None
    notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="未读的")
    client = login(cast.staff_a)
    response = client.post(reverse("notifications:read", args=[a.pk]), {"show": "unread", "page": "1"})
    assert response["Location"] == reverse("notifications:list") + "?show=unread"
    body = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert "未读的" in body
    assert "已读的" not in body
    assert "已读的" in client.get(reverse("notifications:list")).content.decode()
