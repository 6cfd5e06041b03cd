"""The dashboard's figures (civunit.reports.dashboard) on a small hand-built campaign whose answers are worked out
by hand below: each headline figure, each office figure, the lists, the coverage and the weekly series.

The day is Wednesday 10 June 2026 (Asia/Shanghai). The default period is the 28 days to it, 14 May – 10 June,
and the previous one 16 April – 13 May.

    standards   1.1.1 (max 4, met, score 4, needs a photo)  1.1.2 (max 6, in progress, 2)  2.1.1 (max 5, basically, 4)
    tasks       T1 A done, checked off 20 Mar by its 31 Mar deadline, completed 23 Mar 00:30 (a Monday in Shanghai,
                   still Sunday in UTC)
                T2 A done, checked off 5 May after its 30 Apr deadline (late), completed 6 May (previous period)
                T3 A in progress, due 1 Jun: overdue; progress reported 5 Jun: not stalled
                T4 B not started, due 15 Jun: due soon; nothing since it was created: stalled
                T5 B awaiting review, checked off 8 Jun
                T1.1 a sub-task of T1 led by B: the lines of the breakdown are counted, not sub-tasks
    evidence    E1 A photo 1.1.1 accepted 10 May (previous period)   E2 A minutes 1.1.2 awaiting review, 1 Jun
                E3 B 2.1.1 returned 2 Jun   E4 B 2.1.1 accepted 10 Feb, with a newer version awaiting review, 5 Jun
                E5 A 1.1.1 accepted but in the recycle bin (not counted)   E6 B 2.1.1 accepted 3 Jun (period)
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.models import Assessment, Criterion, CriterionRequirement, EvidenceCategory, Stage
from civunit.reports import dashboard as d
from evidence.models import Activity, EvidenceEvent, EvidenceItem, EvidenceKind, EvidenceStandard
from tasks.models import Status, Task, TaskEvent
from tests.tasks.factories import TaskFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 6, 10)


def at(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=SHANGHAI)


def criterion(campaign, code, parent=None, max_score=None, leaf=True, status=None, score=None):
    c = Criterion.objects.create(
        campaign=campaign,
        parent=parent,
        code=code,
        title=f"测评{code}",
        level=code.count(".") + 1,
        is_leaf=leaf,
        ordering=int(code.replace(".", "")),
        max_score=Decimal(max_score) if max_score is not None else None,
    )
    if status:
        Assessment.objects.create(criterion=c, status=status, self_score=Decimal(score) if score else None)
    return c


def task(campaign, code, office, *, deadline, status, standards=(), parent=None, **dates):
    t = TaskFactory(campaign=campaign, code=code, lead_office=office, deadline=deadline, status=status, parent=parent)
    t.standards.set(standards)
    # created on the campaign's first day; recorded dates as given (update() leaves auto_now fields alone)
    Task.objects.filter(pk=t.pk).update(
        created_at=at("2026-01-01", 9), updated_at=dates.pop("updated_at", at("2026-01-01", 9)), **dates
    )
    return t


def evidence(campaign, office, uploader, standard, *, status, created, reviewed=None, category=EvidenceCategory.PHOTO):
    item = EvidenceItem.objects.create(
        campaign=campaign,
        url=f"https://example.org/{standard.code}/{created}",
        kind=EvidenceKind.LINK,
        category=category,
        title=f"{office.name}{standard.code}资料",
        office=office,
        uploader=uploader,
        primary_standard=standard,
        status=status,
        reviewed_at=reviewed,
    )
    EvidenceStandard.objects.create(item=item, criterion=standard)
    EvidenceItem.objects.filter(pk=item.pk).update(created_at=created)
    item.created_at = created
    return item


@dataclass
class World:
    campaign: object
    s111: Criterion
    s112: Criterion
    s211: Criterion
    tasks: dict
    items: dict


@pytest.fixture
def world(cast, campaign) -> World:
    a, b = cast.office_a, cast.office_b
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.MOBILISATION,
        name="动员部署",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 2, 1),
    )
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.IMPLEMENTATION,
        name="组织实施",
        start_date=datetime.date(2026, 2, 2),
        end_date=datetime.date(2026, 8, 31),
    )
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.INSPECTION,
        name="迎检验收",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 9, 30),
    )
    item1 = criterion(campaign, "1", max_score=10, leaf=False)
    ind11 = criterion(campaign, "1.1", parent=item1, leaf=False)
    s111 = criterion(campaign, "1.1.1", parent=ind11, max_score=4, status=Assessment.Status.MET, score=4)
    s112 = criterion(campaign, "1.1.2", parent=ind11, max_score=6, status=Assessment.Status.IN_PROGRESS, score=2)
    item2 = criterion(campaign, "2", leaf=False)
    ind21 = criterion(campaign, "2.1", parent=item2, leaf=False)
    s211 = criterion(campaign, "2.1.1", parent=ind21, max_score=5, status=Assessment.Status.BASICALLY_MET, score=4)
    CriterionRequirement.objects.create(criterion=s111, category=EvidenceCategory.PHOTO, min_count=1)

    t1 = task(
        campaign,
        "1",
        a,
        deadline=datetime.date(2026, 3, 31),
        status=Status.DONE,
        standards=[s111],
        started_at=at("2026-03-01"),
        checked_off_at=at("2026-03-20"),
        completed_at=at("2026-03-23", 0, 30),
        updated_at=at("2026-03-23", 0, 30),
    )
    t2 = task(
        campaign,
        "2",
        a,
        deadline=datetime.date(2026, 4, 30),
        status=Status.DONE,
        standards=[s112],
        started_at=at("2026-04-01"),
        checked_off_at=at("2026-05-05"),
        completed_at=at("2026-05-06"),
        updated_at=at("2026-05-06"),
    )
    t3 = task(
        campaign,
        "3",
        a,
        deadline=datetime.date(2026, 6, 1),
        status=Status.IN_PROGRESS,
        started_at=at("2026-05-01"),
        last_progress_at=at("2026-06-05", 15),
        updated_at=at("2026-06-05", 10),
    )
    t4 = task(campaign, "4", b, deadline=datetime.date(2026, 6, 15), status=Status.NOT_STARTED, standards=[s211])
    t5 = task(
        campaign,
        "5",
        b,
        deadline=datetime.date(2026, 7, 31),
        status=Status.PENDING_REVIEW,
        started_at=at("2026-05-20"),
        checked_off_at=at("2026-06-08"),
        updated_at=at("2026-06-08"),
    )
    t11 = task(campaign, "1.1", b, deadline=datetime.date(2026, 3, 1), status=Status.IN_PROGRESS, parent=t1)

    staff_a, staff_b = cast.staff_a, cast.staff_b
    accepted, pending, returned = (
        EvidenceItem.Status.ACCEPTED,
        EvidenceItem.Status.PENDING,
        EvidenceItem.Status.RETURNED,
    )
    e1 = evidence(campaign, a, staff_a, s111, status=accepted, created=at("2026-05-08"), reviewed=at("2026-05-10"))
    e2 = evidence(
        campaign, a, staff_a, s112, status=pending, created=at("2026-06-01"), category=EvidenceCategory.MINUTES
    )
    e3 = evidence(campaign, b, staff_b, s211, status=returned, created=at("2026-05-30"), reviewed=at("2026-06-02"))
    e4 = evidence(campaign, b, staff_b, s211, status=accepted, created=at("2026-02-09"), reviewed=at("2026-02-10"))
    e4v2 = EvidenceItem.objects.create(
        campaign=campaign,
        lineage=e4.lineage,
        version=2,
        previous=e4,
        is_current=False,
        url=e4.url,
        kind=EvidenceKind.LINK,
        category=e4.category,
        title="提案委员会办公室2.1.1资料（新版本）",
        office=b,
        uploader=staff_b,
        primary_standard=s211,
    )
    EvidenceStandard.objects.create(item=e4v2, criterion=s211)
    EvidenceItem.objects.filter(pk=e4v2.pk).update(created_at=at("2026-06-05"))
    e5 = evidence(campaign, a, staff_a, s111, status=accepted, created=at("2026-05-01"), reviewed=at("2026-05-02"))
    EvidenceItem.objects.filter(pk=e5.pk).update(deleted_at=at("2026-05-03"))
    e6 = evidence(
        campaign,
        b,
        staff_b,
        s211,
        status=accepted,
        created=at("2026-06-01"),
        reviewed=at("2026-06-03"),
        category=EvidenceCategory.OFFICIAL_DOCUMENT,
    )
    Activity.objects.create(
        campaign=campaign, title="志愿服务进社区", date=datetime.date(2026, 6, 5), organiser_office=a
    )
    Activity.objects.create(campaign=campaign, title="专题读书会", date=datetime.date(2026, 5, 1), organiser_office=b)
    return World(
        campaign,
        s111,
        s112,
        s211,
        {"T1": t1, "T2": t2, "T3": t3, "T4": t4, "T5": t5, "T1.1": t11},
        {"E1": e1, "E2": e2, "E3": e3, "E4": e4, "E4v2": e4v2, "E5": e5, "E6": e6},
    )


@pytest.fixture
def leader(cast):
    return cast.leader


def test_each_headline_figure(world, leader):
    h = d.headline_figures(campaign=world.campaign, user=leader, today=TODAY)
    assert (h.standards, h.standards_met, h.standards_basically_met) == (3, 1, 1)
    assert h.standards_without_evidence == 1  # 1.1.2: only E2, still awaiting review
    assert (h.standards_requirement_met, h.standards_with_requirements) == (1, 1)  # 1.1.1's photo: E1
    assert (h.score, h.max_score) == (Decimal(10), Decimal(15))  # 4 + 2 + 4 against item 1's 10 and 2.1.1's 5
    t = h.tasks
    assert (t.total, t.done, t.overdue, t.due_soon, t.stalled, t.pending_review) == (5, 2, 1, 1, 1, 1)
    e = h.evidence
    assert (e.submitted, e.accepted, e.returned, e.pending_review) == (5, 3, 1, 2)  # E2 and E4's new version wait
    assert h.current_stage is not None and h.next_stage is not None
    assert h.current_stage.name == "组织实施"
    assert (h.next_stage.name, h.days_to_next_stage) == ("迎检验收", 83)
    assert (h.inspection_date, h.days_to_inspection) == (datetime.date(2026, 9, 1), 83)


def test_the_campaign_status_comes_from_the_stated_rule(world, leader):
    status = d.campaign_status(campaign=world.campaign, user=leader, today=TODAY)
    # 1 of 5 tasks overdue (20%: at risk); 1 of 3 standards without accepted evidence (33%) with 83 days left
    # (within 90: at risk)
    assert status.level == d.Level.AT_RISK
    assert status.overdue_share == pytest.approx(0.2)
    assert status.unevidenced_share == pytest.approx(1 / 3)
    assert status.days_left == 83
    assert status.reasons == ("20% 的任务已逾期", "距迎检还有 83 天，33% 的测评标准尚无已采用的佐证材料")


def test_each_office_figure(world, leader):
    rows = {o.office.name: o for o in d.office_figures(campaign=world.campaign, user=leader, today=TODAY)}
    assert list(rows) == ["研究室", "提案委员会办公室"]  # the organ's order; offices without tasks or evidence left out
    a, b = rows["研究室"], rows["提案委员会办公室"]
    assert (a.tasks.total, a.done_on_time, a.done_late, a.overdue, a.pending_review) == (3, 1, 1, 1, 0)
    assert (a.evidence.submitted, a.evidence.accepted) == (2, 1)
    assert (a.done_in_period, a.done_previous, a.evidence.accepted_in_period, a.evidence.accepted_previous) == (
        0,
        1,
        0,
        1,
    )
    assert a.trend == -1  # nothing finished in the period, T2 and E1 in the one before
    assert a.last_activity == at("2026-06-05", 15)  # T3's progress report
    assert (b.tasks.total, b.done_on_time, b.done_late, b.overdue, b.pending_review) == (2, 0, 0, 0, 1)
    assert (b.evidence.submitted, b.evidence.accepted, b.evidence.returned, b.evidence.pending_review) == (3, 2, 1, 1)
    assert (b.evidence.accepted_in_period, b.evidence.accepted_previous, b.done_in_period) == (1, 0, 0)
    assert b.trend == 1  # E6
    assert b.last_activity == at("2026-06-08")  # T5 checked off (later than E6's upload on 1 June)


def test_a_done_task_without_a_recorded_finishing_time_is_neither_on_time_nor_late(world, leader):
    # done (e.g. imported so) with a deadline but neither checked off nor accepted at a recorded time: whether it
    # was late is unknown, so it counts as done but in neither column (done on time is done minus late minus
    # these, not "not late" compared row by row)
    office = world.tasks["T2"].lead_office
    task(world.campaign, "T9", office, deadline=datetime.date(2026, 3, 1), status=Status.DONE)
    Task.objects.filter(campaign=world.campaign, code="T9").update(checked_off_at=None, completed_at=None)
    row = next(o for o in d.office_figures(campaign=world.campaign, user=leader, today=TODAY) if o.office == office)
    assert (row.tasks.total, row.tasks.done, row.done_on_time, row.done_late) == (4, 3, 1, 1)


def test_the_period_and_its_previous_one_are_of_equal_length():
    period = d.Period(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    assert period.previous == d.Period(datetime.date(2026, 5, 2), datetime.date(2026, 5, 31))
    assert d.default_period(TODAY) == d.Period(datetime.date(2026, 5, 14), TODAY)


def test_a_custom_period_changes_the_trend_figures(world, leader):
    rows = {
        o.office.name: o
        for o in d.office_figures(
            campaign=world.campaign,
            user=leader,
            today=TODAY,
            start=datetime.date(2026, 5, 1),
            end=datetime.date(2026, 5, 31),
        )
    }
    a = rows["研究室"]
    assert (a.done_in_period, a.evidence.accepted_in_period) == (1, 1)  # T2 on 6 May, E1 on 10 May
    assert a.trend == 1


def test_the_lists_link_the_tasks_in_question(world, leader):
    kw = {"campaign": world.campaign, "user": leader, "today": TODAY}
    overdue = d.overdue_tasks(**kw)
    assert [t.code for t in overdue.rows] == ["3"] and overdue.total == 1
    assert overdue.rows[0].due == datetime.date(2026, 6, 1)  # type: ignore[attr-defined]  # annotated by with_flags(); the plugin knows fields only
    assert [t.code for t in d.due_soon_tasks(**kw).rows] == ["4"]
    assert [t.code for t in d.stalled_tasks(**kw).rows] == ["4"]
    waiting = d.awaiting_review(**kw)
    assert [t.code for t in waiting.tasks.rows] == ["5"]
    assert [i.pk for i in waiting.evidence.rows] == [world.items["E2"].pk, world.items["E4v2"].pk]  # oldest first
    assert waiting.total == 3


def test_a_list_says_how_many_it_leaves_out(world, leader):
    listed = d.overdue_tasks(campaign=world.campaign, user=leader, today=datetime.date(2026, 12, 1), limit=1)
    # by 1 December T3 (1 Jun), T4 (15 Jun) and T5's deadline have passed; T5 awaits review, so it is not overdue
    assert [t.code for t in listed.rows] == ["3"]
    assert (listed.total, listed.more) == (2, 1)


def test_the_stalled_list_is_the_longest_quiet_first_codes_breaking_ties(world, leader, cast):
    """Read in the order of the last activity from task_activity_idx: done tasks, sub-tasks and recurring tasks
    between the stalled ones are passed over, equal times go by code."""
    a = cast.office_a
    quiet = {"started_at": at("2026-02-01"), "last_progress_at": at("2026-03-01")}
    task(world.campaign, "12", a, deadline=datetime.date(2026, 7, 1), status=Status.IN_PROGRESS, **quiet)
    task(world.campaign, "11", a, deadline=datetime.date(2026, 7, 1), status=Status.RETURNED, **quiet)
    task(world.campaign, "13", a, deadline=datetime.date(2026, 7, 1), status=Status.DONE, **quiet)
    task(world.campaign, "14", a, deadline=None, status=Status.IN_PROGRESS, recurrence=Task.Recurrence.MONTHLY, **quiet)
    task(world.campaign, "3.1", a, deadline=None, status=Status.IN_PROGRESS, parent=world.tasks["T3"], **quiet)
    task(
        world.campaign,
        "15",
        a,
        deadline=datetime.date(2026, 7, 1),
        status=Status.IN_PROGRESS,
        started_at=at("2026-02-01"),
        last_progress_at=at("2026-04-01"),
    )
    listed = d.stalled_tasks(campaign=world.campaign, user=leader, today=TODAY, limit=3)
    # T4 has been quiet since it was created (1 January), then 11 and 12 (1 March, by code), then 15 (1 April)
    assert [t.code for t in listed.rows] == ["4", "11", "12"]
    assert (listed.total, listed.more) == (4, 1)


def test_the_lists_read_their_indexes_on_sqlite(world, leader):
    """The overdue and due-soon lists read the open tasks' due dates from task_open_due_idx, the stalled list
    walks task_activity_idx (its expression must stay the one with_activity() sorts on)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL chooses its plans from its statistics")
    kw = {"campaign": world.campaign, "user": leader, "today": TODAY}
    for figure, index in (
        (d.overdue_tasks, "task_open_due_idx"),
        (d.due_soon_tasks, "task_open_due_idx"),
        (d.stalled_tasks, "task_activity_idx"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            figure(**kw)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + ctx.captured_queries[-1]["sql"])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert f"USING INDEX {index}" in plan, (figure.__name__, plan)


def test_coverage_by_item_with_drill_down(world, leader):
    items = d.coverage_by_item(campaign=world.campaign, user=leader)
    assert [r.criterion.code for r in items] == ["1", "2"]
    one, two = items
    assert (one.standards, one.met, one.without_evidence, one.evidenced) == (2, 1, 1, 1)
    assert (one.requirements_met, one.with_requirements) == (1, 1)
    assert (one.evidence_total, one.evidence_accepted, one.evidence_pending) == (2, 1, 1)
    assert (one.score, one.max_score) == (Decimal(6), Decimal(10))  # the item's own maximum
    assert (two.standards, two.met, two.without_evidence) == (1, 0, 0)
    assert (two.evidence_total, two.evidence_accepted) == (3, 2)  # E3 (returned), E4, E6
    assert (two.score, two.max_score) == (Decimal(4), Decimal(5))
    indicator = one.children[0]
    assert indicator.criterion.code == "1.1"
    assert [(s.criterion.code, s.flagged) for s in indicator.children] == [("1.1.1", False), ("1.1.2", True)]
    assert [s.criterion.code for s in one.flagged_standards()] == ["1.1.2"]
    evidence = indicator.children[0].evidence
    assert evidence is not None
    photo = evidence.requirements[0]
    assert (photo.category, photo.accepted, photo.required, photo.met) == (EvidenceCategory.PHOTO, 1, 1, True)


def test_an_offices_coverage_keeps_the_standards_of_its_tasks(world, cast):
    items = d.coverage_by_item(campaign=world.campaign, user=cast.staff_b, office=cast.office_b)
    assert [r.criterion.code for r in items] == ["2"]  # T4 → 2.1.1; T5 and the sub-task link none
    h = d.headline_figures(campaign=world.campaign, user=cast.staff_b, office=cast.office_b, today=TODAY)
    assert (h.standards, h.standards_without_evidence, h.score, h.max_score) == (1, 0, Decimal(4), Decimal(5))
    assert (h.tasks.total, h.tasks.pending_review, h.evidence.submitted) == (2, 1, 3)


def test_the_weekly_series_from_recorded_dates(world, leader):
    weekly = d.weekly_progress(campaign=world.campaign, user=leader, today=TODAY)
    weeks = {w.start: w for w in weekly.weeks}
    assert weekly.weeks[0].start == datetime.date(2025, 12, 29)  # the Monday of the campaign's first week
    assert weekly.weeks[-1].start == datetime.date(2026, 6, 8)  # this week
    assert len(weekly.weeks) == 24
    done = {w.start: w.tasks_done for w in weekly.weeks if w.tasks_done}
    accepted = {w.start: w.evidence_accepted for w in weekly.weeks if w.evidence_accepted}
    # T1 completed at 00:30 on Monday 23 March in Shanghai (Sunday in UTC): its week is the 23rd's
    assert done == {datetime.date(2026, 3, 23): 1, datetime.date(2026, 5, 4): 1}
    # E4 (10 Feb), E1 (Sunday 10 May), E6 (3 Jun); E3 was returned, E5 is in the recycle bin
    assert accepted == {datetime.date(2026, 2, 9): 1, datetime.date(2026, 5, 4): 1, datetime.date(2026, 6, 1): 1}
    assert (weekly.weeks[-1].tasks_done_total, weekly.weeks[-1].evidence_accepted_total) == (2, 3)
    assert weeks[datetime.date(2026, 5, 4)].tasks_done_total == 2
    # stages marked at the week they start; the inspection (1 September) is still ahead
    assert [(m.index, m.stage.name) for m in weekly.markers] == [(1, "动员部署"), (5, "组织实施")]


def test_an_offices_weekly_series(world, cast):
    weekly = d.weekly_progress(campaign=world.campaign, user=cast.staff_b, office=cast.office_b, today=TODAY)
    assert (weekly.tasks_done, weekly.evidence_accepted) == (0, 2)


def test_highlights_of_a_period(world, leader):
    h = d.highlights(
        campaign=world.campaign, user=leader, start=datetime.date(2026, 5, 1), end=datetime.date(2026, 6, 10)
    )
    assert [a.title for a in h.activities] == ["专题读书会", "志愿服务进社区"]
    assert h.activities_held == 2
    assert h.tasks_done == 1  # T2 on 6 May
    assert h.evidence_accepted == 2  # E1, E6
    assert [(c, n) for c, _label, n in h.evidence_by_category] == [
        (EvidenceCategory.OFFICIAL_DOCUMENT, 1),
        (EvidenceCategory.PHOTO, 1),
    ]
    june = d.highlights(
        campaign=world.campaign, user=leader, office=world.tasks["T1"].lead_office, start=datetime.date(2026, 6, 1)
    )
    assert [a.title for a in june.activities] == ["志愿服务进社区"]


def test_recent_activity_lists_work_moving_and_only_evidence_the_reader_may_read(world, cast):
    TaskEvent.objects.create(task=world.tasks["T3"], actor=cast.staff_a, action=TaskEvent.Action.PROGRESS, note="进展")
    TaskEvent.objects.create(task=world.tasks["T3"], actor=cast.head_a, action=TaskEvent.Action.UPDATED)
    e2, e6 = world.items["E2"], world.items["E6"]
    EvidenceEvent.objects.create(lineage=e2.lineage, item=e2, actor=cast.staff_a, action=EvidenceEvent.Action.UPLOADED)
    EvidenceEvent.objects.create(lineage=e6.lineage, item=e6, actor=cast.head_b, action=EvidenceEvent.Action.ACCEPTED)
    organ = d.recent_activity(campaign=world.campaign, user=cast.leader)
    assert {(e.kind, e.action) for e in organ} == {
        ("task", TaskEvent.Action.PROGRESS),
        ("evidence", EvidenceEvent.Action.UPLOADED),
        ("evidence", EvidenceEvent.Action.ACCEPTED),
    }  # an edit is not work moving
    staff_b = d.recent_activity(campaign=world.campaign, user=cast.staff_b)
    assert [e.target for e in staff_b if not e.is_task] == [e6]  # E2 is office A's, not linked to B's tasks


def test_awaiting_review_lists_only_evidence_the_reader_may_read(world, cast):
    waiting = d.awaiting_review(campaign=world.campaign, user=cast.staff_b, today=TODAY)
    assert [i.pk for i in waiting.evidence.rows] == [world.items["E4v2"].pk]
    assert waiting.evidence.total == 1


def test_a_reader_without_access_gets_no_figures(world, cast):
    cast.staff_a.is_active = False
    h = d.headline_figures(campaign=world.campaign, user=cast.staff_a, today=TODAY)
    assert (h.tasks.total, h.evidence.submitted) == (0, 0)
    assert d.recent_activity(campaign=world.campaign, user=cast.staff_a) == []


@pytest.mark.parametrize(
    ("overdue", "tasks", "without", "standards", "days", "level"),
    [
        (0, 100, 0, 100, 400, d.Level.ON_TRACK),
        (9, 100, 0, 100, 400, d.Level.ON_TRACK),  # 9% overdue: below OVERDUE_AT_RISK
        (10, 100, 0, 100, 400, d.Level.AT_RISK),  # 10%: at risk
        (24, 100, 0, 100, 400, d.Level.AT_RISK),
        (25, 100, 0, 100, 400, d.Level.OFF_TRACK),  # 25%: off track
        (0, 100, 90, 100, 91, d.Level.ON_TRACK),  # standards without evidence do not count yet 91 days out
        (0, 100, 19, 100, 90, d.Level.ON_TRACK),  # 90 days out: 19% is below UNEVIDENCED_AT_RISK
        (0, 100, 20, 100, 90, d.Level.AT_RISK),  # 20%
        (0, 100, 49, 100, 90, d.Level.AT_RISK),
        (0, 100, 50, 100, 90, d.Level.OFF_TRACK),  # 50%
        (0, 100, 1, 100, 31, d.Level.ON_TRACK),  # one standard without, 31 days out
        (0, 100, 1, 100, 30, d.Level.AT_RISK),  # one standard without, 30 days out
        (0, 100, 19, 100, 30, d.Level.AT_RISK),
        (0, 100, 20, 100, 30, d.Level.OFF_TRACK),  # 20% within the final 30 days
        (0, 100, 1, 100, -5, d.Level.AT_RISK),  # the inspection date has passed
        (0, 100, 90, 100, None, d.Level.ON_TRACK),  # no date known: only the overdue share counts
        (0, 0, 0, 0, 10, d.Level.ON_TRACK),  # nothing yet
    ],
)
def test_the_status_rule_thresholds(overdue, tasks, without, standards, days, level):
    status = d.status_for(overdue=overdue, tasks=tasks, without_evidence=without, standards=standards, days_left=days)
    assert status.level == level
    assert bool(status.reasons) == (level != d.Level.ON_TRACK)


def test_the_thresholds_are_the_named_constants():
    assert (d.OVERDUE_AT_RISK, d.OVERDUE_OFF_TRACK) == (0.10, 0.25)
    assert (d.UNEVIDENCED_AT_RISK, d.UNEVIDENCED_OFF_TRACK) == (0.20, 0.50)
    assert (d.EVIDENCE_WATCH_DAYS, d.FINAL_DAYS) == (90, 30)
    rules = {level: rule for level, _label, rule in d.status_rules()}
    assert "25%" in rules[d.Level.OFF_TRACK] and "90" in rules[d.Level.OFF_TRACK]
    assert "10%" in rules[d.Level.AT_RISK]
