"""Every URL pattern, from the resolver (so views added later are walked too): garbage and integers beyond 64
bits posted and sent by every role never error. The world of objects every walk uses (build_world, OBJECT_OF,
world_url) lives here too. Who gets which answer, role by role and object by object, is
tests/test_access_matrix.py.
"""

import datetime
import re
import uuid
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.db_state import database_state

# Views anyone may open without an account.
PUBLIC = {"login", "healthz", "favicon", "admin:login", "accounts:password_reset", "accounts:password_reset_done"}
# Views a read-only person may POST to: their own session (the campaign their pages show too), password and
# notifications.
OWN_ACCOUNT = {"logout", "password_change", "admin:logout", "campaign:select"}
OWN_PREFIXES = ("notifications:",)

SAMPLE = {
    "int": "987654",
    "id": "987654",
    "str": "nothing-here",
    "slug": "nothing-here",
    "path": "nothing/here",
    "uuid": str(uuid.uuid4()),
}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else "", prefix + str(p.pattern), p


def concrete(route: str) -> str | None:
    """Fill <id:pk>-style converters with values that match nothing; skip regex patterns of the admin."""
    import re

    if route.startswith("^") or "(?P" in route:
        return None

    def fill(m):
        conv = m.group(1) or "str"
        return SAMPLE.get(conv, "x")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def routes():
    seen = []
    for name, route, _p in walk(get_resolver()):
        url = concrete(route)
        # The admin guards itself (administrators only, tested apart); its index stands for it here.
        if url is None or (url.startswith("/admin/") and name != "admin:index"):
            continue
        seen.append(pytest.param(name, url, id=name or url))
    return seen


ROUTES = routes()


def test_the_walk_finds_the_application_urls():
    names = {p.values[0] for p in ROUTES}
    assert {"reports:home", "healthz", "login", "logout"} <= names
    assert len(names) >= 8


# Who gets which answer on every URL, with real objects of office A and office B: tests/test_access_matrix.py
# (its table replaces the anonymous, every-role and leadership walks that were here).


GARBAGE = {
    "version": "not-a-number",
    "note": "x" * 5000,
    "reason": "",
    "tasks": ["abc", "-1"],
    "file": "not a file",
    "status": "🙂",
    "deadline": "2026-13-45",
    "q": "%' OR 1=1 --",
}


@pytest.mark.parametrize(("name", "url"), ROUTES)
def test_garbage_posted_by_every_role_never_errors(cast, campaign, login, name, url):
    for who, user in cast.everyone.items():
        response = login(user).post(url, GARBAGE)
        assert response.status_code < 500, (name, url, who, response.status_code)


# --- Integers beyond 64 bits (issue 11) ------------------------------------------------------------------
# Posted into every integer field of every form the pages show, sent as every integer query parameter and put
# into every integer URL kwarg, as a person allowed to use the form: the answer is a form error or a 404, never
# a 5xx, and nothing is written. The forms come from the pages themselves (their integer fields are the ones
# whose values or options are whole numbers), so a form added later is walked too.

HUGE = [str(2**64), str(-(2**64)), "99999999999999999999999"]
INTEGER = re.compile(r"^-?\d+$")


@pytest.fixture
def world(cast, campaign):
    return build_world(cast, campaign)


