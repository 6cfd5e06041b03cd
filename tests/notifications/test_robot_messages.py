"""What the robots say: each office's daily digest (its overdue and due-soon tasks, its returned evidence, the
people responsible @-mentioned by mobile where the robot can), the leadership's weekly summary from the
dashboard's headline figures, and each published bulletin to the organ's group; each once per day and robot,
whatever the number of runs."""

import datetime

import pytest
from django.core.management import call_command

from civunit.notifications.robots import content
from civunit.notifications.robots.models import RobotGroup, RobotMessage
from civunit.notifications.robots.scheduling import send_scheduled
from evidence import services
from tasks.models import Task
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory
from tests.notifications.robots_data import add_robot
from tests.reports.bulletins_data import draft, publish
from tests.tasks.factories import TaskFactory

MONDAY = datetime.date(2026, 6, 15)
Kind = RobotMessage.Kind


@pytest.fixture
def work(cast, campaign, settings):
    """Office A: one task 3 days overdue (张伟, a mobile), one due in 2 days (no one responsible: its head 李明),
    one due next month (not mentioned), one done; a returned evidence item. Office B: one task due tomorrow."""
    settings.SITE_URL = "https://civunit.example.gov.cn"
    cast.staff_a.phone = "138 0013 8000"
    cast.staff_a.save()
    cast.head_a.phone = "+86-13900139000"
    cast.head_a.save()
    cast.head_b.phone = "0571-87654321"  # a landline: named, not mentioned
    cast.head_b.save()
    late = TaskFactory(
        campaign=campaign,
        code="3.1",
        title="组织学雷锋志愿服务",
        lead_office=cast.office_a,
        people=[cast.staff_a],
        deadline=MONDAY - datetime.timedelta(days=3),
    )
    soon = TaskFactory(
        campaign=campaign,
        code="2.4",
        title="道德讲堂",
        lead_office=cast.office_a,
        deadline=MONDAY + datetime.timedelta(days=2),
    )
    TaskFactory(
        campaign=campaign,
        code="5.1",
        title="网络文明",
        lead_office=cast.office_a,
        deadline=MONDAY + datetime.timedelta(days=40),
    )
    TaskFactory(
        campaign=campaign,
        code="1.1",
        title="已完成的任务",
        lead_office=cast.office_a,
        status=Task.Status.DONE,
        deadline=MONDAY - datetime.timedelta(days=9),
    )
    b_task = TaskFactory(
        campaign=campaign,
        code="4.2",
        title="文明餐桌",
        lead_office=cast.office_b,
        people=[cast.head_b],
        deadline=MONDAY + datetime.timedelta(days=1),
    )
    standard = CriterionFactory(campaign=campaign, code="6.1", is_leaf=True)
    item = make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard], title="志愿服务照片")
    services.evidence_return(user=cast.coordinator, item=item, reason="缺少活动签到表")
    return {"late": late, "soon": soon, "b_task": b_task, "item": item}


def run(capture, day=MONDAY):
    with capture(execute=True):
        return send_scheduled(today=day)


def test_each_office_gets_one_digest_per_robot_with_its_tasks_and_returned_evidence(
    cast, work, robot_server, django_capture_on_commit_callbacks
):
    _robot, ding = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    _robot, wecom = add_robot(robot_server, kind="wecom", office=cast.office_a)
    _robot, feishu = add_robot(robot_server, kind="feishu", office=cast.office_b)
    _robot, idle = add_robot(robot_server, kind="dingtalk", office=cast.office_main)  # nothing to say
    result = run(django_capture_on_commit_callbacks)
    assert result.queued == 3
    (d,) = robot_server.delivered(ding)
    text = d.body["markdown"]["text"]
    assert "研究室" in d.body["markdown"]["title"] and "文明单位创建" in d.body["markdown"]["title"]
    assert "逾期任务（1 项）" in text and "3.1 组织学雷锋志愿服务" in text and "已逾期 3 天" in text
    assert "7 天内到期（1 项）" in text and "2.4 道德讲堂" in text and "还有 2 天" in text
    assert "被退回的台账资料（1 份）" in text and "缺少活动签到表" in text
    assert "5.1" not in text and "1.1" not in text
    assert f"(https://civunit.example.gov.cn/tasks/{work['late'].pk}/)" in text
    assert f"https://civunit.example.gov.cn/evidence/{work['item'].pk}/" in text
    # the responsible person, the head for a task without one, and the uploader, by mobile
    assert sorted(d.body["at"]["atMobiles"]) == ["13800138000", "13900139000"]
    assert "@13800138000" in text and "@13900139000" in text
    # 企业微信: its markdown cannot mention, so a digest that mentions people is text with mentioned_mobile_list
    (w,) = robot_server.delivered(wecom)
    assert w.body["msgtype"] == "text"
    assert sorted(w.body["text"]["mentioned_mobile_list"]) == ["13800138000", "13900139000"]
    assert "组织学雷锋志愿服务" in w.body["text"]["content"]
    # 飞书: a card; people named (its bots mention by open_id, not mobile)
    (f,) = robot_server.delivered(feishu)
    card_text = f.body["card"]["elements"][0]["text"]["content"]
    assert "4.2 文明餐桌" in card_text and "王芳" in card_text and "明天" not in card_text
    assert "研究室" not in card_text
    assert robot_server.of(idle) == []


