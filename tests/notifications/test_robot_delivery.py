"""Messages reach the robots as their APIs document them (payload, signature), once per day and robot however
often send_reminders runs; failures are retried with backoff a bounded number of times, then recorded; the rate
limit, the allow-list and the redirect rule hold at send time; nothing logs an address or a secret."""

import datetime
import logging
import uuid

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone

from civunit.notifications.robots import delivery, services
from civunit.notifications.robots.jobs import deliver_robot_message
from civunit.notifications.robots.models import RobotGroup, RobotMessage
from civunit.notifications.robots.scheduling import send_scheduled
from tests.notifications.robots_data import DINGTALK_SECRET, FEISHU_SECRET, add_robot
from tests.robot_server import expected_dingtalk_sign
from tests.tasks.factories import TaskFactory

Status = RobotMessage.Status
MONDAY = datetime.date(2026, 6, 15)


# --- The test button's path: one message, each kind ----------------------------------------------------------


def test_dingtalk_messages_are_signed_with_the_secret_as_documented(cast, robot_server):
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    record = services.robot_test(robot=robot, user=cast.coordinator)
    assert record.status == Status.SENT, record.response
    assert record.response == "errcode 0: ok"
    (received,) = robot_server.of(tok)
    timestamp = received.query["timestamp"]
    assert received.query["sign"] == expected_dingtalk_sign(DINGTALK_SECRET, timestamp)
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000
    assert received.body["msgtype"] == "markdown"
    assert "文明单位创建" in received.body["markdown"]["title"]
    assert "测试消息" in received.body["markdown"]["text"]


def test_a_wrong_dingtalk_secret_is_the_robots_310000_and_is_shown(cast, robot_server):
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    robot_server.secrets[tok] = "SECanotherone"
    record = services.robot_test(robot=robot, user=cast.coordinator)
    assert record.status == Status.FAILED
    assert record.response.startswith("errcode 310000: sign not match")


def test_feishu_messages_carry_timestamp_and_sign_in_the_body(cast, robot_server):
    robot, tok = add_robot(robot_server, kind="feishu", group=RobotGroup.ORGAN)
    record = services.robot_test(robot=robot, user=cast.coordinator)
    assert record.status == Status.SENT, record.response
    (received,) = robot_server.of(tok)
    assert received.body["msg_type"] == "interactive"
    assert set(received.body) >= {"timestamp", "sign", "card"}
    robot_server.secrets[tok] = FEISHU_SECRET + "x"
    assert services.robot_test(robot=robot, user=None).response.startswith("code 19021")


def test_wecom_messages_are_markdown_without_a_signature(cast, robot_server):
    robot, tok = add_robot(robot_server, kind="wecom", group=RobotGroup.LEADERSHIP)
    record = services.robot_test(robot=robot, user=cast.coordinator)
    assert record.status == Status.SENT, record.response
    (received,) = robot_server.of(tok)
    assert received.body["msgtype"] == "markdown"
    assert "timestamp" not in received.query


def test_an_unsigned_dingtalk_robot_sends_without_timestamp(cast, robot_server):
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a, secret="")
    assert services.robot_test(robot=robot, user=None).status == Status.SENT
    assert "sign" not in robot_server.of(tok)[0].query


# --- Failures -----------------------------------------------------------------------------------------------------


def _queued(robot, *, kind=RobotMessage.Kind.DIGEST, day=None):
    from civunit.notifications.robots.content import Message, render

    return RobotMessage.objects.create(
        robot=robot,
        kind=kind,
        day=day or timezone.localdate(),
        title="t",
        body=render(robot.kind, Message(title="提醒", lines=("内容",))),
    )


def test_errors_are_retried_then_the_message_is_sent(cast, robot_server, settings):
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    robot_server.scripts[tok] = ["error", "http500"]
    message = _queued(robot)
    assert deliver_robot_message.enqueue(message.pk).return_value == Status.SENT
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(robot_server.of(tok)) == 3


def test_a_robot_that_keeps_failing_is_tried_a_bounded_number_of_times_then_recorded(cast, robot_server, settings):
    settings.ROBOT_MAX_ATTEMPTS = 3
    robot, tok = add_robot(robot_server, kind="feishu", office=cast.office_a)
    robot_server.scripts[tok] = ["error"] * 10
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert message.response.startswith("code 11232")
    assert len(robot_server.of(tok)) == 3
    # another run of the job changes nothing
    deliver_robot_message.enqueue(message.pk)
    assert len(robot_server.of(tok)) == 3


def test_the_wait_between_attempts_doubles(settings):
    settings.ROBOT_RETRY_BACKOFF = 30
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [30, 60, 120]


def test_a_slow_robot_times_out_and_is_recorded(cast, robot_server, settings):
    settings.ROBOT_TIMEOUT = 0.3
    settings.ROBOT_MAX_ATTEMPTS = 2
    robot_server.slow_seconds = 1.0
    robot, tok = add_robot(robot_server, kind="wecom", office=cast.office_a)
    robot_server.scripts[tok] = ["slow", "slow"]
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "0.3" in message.response


def test_a_refused_connection_is_recorded(cast, robot_server, settings):
    robot, _tok = add_robot(robot_server, kind="wecom", office=cast.office_a)
    settings.ROBOT_MAX_ATTEMPTS = 1
    port = int(robot_server.base_url.rsplit(":", 1)[1])
    closed = f"https://127.0.0.1:{port + 1 if port < 65535 else port - 1}/cgi-bin/webhook/send"
    settings.ROBOT_ALLOWED_URL_PREFIXES = [*settings.ROBOT_ALLOWED_URL_PREFIXES, closed]
    services.robot_save(
        robot=robot,
        user=None,
        group=robot.group,
        office=robot.office,
        kind=robot.kind,
        url=f"{closed}?key=abcdefgh1234",
    )
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.response