def build_world(cast, campaign) -> dict[str, int]:
    """One object of every kind a URL names, arranged so that the coordinator may use every form: the task is
    led by the 办公室 (which the coordinator heads), the evidence is office A's and awaits review."""
    from django.test import TestCase

    from campaign.models import ImportRecord, VetoCondition
    from civunit.notifications.robots import services as robot_services
    from civunit.notifications.robots.models import RobotMessage
    from civunit.notifications.services import notify
    from evidence import services
    from evidence.models import Activity
    from tests.evidence.factories import make_evidence
    from tests.factories import CriterionFactory
    from tests.reports.bulletins_data import draft
    from tests.tasks.factories import TaskFactory

    indicator = CriterionFactory(campaign=campaign, code="6", title="志愿服务", is_leaf=False)
    standard = CriterionFactory(campaign=campaign, code="6.1", parent=indicator, level=2, is_leaf=True)
    veto = VetoCondition.objects.create(campaign=campaign, code="F1", title="发生重大责任事故")
    task = TaskFactory(
        campaign=campaign,
        code="1",
        lead_office=cast.office_main,
        people=[cast.coordinator],
        supporting=[cast.office_a],
        deadline=datetime.date(2026, 12, 31),
    )
    task.standards.set([standard])
    activity = Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务",
        date=datetime.date(2026, 3, 5),
        organiser_office=cast.office_main,
        created_by=cast.coordinator,
    )
    activity.standards.set([standard])
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = make_evidence(
            user=cast.staff_a, campaign=campaign, standards=[standard], tasks=[task], activity=activity
        )
        binned = make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard])
        services.evidence_delete(user=cast.staff_a, item=binned)
    notification = notify(recipient=cast.coordinator, kind="assigned", obj=task, text="1 工作任务 交给你了")
    assert notification is not None
    record = ImportRecord.objects.create(
        campaign=campaign, kind=ImportRecord.Kind.TASKS, user=cast.coordinator, file_name="t.xlsx", sha256="0" * 64
    )
    bulletin = draft(cast, campaign)
    robot = robot_services.robot_save(
        robot=None,
        user=cast.coordinator,
        group="office",
        office=cast.office_a,
        kind="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef",
        secret="SEC0123456789abcdef",
    )
    robot_message = RobotMessage.objects.create(
        robot=robot, kind=RobotMessage.Kind.DIGEST, day=datetime.date(2026, 3, 5), title="t", body={}
    )
    from civunit.jobs.models import Job

    job = Job.objects.create(kind="matrix", requested_by=cast.coordinator)
    import_job = Job.objects.create(kind="evidence_import", requested_by=cast.coordinator, params={"name": "台账.zip"})
    from django.utils import timezone

    from evidence.models import ArchiveCheck

    check = ArchiveCheck.objects.create(started_at=timezone.now(), finished_at=timezone.now(), missing=1)
    from civunit.reports.models import ReadinessFinding
    from civunit.reports.readiness.services import readiness_refresh

    readiness_refresh(campaign=campaign)
    finding = ReadinessFinding.objects.get(rule="no_accepted_evidence", criterion=standard)
    from tests.reports.report.records import make_record

    report_record = make_record(campaign, cast.coordinator)
    return {
        "report_record": report_record.pk,
        "job": job.pk,
        "import_job": import_job.pk,
        "archive_check": check.pk,
        "finding": finding.pk,
        "campaign": campaign.pk,
        "bulletin": bulletin.pk,
        "robot": robot.pk,
        "robot_message": robot_message.pk,
        "criterion": standard.pk,
        "veto": veto.pk,
        "task": task.pk,
        "evidence": item.pk,
        "binned": binned.pk,
        "activity": activity.pk,
        "notification": notification.pk,
        "import": record.pk,
        "person": cast.staff_a.pk,
        "office": cast.office_a.pk,
    }


# Which object of the world an integer URL kwarg names, by URL name (a new URL with an id must be added here).
OBJECT_OF = {
    "campaign:criterion": "criterion",
    "campaign:assessment_save": "criterion",
    "campaign:explanation_save": "criterion",
    "campaign:veto_update": "veto",
    "campaign:make_current": "campaign",
    "campaign:archive": "campaign",
    "campaign:reopen": "campaign",
    "tasks:excel_result": "import",
    "evidence:standard": "criterion",
    "evidence:task": "task",
    "evidence:restore": "binned",
    "evidence:purge": "binned",
    "evidence:activity": "activity",
    "evidence:activity_edit": "activity",
    "evidence:activity_upload": "activity",
    "evidence:import_job": "import_job",
    "evidence:archive_check": "archive_check",
    "notifications:read": "notification",
    "notifications:open": "notification",
    "reports:bulletin": "bulletin",
    "reports:bulletin_pdf": "bulletin",
    "reports:bulletin_edit": "bulletin",
    "reports:bulletin_publish": "bulletin",
    "reports:bulletin_delete": "bulletin",
    "jobs:detail": "job",
    "jobs:status": "job",
    "jobs:download": "job",
    "reports:readiness_rectify": "finding",
    "reports:report_record": "report_record",
    "reports:report_record_pdf": "report_record",
    "reports:report_record_docx": "report_record",
    "reports:report_record_sent": "report_record",
    "robots:detail": "robot",
    "robots:edit": "robot",
    "robots:delete": "robot",
    "robots:test": "robot",
    "robots:resend": "robot_message",
    "accounts:person": "person",
    "accounts:person_edit": "person",
    "accounts:person_deactivate": "person",
    "accounts:person_reactivate": "person",
    "accounts:person_reset_link": "person",
    "accounts:person_force_change": "person",
    "accounts:office_edit": "office",
    "accounts:office_delete": "office",
}