def test_running_again_the_same_day_sends_nothing_more(cast, work, robot_server, django_capture_on_commit_callbacks):
    _robot, ding = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    run(django_capture_on_commit_callbacks)
    for _again in range(3):
        assert run(django_capture_on_commit_callbacks).queued == 0
    assert len(robot_server.of(ding)) == 1
    assert RobotMessage.objects.filter(kind=Kind.DIGEST).count() == 1
    # the next day is another digest
    run(django_capture_on_commit_callbacks, MONDAY + datetime.timedelta(days=1))
    assert len(robot_server.of(ding)) == 2


def test_send_reminders_sends_the_digest_once_however_often_it_runs(
    cast, work, robot_server, django_capture_on_commit_callbacks
):
    _robot, ding = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    for _run in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--date", MONDAY.isoformat(), stdout=__import__("io").StringIO())
    assert len(robot_server.delivered(ding)) == 1


def test_no_digest_on_the_days_left_out(cast, work, robot_server, settings, django_capture_on_commit_callbacks):
    _robot, _ding = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    sunday = MONDAY - datetime.timedelta(days=1)
    assert run(django_capture_on_commit_callbacks, sunday).queued == 0
    settings.ROBOT_DIGEST_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]
    assert run(django_capture_on_commit_callbacks, sunday).queued == 1