def test_a_redirect_is_not_followed(cast, robot_server, settings):
    settings.ROBOT_MAX_ATTEMPTS = 1
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    robot_server.scripts[tok] = ["redirect"]
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert [r.path for r in robot_server.received] == ["/robot/send"]


def test_an_address_taken_off_the_allow_list_is_not_called(cast, robot_server, settings):
    robot, _tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    settings.ROBOT_ALLOWED_URL_PREFIXES = ["https://oapi.dingtalk.com/robot/send"]
    settings.ROBOT_MAX_ATTEMPTS = 1
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "ROBOT_ALLOWED_URL_PREFIXES" in message.response
    assert robot_server.received == []


def test_a_switched_off_robot_is_sent_nothing(cast, robot_server):
    robot, _tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    robot.is_active = False
    robot.save()
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert robot_server.received == []


def test_a_message_is_sent_once_however_many_jobs_run(cast, robot_server):
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    message = _queued(robot)
    for _run in range(3):
        deliver_robot_message.enqueue(message.pk)
    assert len(robot_server.of(tok)) == 1


# --- Rate limits ----------------------------------------------------------------------------------------------------


def _attempts(robot, count, *, seconds_ago=1):
    at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    for n in range(count):
        RobotMessage.objects.create(
            robot=robot,
            kind=RobotMessage.Kind.TEST,
            day=timezone.localdate(),
            ref=f"r{n}-{uuid.uuid4().hex}",
            title="t",
            body={},
            status=Status.SENT,
            last_attempt_at=at,
        )


def test_dingtalk_takes_at_most_20_messages_a_minute(cast, robot_server):
    robot, _tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    _attempts(robot, 19, seconds_ago=30)
    assert delivery.rate_wait(robot) == 0
    _attempts(robot, 1, seconds_ago=30)
    assert 29 <= delivery.rate_wait(robot) <= 31
    with pytest.raises(services.RobotError, match=r"30|31"):
        services.robot_test(robot=robot, user=None)
    assert robot_server.received == []


def test_feishu_takes_at_most_5_a_second(cast, robot_server):
    robot, _tok = add_robot(robot_server, kind="feishu", office=cast.office_a)
    _attempts(robot, 5, seconds_ago=0.2)
    assert 0 < delivery.rate_wait(robot) <= 1


@pytest.fixture
def deferring_backend(settings):
    """A task backend that can defer jobs and keeps them (as django-tasks-db would, without running them)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    yield backend
    backend.clear()


def test_a_message_over_the_limit_waits_in_the_queue_when_the_backend_can_defer(cast, robot_server, deferring_backend):
    robot, _tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    _attempts(robot, 20, seconds_ago=50)
    message = _queued(robot)
    status = deliver_robot_message.call(message.pk)
    assert status == Status.PENDING
    (deferred,) = deferring_backend.results
    assert deferred.args == [message.pk]
    assert deferred.task.run_after is not None
    assert 5 <= (deferred.task.run_after - timezone.now()).total_seconds() <= 11
    assert robot_server.received == []


def test_a_retry_waits_in_the_queue_when_the_backend_can_defer(cast, robot_server, settings, deferring_backend):
    settings.ROBOT_RETRY_BACKOFF = 60
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    robot_server.scripts[tok] = ["error"]
    message = _queued(robot)
    assert deliver_robot_message.call(message.pk) == Status.PENDING
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    (deferred,) = deferring_backend.results
    assert deferred.task.run_after is not None
    assert 55 <= (deferred.task.run_after - timezone.now()).total_seconds() <= 61


# --- Secrets never logged -------------------------------------------------------------------------------------------


def test_no_address_or_secret_reaches_the_log(cast, robot_server, caplog, settings):
    settings.ROBOT_MAX_ATTEMPTS = 2
    caplog.set_level(logging.DEBUG)
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a, user=cast.coordinator)
    services.robot_test(robot=robot, user=cast.coordinator)
    robot_server.scripts[tok] = ["error", "http500"]
    message = _queued(robot)
    deliver_robot_message.enqueue(message.pk)
    services.robot_save(
        robot=robot,
        user=cast.admin,
        group=robot.group,
        office=robot.office,
        kind=robot.kind,
        secret=DINGTALK_SECRET + "2",
    )
    services.robot_delete(robot=robot, user=cast.admin)
    assert "failed after 2 attempts" in caplog.text
    assert tok not in caplog.text
    assert DINGTALK_SECRET not in caplog.text
    assert "sign=" not in caplog.text


# --- Queued again after a stopped worker ---------------------------------------------------------------------------


def test_messages_left_waiting_are_queued_again_by_the_next_run(cast, robot_server, django_capture_on_commit_callbacks):
    robot, tok = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    message = _queued(robot)
    RobotMessage.objects.filter(pk=message.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_scheduled()
    assert result.requeued == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(robot_server.of(tok)) == 1


def test_send_reminders_reports_the_robot_messages(cast, campaign, robot_server, django_capture_on_commit_callbacks):
    add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    TaskFactory(campaign=campaign, lead_office=cast.office_a, deadline=MONDAY - datetime.timedelta(days=2))
    out = __import__("io").StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", MONDAY.isoformat(), stdout=out)
    assert "robot messages queued: 1 new" in out.getvalue()