def object_of(name: str) -> str:
    if name in OBJECT_OF:
        return OBJECT_OF[name]
    if name.startswith("tasks:"):
        return "task"
    if name.startswith("evidence:"):
        return "evidence"
    raise KeyError(f"say in OBJECT_OF which object the id in {name}'s URL names")


INT_KWARG = re.compile(r"<(?:int|id):\w+>")


def world_url(name: str, route: str, world: dict) -> str | None:
    """The route with its integer kwarg naming the world's object (None for admin regex routes)."""
    if route.startswith("^") or "(?P" in route:
        return None
    if INT_KWARG.search(route):
        route = INT_KWARG.sub(str(world[object_of(name)]), route)
    return concrete(route)


class FormScraper(HTMLParser):
    """The forms of a page: id, action, method, the names of their integer fields (a select whose options are
    whole numbers, a hidden, number, checkbox or radio input whose value is one, any number input) and of their
    file inputs. Inputs outside a form that name it (form="…") count as its own."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[dict] = []
        self._by_id: dict[str, dict] = {}
        self._form: dict | None = None
        self._select: tuple[dict, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "id": a.get("id") or "",
                "action": a.get("action") or self.page_url,
                "method": (a.get("method") or "get").lower(),
                "ints": set(),
                "files": set(),
            }
            self.forms.append(self._form)
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        if tag == "option":
            if self._select and INTEGER.match(a.get("value") or ""):
                select_form, name = self._select
                select_form["ints"].add(name)
            return
        form = self._by_id.get(a["form"]) if a.get("form") else self._form
        if form is None or not a.get("name"):
            return
        if tag == "select":
            self._select = (form, a["name"])
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form["files"].add(a["name"])
            elif kind == "number" or (kind in ("hidden", "checkbox", "radio") and INTEGER.match(a.get("value") or "")):
                form["ints"].add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


# Forms a page's script sends elsewhere than their action: the upload page's caption fields go with each file
# to the single-file endpoint, and to the "link the existing item instead" URL of a duplicate.
SENT_BY_SCRIPT = {
    "evidence-meta": [("evidence:upload_file", None, True), ("evidence:link_existing", "evidence", False)],
}


def scraped_forms(client, world: dict) -> list[dict]:
    """Every form with an integer field on every page of the world, as the client sees them, keyed by where
    it is sent."""
    forms: dict[tuple[str, str], dict[str, Any]] = {}

    def add(action, method, ints, files):
        merged = forms.setdefault((action, method), {"action": action, "method": method, "ints": set(), "files": set()})
        merged["ints"] |= ints
        merged["files"] |= files

    for name, route, _p in walk(get_resolver()):
        url = world_url(name, route, world)
        if url is None or url.startswith("/admin/") or name == "logout":
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        scraper = FormScraper(url)
        scraper.feed(response.content.decode())
        for form in scraper.forms:
            if not form["ints"]:
                continue
            for target, kind, with_file in SENT_BY_SCRIPT.get(form["id"], []):
                action = reverse(target, args=[world[kind]] if kind else [])
                add(action, "post", form["ints"], {"file"} if with_file else set())
            if form["id"] not in SENT_BY_SCRIPT:
                add(form["action"], form["method"], form["ints"], form["files"])
    return list(forms.values())


# Actions whose integers only say where to go back (the page of the list): they act whatever those say.
ACT_REGARDLESS = {"notifications:read", "notifications:read_all"}
# Integer fields the walk must find on the pages, so that it is known to reach them.
EXPECTED_INTEGER_FIELDS = {
    "tasks",  # task bulk actions, evidence upload, edit and linking
    "people",  # assign, split, bulk assign
    "supporting_offices",
    "standards",  # task form, activities
    "lead_office",
    "primary_standard",
    "other_standards",
    "items",  # evidence review bulk action
    "organiser_office",
    "activity",
    "version",
    "office",
    "due_within",
    "members-0-user",
    "person",  # the audit trail's filter (reports:audit)
}


@pytest.mark.parametrize("huge", HUGE)
def test_integers_beyond_64_bits_in_any_form_are_refused_and_change_nothing(cast, campaign, login, world, huge):
    client = login(cast.coordinator)
    forms = scraped_forms(client, world)
    found = {name for form in forms for name in form["ints"]}
    assert found >= EXPECTED_INTEGER_FIELDS, EXPECTED_INTEGER_FIELDS - found
    for form in forms:
        before = database_state()
        data = {name: [huge] for name in form["ints"]}
        if form["method"] == "get":
            response = client.get(form["action"], data)
        else:
            data.update({name: SimpleUploadedFile("x.jpg", b"not a photo") for name in form["files"]})
            response = client.post(form["action"], data)
        assert response.status_code < 500, (form["action"], sorted(form["ints"]), response.status_code)
        if resolve(form["action"]).view_name not in ACT_REGARDLESS:
            assert database_state() == before, form["action"]


# "²" is a digit to str.isdigit() but not to int().
@pytest.mark.parametrize("huge", [*HUGE, "²"])
def test_integers_beyond_64_bits_in_any_query_parameter_never_error(cast, campaign, login, world, huge):
    client = login(cast.coordinator)
    names = {name for form in scraped_forms(client, world) for name in form["ints"]} | {"page"}
    query = dict.fromkeys(names, huge)
    for name, route, _p in walk(get_resolver()):
        url = world_url(name, route, world)
        if url is None or url.startswith("/admin/") or name == "logout":
            continue
        response = client.get(url, query)
        assert response.status_code < 500, (name, url, response.status_code)


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize(("name", "route"), [(n, r) for n, r, _p in walk(get_resolver()) if INT_KWARG.search(r)])
def test_an_id_beyond_64_bits_in_any_url_is_not_found(cast, campaign, login, name, route, huge):
    url = concrete(INT_KWARG.sub(huge, route))
    client = login(cast.coordinator)
    assert client.get(url).status_code == 404, (name, url)
    assert client.post(url, {}).status_code == 404, (name, url)


def test_no_application_url_takes_an_unbounded_integer():
    """Every integer in an application URL goes through the `id` converter, which refuses what the databases
    cannot store; Django's `int` converter would hand 99999999999999999999999 to the view."""
    from django.urls.converters import IntConverter

    unbounded = [
        name or route
        for name, route, p in walk(get_resolver())
        if any(type(c) is IntConverter for c in getattr(p.pattern, "converters", {}).values())
    ]
    assert unbounded == []


def test_the_id_converter_refuses_numbers_beyond_64_bits():
    from django.urls import Resolver404, resolve

    assert resolve(f"/tasks/{2**63 - 1}/").kwargs == {"pk": 2**63 - 1}
    for number in (2**63, 2**64, 99999999999999999999999):
        with pytest.raises(Resolver404):
            resolve(f"/tasks/{number}/")


# The JSON endpoints a page's script asks (no id in their URL: walked above as every role); each answers every
# role with JSON, whatever the query (tasks:choices: the search-as-you-type choice of a task).
JSON_ENDPOINTS = {
    "tasks:choices": {"q": "%' OR 1=1 --"},
    "campaign:standard_choices": {"q": "%' OR 1=1 --"},
    "evidence:activity_choices": {"q": "%' OR 1=1 --"},
}


@pytest.mark.parametrize("name", sorted(JSON_ENDPOINTS))
def test_json_endpoints_answer_every_role_with_json(cast, campaign, login, name):
    for who, user in cast.everyone.items():
        response = login(user).get(reverse(name), JSON_ENDPOINTS[name])
        assert response.status_code == 200 and response["Content-Type"] == "application/json", (name, who)
        assert response.json()["results"] == [], (name, who)