def test_without_site_url_the_digest_has_no_links(
    cast, work, robot_server, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    _robot, ding = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    run(django_capture_on_commit_callbacks)
    text = robot_server.delivered(ding)[0].body["markdown"]["text"]
    assert "](" not in text and "/tasks/" not in text


def test_a_switched_off_robot_gets_no_digest(cast, work, robot_server, django_capture_on_commit_callbacks):
    robot, _ding = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    robot.is_active = False
    robot.save()
    assert run(django_capture_on_commit_callbacks).queued == 0


def test_titles_cannot_smuggle_markup_or_mentions(cast, campaign, robot_server, django_capture_on_commit_callbacks):
    TaskFactory(
        campaign=campaign,
        code="9",
        title="<at id=all></at>[点我](https://evil.example) **全体**",
        lead_office=cast.office_a,
        deadline=MONDAY - datetime.timedelta(days=1),
    )
    _robot, feishu = add_robot(robot_server, kind="feishu", office=cast.office_a)
    run(django_capture_on_commit_callbacks)
    text = robot_server.delivered(feishu)[0].body["card"]["elements"][0]["text"]["content"]
    assert "<at" not in text and "[点我](" not in text and "**全体**" not in text
    assert "＜at id=all＞" in text


def test_a_long_digest_is_cut_to_what_the_robot_accepts(
    cast, campaign, robot_server, django_capture_on_commit_callbacks
):
    cast.staff_a.phone = "13800138000"
    cast.staff_a.save()
    for n in range(60):
        TaskFactory(
            campaign=campaign,
            code=f"7.{n}",
            title="落实“门前三包”责任制并开展环境卫生整治" * 3,
            lead_office=cast.office_a,
            people=[cast.staff_a],
            deadline=MONDAY - datetime.timedelta(days=n + 1),
        )
    _robot, wecom = add_robot(robot_server, kind="wecom", office=cast.office_a)
    run(django_capture_on_commit_callbacks)
    (w,) = robot_server.delivered(wecom)
    body = w.body["text"]["content"]
    assert len(body.encode()) <= 2048
    assert "逾期任务（60 项）" in body and "另有" in body


# --- The leadership's weekly summary --------------------------------------------------------------------------


def test_the_leadership_gets_the_headline_figures_once_a_week(
    cast, work, robot_server, django_capture_on_commit_callbacks
):
    _robot, tok = add_robot(robot_server, kind="wecom", group=RobotGroup.LEADERSHIP)
    for day in range(7):  # every day of the week: sent on the first run only
        run(django_capture_on_commit_callbacks, MONDAY + datetime.timedelta(days=day))
    (sent,) = robot_server.delivered(tok)
    text = sent.body["markdown"]["content"]
    assert "工作周报" in text and "文明单位创建" in text
    assert "工作任务：完成 1/5 项（20%），逾期 1 项" in text
    assert "测评标准：达标 0/1 项" in text
    assert "逾期最久的任务（共 1 项）" in text and "3.1 组织学雷锋志愿服务" in text
    assert "https://civunit.example.gov.cn/dashboard/" in text
    message = RobotMessage.objects.get(kind=Kind.WEEKLY)
    assert message.day == MONDAY
    run(django_capture_on_commit_callbacks, MONDAY + datetime.timedelta(days=7))
    assert len(robot_server.delivered(tok)) == 2


def test_a_week_begun_without_a_run_on_monday_still_gets_its_summary(
    cast, work, robot_server, django_capture_on_commit_callbacks
):
    _robot, tok = add_robot(robot_server, kind="dingtalk", group=RobotGroup.LEADERSHIP)
    run(django_capture_on_commit_callbacks, MONDAY + datetime.timedelta(days=2))
    assert len(robot_server.delivered(tok)) == 1
    assert RobotMessage.objects.get(kind=Kind.WEEKLY).day == MONDAY


def test_no_summary_without_a_current_campaign(cast, robot_server, django_capture_on_commit_callbacks):
    add_robot(robot_server, kind="dingtalk", group=RobotGroup.LEADERSHIP)
    assert run(django_capture_on_commit_callbacks).queued == 0


# --- Bulletins ------------------------------------------------------------------------------------------------------


def test_a_published_bulletin_goes_to_the_organs_group_after_commit(
    cast, campaign, robot_server, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://civunit.example.gov.cn"
    _robot, organ = add_robot(robot_server, kind="dingtalk", group=RobotGroup.ORGAN)
    _robot, office = add_robot(robot_server, kind="dingtalk", office=cast.office_a)
    bulletin = draft(cast, campaign)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bulletin = publish(bulletin, cast.coordinator)
        assert robot_server.received == []  # nothing before the commit
    for callback in callbacks:
        callback()
    (sent,) = robot_server.delivered(organ)
    text = sent.body["markdown"]["text"]
    assert f"{bulletin.year}年第{bulletin.number}期通报" in text and "已发布" in text
    assert "请各委室抓紧推进。" in text
    assert f"https://civunit.example.gov.cn/bulletins/{bulletin.pk}/" in text
    assert robot_server.of(office) == []
    assert RobotMessage.objects.get(kind=Kind.BULLETIN).ref == str(bulletin.pk)


def test_a_publication_that_rolls_back_sends_nothing(cast, campaign, robot_server, django_capture_on_commit_callbacks):
    from django.db import transaction

    add_robot(robot_server, kind="dingtalk", group=RobotGroup.ORGAN)
    bulletin = draft(cast, campaign)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        publish(bulletin, cast.coordinator)
        raise RuntimeError("the publication fails after the robots' messages were stored")
    assert robot_server.received == []
    assert not RobotMessage.objects.exists()


# --- Mobiles ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 139-0013-9000", "13900139000"),
        ("8613900139000", "13900139000"),
        ("0571-87654321", None),
        ("12345678901", None),
        ("", None),
    ],
)
def test_only_mainland_mobile_numbers_are_mentioned(phone, mobile):
    assert content.mobile(phone) == mobile
