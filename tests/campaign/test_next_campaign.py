"""Starting the next campaign from the current one: it copies what was asked and nothing else, the stages' and
deadlines' dates move into the new campaign's, the preview writes nothing, the command prints the new id, and every
start and switch is recorded."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from campaign import succession
from campaign.models import (
    Assessment,
    Campaign,
    CampaignEvent,
    Criterion,
    CriterionRequirement,
    Explanation,
    ImportRecord,
    LeadershipMember,
    Plan,
    Stage,
    VetoCondition,
    WorkArea,
)
from tests.campaign.conftest import tree_signature
from tests.db_state import database_state

D = datetime.date
EVERYTHING = frozenset({"plan", "leadership", "criteria", "tasks"})


def _rows_of(campaign: Campaign) -> dict[str, int]:
    """How many rows of each kind hang from a campaign (its own data, the apps above included)."""
    from evidence.models import Activity, EvidenceItem
    from tasks.models import Task, TaskEvent

    return {
        "plan": Plan.objects.filter(campaign=campaign).count(),
        "stages": Stage.objects.filter(campaign=campaign).count(),
        "work_areas": WorkArea.objects.filter(campaign=campaign).count(),
        "leadership": LeadershipMember.objects.filter(campaign=campaign).count(),
        "criteria": Criterion.objects.filter(campaign=campaign).count(),
        "requirements": CriterionRequirement.objects.filter(criterion__campaign=campaign).count(),
        "veto": VetoCondition.objects.filter(campaign=campaign).count(),
        "assessments": Assessment.objects.filter(criterion__campaign=campaign).count(),
        "explanations": Explanation.objects.filter(criterion__campaign=campaign).count(),
        "imports": ImportRecord.objects.filter(campaign=campaign).count(),
        "tasks": Task.objects.filter(campaign=campaign).count(),
        "task_events": TaskEvent.objects.filter(task__campaign=campaign).count(),
        "evidence": EvidenceItem.objects.filter(campaign=campaign).count(),
        "activities": Activity.objects.filter(campaign=campaign).count(),
        "bulletins": campaign.bulletins.count(),
    }


def _spec(*, title: str = "2029年复查", copy: frozenset[str] = frozenset()) -> succession.NextCampaign:
    return succession.NextCampaign(
        title=title,
        target=Campaign.Target.NATIONAL_REVIEW,
        start_date=D(2029, 1, 1),
        end_date=D(2029, 12, 31),
        copy=copy,
    )


# --- From the demo ------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_a_campaign_started_from_the_demo_copies_what_was_asked_and_nothing_else(settings):
    from tasks.models import Status, Task

    settings.DEBUG = True
    call_command("seed_demo")
    demo = Campaign.objects.current()
    assert demo is not None
    source_rows = _rows_of(demo)
    assert source_rows["evidence"] and source_rows["assessments"] and source_rows["tasks"]  # a demo worth copying
    before = database_state()

    # everything that can be copied
    full, counts = succession.campaign_start_next(source=demo, user=None, spec=_spec(copy=EVERYTHING))
    rows = _rows_of(full)
    for part in ("plan", "stages", "work_areas", "leadership", "criteria", "requirements", "veto"):
        assert rows[part] == source_rows[part], part
    assert tree_signature(full) == tree_signature(demo)
    open_tasks = Task.objects.filter(campaign=demo).exclude(status=Status.DONE)
    assert 0 < rows["tasks"] <= open_tasks.count() < source_rows["tasks"]
    assert counts["tasks"] == rows["tasks"]
    # ... and nothing else: no self-assessment, explanation, import record, evidence, activity or bulletin
    assert rows["assessments"] == rows["explanations"] == rows["imports"] == 0
    assert rows["evidence"] == rows["activities"] == rows["bulletins"] == 0
    assert set(Task.objects.filter(campaign=full).values_list("status", flat=True)) == {Status.NOT_STARTED}
    assert set(VetoCondition.objects.filter(campaign=full).values_list("status", flat=True)) == {"clear"}
    # the new tasks keep their standards, found by code in the copied table, and their offices and people
    for new in Task.objects.filter(campaign=full).prefetch_related("standards", "responsible_people"):
        old = Task.objects.get(campaign=demo, code=new.code)
        assert old.status != Status.DONE
        assert sorted(c.code for c in new.standards.all()) == sorted(c.code for c in old.standards.all())
        assert {c.campaign_id for c in new.standards.all()} <= {full.pk}
        assert new.lead_office_id == old.lead_office_id
        assert {p.pk for p in new.responsible_people.all()} == {p.pk for p in old.responsible_people.all()}
        if old.deadline:
            assert new.deadline is not None and full.start_date <= new.deadline <= full.end_date
    # the stages keep their order and fall within the new dates, the inspection at the end
    stages = list(Stage.objects.filter(campaign=full).order_by("ordering"))
    assert all(full.start_date <= s.start_date <= (s.end_date or s.start_date) <= full.end_date for s in stages)
    assert [s.name for s in stages] == list(
        Stage.objects.filter(campaign=demo).order_by("ordering").values_list("name", flat=True)
    )
    assert [s.start_date for s in stages] == sorted(s.start_date for s in stages)
    assert stages[-1].is_inspection and stages[-1].end_date == full.end_date
    # in planning, not current; the start is recorded
    assert full.status == Campaign.Status.PLANNING and not full.is_current
    assert Campaign.objects.current() == demo
    event = CampaignEvent.objects.get(campaign=full)
    assert event.action == CampaignEvent.Action.STARTED and event.details["from"] == demo.pk

    # only the leadership group: nothing but the leadership group
    lean, counts = succession.campaign_start_next(
        source=demo, user=None, spec=_spec(title="只带领导小组", copy=frozenset({"leadership"}))
    )
    rows = _rows_of(lean)
    assert rows["leadership"] == source_rows["leadership"]
    assert counts == {"leadership": source_rows["leadership"]}
    assert {k: v for k, v in rows.items() if k != "leadership"} == dict.fromkeys(rows.keys() - {"leadership"}, 0)

    # the demo itself is untouched, and nothing was added to the tables nothing was asked of
    after = database_state()
    for label in ("campaign.Campaign", "campaign.Criterion", "campaign.Stage", "tasks.Task"):
        assert [r for r in after[label] if demo.pk in (r.get("campaign_id"), r.get("id"))] == [
            r for r in before[label] if demo.pk in (r.get("campaign_id"), r.get("id"))
        ], label
    for label in ("campaign.Assessment", "campaign.Explanation", "evidence.EvidenceItem", "evidence.StoredFile"):
        assert after[label] == before[label], label


# --- Small campaigns ------------------------------------------------------------------------------------------------


@pytest.fixture
def source(cast, campaign):
    """The current campaign with a plan, two stages, a work area, a leader, two standards and three tasks (one done)."""
    from tasks.models import Status
    from tests.factories import CriterionFactory
    from tests.tasks.factories import TaskFactory

    Plan.objects.create(campaign=campaign, goals="创建目标")
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.MOBILISATION,
        name="动员",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 1, 31),
        ordering=10,
    )
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.INSPECTION,
        name="迎检",
        start_date=D(2027, 11, 1),
        end_date=D(2027, 12, 31),
        ordering=20,
    )
    area = WorkArea.objects.create(campaign=campaign, name="学习教育")
    LeadershipMember.objects.create(
        campaign=campaign, name="赵国强", role=LeadershipMember.Role.LEADER, user=cast.leader
    )
    item = CriterionFactory(campaign=campaign, code="1", is_leaf=False)
    standard = CriterionFactory(campaign=campaign, code="1.1", parent=item, level=2)
    CriterionRequirement.objects.create(criterion=standard, category="photo", min_count=3)
    Assessment.objects.create(criterion=standard, status=Assessment.Status.MET)
    open_task = TaskFactory(
        campaign=campaign,
        code="1",
        lead_office=cast.office_a,
        work_area=area,
        deadline=D(2027, 1, 1),
        people=[cast.staff_a],
    )
    open_task.standards.set([standard])
    TaskFactory(campaign=campaign, code="1.1", parent=open_task, lead_office=cast.office_a)
    TaskFactory(campaign=campaign, code="2", lead_office=cast.office_b, status=Status.DONE)
    return campaign


def test_the_dates_of_the_old_schedule_are_laid_over_the_new_ones():
    dates = succession.DateMap(
        source_start=D(2026, 1, 1), source_end=D(2027, 12, 31), start=D(2029, 1, 1), end=D(2029, 12, 31)
    )
    assert dates(D(2026, 1, 1)) == D(2029, 1, 1)
    assert dates(D(2027, 12, 31)) == D(2029, 12, 31)
    assert dates(D(2027, 1, 1)) == D(2029, 7, 2)  # half way through two years: half way through one
    assert dates(D(2020, 5, 5)) == D(2029, 1, 1) and dates(D(2031, 5, 5)) == D(2029, 12, 31)  # outside: clamped
    assert dates(None) is None


def test_only_the_parts_asked_for_are_copied(source, cast):
    from tasks.models import Task

    campaign, counts = succession.campaign_start_next(
        source=source, user=cast.coordinator, spec=_spec(copy=frozenset({"plan", "tasks"}))
    )
    rows = _rows_of(campaign)
    assert rows["plan"] == 1 and rows["stages"] == 2 and rows["work_areas"] == 1
    assert rows["leadership"] == rows["criteria"] == rows["veto"] == 0
    assert rows["tasks"] == 2  # the open task and its open sub-task; the done one stays behind
    new = Task.objects.get(campaign=campaign, code="1")
    assert new.standards.count() == 0  # the criteria were not copied: no standard to link to
    assert new.work_area is not None
    assert new.work_area.campaign_id == campaign.pk and new.work_area.name == "学习教育"
    assert Task.objects.get(campaign=campaign, code="1.1").parent_id == new.pk
    assert counts == {"plan": 4, "tasks": 2}


def test_the_preview_says_what_will_be_created_and_writes_nothing(source, cast, login):
    client = login(cast.coordinator)
    url = reverse("campaign:campaign_new")
    assert client.get(url).status_code == 200
    data = {
        "title": "2028年复查",
        "target": Campaign.Target.NATIONAL_REVIEW,
        "start_date": "2028-01-01",
        "end_date": "2028-12-31",
        "copy": ["plan", "criteria", "tasks"],
        "preview": "1",
    }
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="next-campaign-preview"' in page
    assert "2027-11-01–2027-12-31 调整为 2028-12-01–2028-12-31" in page  # the inspection closes the new year
    assert 'data-part="tasks"' in page and 'data-part="leadership"' not in page
    assert database_state() == before
    data.pop("preview")
    data["confirm"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    new = Campaign.objects.get(title="2028年复查")
    assert _rows_of(new)["criteria"] == 2 and _rows_of(new)["leadership"] == 0
    assert CampaignEvent.objects.get(campaign=new).actor == cast.coordinator


@pytest.mark.parametrize(
    ("field", "value"),
    [("end_date", "2027-12-31"), ("target", "nowhere"), ("title", ""), ("start_date", "2028-13-45")],
)
def test_bad_input_on_the_page_is_refused_with_a_message_and_changes_nothing(source, cast, login, field, value):
    data = {
        "title": "2028年复查",
        "target": Campaign.Target.NATIONAL_REVIEW,
        "start_date": "2028-01-01",
        "end_date": "2028-12-31",
        "confirm": "1",
        field: value,
    }
    client = login(cast.coordinator)
    before = database_state()
    response = client.post(reverse("campaign:campaign_new"), data)
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode() or "alert" in response.content.decode()
    assert database_state() == before


def test_only_the_coordinator_starts_a_campaign(source, cast, login):
    for who in ("leader", "head_a", "staff_a"):
        client = login(getattr(cast, who))
        assert client.get(reverse("campaign:campaign_new")).status_code == 403
        assert client.post(reverse("campaign:campaign_new"), {"confirm": "1"}).status_code == 403
        assert client.get(reverse("campaign:campaigns")).status_code == 403


def test_the_command_prints_the_new_id_and_makes_it_current_when_asked(source, capsys):
    call_command(
        "new_campaign",
        "--title",
        "2028年复查",
        "--target",
        "national_review",
        "--start",
        "2028-01-01",
        "--end",
        "2028-12-31",
        "--copy",
        "plan,leadership,criteria,tasks",
        "--make-current",
    )
    out = capsys.readouterr().out.strip()
    new = Campaign.objects.get(pk=int(out))
    assert new.title == "2028年复查" and new.is_current and new.status == Campaign.Status.ACTIVE
    assert new.target == Campaign.Target.NATIONAL_REVIEW
    assert _rows_of(new)["tasks"] == 2 and _rows_of(new)["leadership"] == 1
    source.refresh_from_db()
    assert not source.is_current
    actions = list(CampaignEvent.objects.filter(campaign=new).order_by("pk").values_list("action", "source"))
    assert actions == [(CampaignEvent.Action.STARTED, "command"), (CampaignEvent.Action.MADE_CURRENT, "command")]
    made_current = CampaignEvent.objects.get(campaign=new, action=CampaignEvent.Action.MADE_CURRENT)
    assert made_current.details["previous"] == source.pk


@pytest.mark.parametrize(
    "args",
    [
        ["--target", "nowhere", "--start", "2028-01-01", "--end", "2028-12-31"],
        ["--target", "national", "--start", "2028-01-01", "--end", "2027-12-31"],
        ["--target", "national", "--start", "2028-02-30", "--end", "2028-12-31"],
        ["--target", "national", "--start", "2028-01-01", "--end", "2028-12-31", "--copy", "evidence"],
    ],
)
def test_the_command_refuses_bad_input_and_creates_nothing(source, args):
    before = Campaign.objects.count()
    with pytest.raises(CommandError):
        call_command("new_campaign", "--title", "T", *args)
    assert Campaign.objects.count() == before
