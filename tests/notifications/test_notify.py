"""notify(): the one function every app sends through."""

import pytest
from django.core import mail
from django.db import transaction

from civunit.notifications.models import Notification, NotificationPreference
from civunit.notifications.services import notify

Kind = Notification.Kind


@pytest.fixture
def opted_in(cast):
    cast.staff_a.email = "staff_a@example.org"
    cast.staff_a.save()
    NotificationPreference.objects.create(user=cast.staff_a, kind=Kind.RETURNED, email=True)
    return cast.staff_a


def test_notify_creates_a_notification_about_a_readable_object(cast, campaign):
    n = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="任务已分派给您", actor=cast.head_a)
    assert n is not None
    assert n.target == campaign
    assert Notification.objects.filter(recipient=cast.staff_a, kind=Kind.ASSIGNED).count() == 1


def test_the_same_object_kind_and_day_is_stored_once(cast, campaign):
    first = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    second = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1


def test_inactive_recipient_is_not_notified(cast, campaign):
    cast.staff_a.is_active = False
    cast.staff_a.save()
    assert notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a") is None
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_email_goes_out_only_after_commit(opted_in, campaign):
    with transaction.atomic():
        notify(recipient=opted_in, kind=Kind.RETURNED, obj=campaign, text="退回：材料不全")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff_a@example.org"]
    assert "退回：材料不全" in mail.outbox[0].body
    assert Notification.objects.get().emailed_at is not None


class _Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing(opted_in, campaign):
    with pytest.raises(_Rollback), transaction.atomic():
        notify(recipient=opted_in, kind=Kind.RETURNED, obj=campaign, text="退回")
        raise _Rollback
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_email_job_is_queued_on_commit(opted_in, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=opted_in, kind=Kind.RETURNED, obj=campaign, text="退回")
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_no_email_without_opt_in(cast, campaign, django_capture_on_commit_callbacks):
    cast.staff_a.email = "staff_a@example.org"
    cast.staff_a.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="x")
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == 1


def test_the_same_event_with_new_words_on_the_same_day_comes_back_as_unread(cast, campaign):
    first = notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="退回：缺照片")
    assert first is not None
    first.read_at = first.created_at
    first.save()
    again = notify(recipient=cast.staff_a, kind=Kind.RETURNED, obj=campaign, text="退回：缺签到表")
    assert again is not None
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.text == "退回：缺签到表"
    assert again.read_at is None


def test_nobody_is_notified_of_their_own_action(cast, campaign):
    assert notify(recipient=cast.head_a, kind=Kind.ASSIGNED, obj=campaign, text="x", actor=cast.head_a) is None


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_is_created_by_notify_about_a_task(cast, campaign, kind, django_capture_on_commit_callbacks):
    from tasks.models import Task

    task = Task.objects.create(campaign=campaign, code="1", title="任务", lead_office=cast.office_a)
    cast.staff_a.email = "staff_a@example.org"
    cast.staff_a.save()
    NotificationPreference.objects.create(user=cast.staff_a, kind=kind, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(recipient=cast.staff_a, kind=kind, obj=task, text=f"关于任务：{kind.label}", actor=cast.head_a)
        assert n is not None
    assert (n.kind, n.target, n.actor) == (kind, task, cast.head_a)
    assert len(mail.outbox) == 1
    assert n.text in mail.outbox[0].body


def test_a_kind_added_later_as_a_plain_string_works(cast, campaign):
    n = notify(recipient=cast.staff_a, kind="report_ready", obj=campaign, text="报告已生成")
    assert n is not None
    assert n.kind == "report_ready"
    assert n.kind_label == "report_ready"


def test_a_notification_is_readable_by_its_recipient_only(cast, campaign):
    from civunit import access

    n = notify(recipient=cast.staff_a, kind=Kind.ASSIGNED, obj=campaign, text="a")
    assert access.can_read(cast.staff_a, n)
    assert not access.can_read(cast.coordinator, n)


def test_the_email_job_sends_once_and_rechecks_the_opt_in(opted_in, campaign, django_capture_on_commit_callbacks):
    from civunit.notifications.jobs import send_notification_email

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = notify(recipient=opted_in, kind=Kind.RETURNED, obj=campaign, text="退回")
        assert n is not None
    NotificationPreference.objects.filter(user=opted_in).update(email=False)
    callbacks[0]()
    assert mail.outbox == []
    NotificationPreference.objects.filter(user=opted_in).update(email=True)
    assert send_notification_email.call(n.pk) is True
    assert send_notification_email.call(n.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_can_be_retried(opted_in, campaign, settings):
    from civunit.notifications.jobs import send_notification_email

    n = notify(recipient=opted_in, kind=Kind.RETURNED, obj=campaign, text="退回")
    assert n is not None
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.conftest.FailingBackend", "OPTIONS": {}}}
    with pytest.raises(OSError):
        send_notification_email.call(n.pk)
    n.refresh_from_db()
    assert n.emailed_at is None
