"""The authorization matrix: every URL pattern, as every role, against an object of office A and one of office B,
with GET and POST, checked against ONE table of expected answers (EXPECTED below).

- The patterns come from the resolver (tests/test_url_matrix.py walks it): a URL added later fails here until
  its row is written, and a row whose URL is gone fails too.
- The ids in the URLs name real objects of a shared world: office A's and office B's task, evidence item, binned
  item, activity, notification, robot and robot message, person and office. Kinds that belong to no office (the
  campaign, a criterion, a bulletin...) have one object, and their cells hold one answer.
- An object outside a person's reach must answer exactly like a missing one (the same status and the same page,
  compared with the same URL naming an id that does not exist): a 404 never tells that something is there. A
  missing id answers 404, or what the objects answer when the person is refused before any lookup.
- Every request runs in a savepoint rolled back after it, so a POST that starts a task or deletes an item leaves
  the world as it was for the next one; on-commit work (mail, robots, jobs) never runs.

The world is built once per module (and per xdist worker), inside a transaction rolled back at the end.

Reading the table: one line per URL and method; a cell is the status code for both objects, or "A/B" when the
object of office A and the object of office B answer differently. The columns are the roles of the cast
(tests/conftest.py): anonymous, staff and head of office A (研究室), staff and head of office B, the coordinator
(who also heads the 办公室), leadership (read-only) and an administrator.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client, TestCase, override_settings
from django.urls import get_resolver

from tests.conftest import TEST_SETTINGS, Cast, make_cast
from tests.factories import CampaignFactory
from tests.test_url_matrix import OBJECT_OF, PUBLIC, SAMPLE, build_world, concrete, walk

ROLES = ("anon", "staff_a", "head_a", "staff_b", "head_b", "coord", "leader", "admin")
METHODS = ("GET", "POST")

# fmt: off
EXPECTED = """
# URL name                          method anon  staff_a  head_a   staff_b  head_b   coord  leader admin
reports:home                        GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:workbench                   GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:dashboard                   GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:dashboard_print             GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:bulletins                   GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:bulletin_create             GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
reports:bulletin                    GET    302   404      404      404      404      200    404    200
                                    POST   302   405      405      405      405      405    405    405
reports:bulletin_pdf                GET    302   404      404      404      404      404    404    404
                                    POST   302   405      405      405      405      405    405    405
reports:bulletin_edit               GET    302   404      404      404      404      200    404    200
                                    POST   302   404      404      404      404      200    404    200
reports:bulletin_publish            GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      302    404    302
reports:bulletin_delete             GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      302    404    302
reports:readiness                   GET    302   403      200      403      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:readiness_export            GET    302   403      200      403      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:readiness_recheck           GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
reports:readiness_rectify           GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      302    403    302
healthz                             GET    200   200      200      200      200      200    200    200
                                    POST   405   405      405      405      405      405    405    405
favicon                             GET    301   301      301      301      301      301    301    301
                                    POST   405   405      405      405      405      405    405    405
login                               GET    200   302      302      302      302      302    302    302
                                    POST   200   302      302      302      302      302    302    302
logout                              GET    302   405      405      405      405      405    405    405
                                    POST   302   302      302      302      302      302    302    302
password_change                     GET    302   200      200      200      200      200    200    200
                                    POST   302   200      200      200      200      200    200    200
password_change_done                GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
admin:index                         GET    302   302      302      302      302      302    302    200
                                    POST   302   302      302      302      302      302    302    200
accounts:people                     GET    302   403      403      403      403      403    403    200
                                    POST   302   405      405      405      405      405    405    405
accounts:person_add                 GET    302   403      403      403      403      403    403    200
                                    POST   302   403      403      403      403      403    403    200
accounts:person                     GET    302   404      404      404      404      404    404    200
                                    POST   302   405      405      405      405      405    405    405
accounts:person_edit                GET    302   404      404      404      404      404    404    200
                                    POST   302   404      404      404      404      404    404    200
accounts:person_deactivate          GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      404    404    302
accounts:person_reactivate          GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      404    404    302
accounts:person_reset_link          GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      404    404    200
accounts:person_force_change        GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      404    404    302
accounts:offices                    GET    302   403      403      403      403      403    403    200
                                    POST   302   405      405      405      405      405    405    405
accounts:office_add                 GET    302   403      403      403      403      403    403    200
                                    POST   302   403      403      403      403      403    403    200
accounts:office_edit                GET    302   404      404      404      404      404    404    200
                                    POST   302   404      404      404      404      404    404    200
accounts:office_delete              GET    302   404      404      404      404      404    404    200
                                    POST   302   404      404      404      404      404    404    302
accounts:password_reset             GET    200   200      200      200      200      200    200    200
                                    POST   200   200      200      200      200      200    200    200
accounts:password_reset_done        GET    200   200      200      200      200      200    200    200
                                    POST   405   405      405      405      405      405    405    405
campaign:plan                       GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
campaign:plan_edit                  GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
campaign:criteria                   GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
campaign:criterion                  GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
campaign:assessment_save            GET    302   405      405      405      405      405    405    405
                                    POST   302   403      400      403      400      400    403    400
campaign:explanation_save           GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      403    403    403
campaign:self_assessment_xlsx       GET    302   403      200      403      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
campaign:veto                       GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
campaign:veto_update                GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
campaign:manage                     GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
campaign:criteria_import            GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      400    403    400
campaign:criteria_export_xlsx       GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
campaign:criteria_export_json       GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
campaign:campaigns                  GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
campaign:campaign_new               GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      400    403    400
campaign:make_current               GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
campaign:archive                    GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
campaign:reopen                     GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
campaign:select                     GET    302   405      405      405      405      405    405    405
                                    POST   302   302      302      302      302      302    302    302
tasks:list                          GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
tasks:mine                          GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
tasks:office                        GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
tasks:bulk                          GET    302   405      405      405      405      405    405    405
                                    POST   302   403      302      403      302      302    403    403
tasks:create                        GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
tasks:detail                        GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
tasks:start                         GET    302   405      405      405      405      405    405    405
                                    POST   302   302/403  302/403  403/302  403/302  403    403    403
tasks:check_off                     GET    302   405      405      405      405      405    405    405
                                    POST   302   403      302/403  403      403/302  403    403    403
tasks:accept                        GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
tasks:return                        GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
tasks:resume                        GET    302   405      405      405      405      405    405    405
                                    POST   302   302/403  302/403  403/302  403/302  403    403    403
tasks:progress                      GET    302   405      405      405      405      405    405    405
                                    POST   302   302/403  302/403  403/302  403/302  403    403    403
tasks:split                         GET    302   403      200/403  403      403/200  403    403    403
                                    POST   302   403      200/403  403      403/200  403    403    403
tasks:assign                        GET    302   403      200/403  403      403/200  403    403    403
                                    POST   302   403      302/403  403      403/302  403    403    403
tasks:edit                          GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
tasks:excel_import                  GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
tasks:excel_preview                 GET    302   403      403      403      403      302    403    302
                                    POST   302   405      405      405      405      405    405    405
tasks:excel_apply                   GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
tasks:excel_result                  GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
tasks:excel_export                  GET    302   403      200      403      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:browse                     GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:standards_tree             GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:index_xlsx                 GET    302   403      200      403      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:upload                     GET    302   200      200      200      200      200    403    200
                                    POST   302   405      405      405      405      405    405    405
evidence:upload_file                GET    302   405      405      405      405      405    405    405
                                    POST   302   400      400      400      400      400    403    400
evidence:upload_link                GET    302   405      405      405      405      405    405    405
                                    POST   302   302      302      302      302      302    403    302
evidence:link_existing              GET    302   405      405      405      405      405    405    405
                                    POST   302   400/404  400/404  404/400  404/400  400    403    400
evidence:import                     GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
evidence:import_upload              GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      400    403    400
evidence:import_job                 GET    302   404      404      404      404      200    404    200
                                    POST   302   405      405      405      405      405    405    405
evidence:mine                       GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:standard                   GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:task                       GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:detail                     GET    302   200/404  200/404  404/200  404/200  200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:download                   GET    302   200/404  200/404  404/200  404/200  200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:preview                    GET    302   200/404  200/404  404/200  404/200  200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:link_into_current          GET    302   405      405      405      405      405    405    405
                                    POST   302   302/404  302/404  404/302  404/302  302    403    302
evidence:review                     GET    302   200      200      200      200      200    403    200
                                    POST   302   405      405      405      405      405    405    405
evidence:review_bulk                GET    302   405      405      405      405      405    405    405
                                    POST   302   302      302      302      302      302    403    302
evidence:accept                     GET    302   405      405      405      405      405    405    405
                                    POST   302   403/404  302/404  404/403  404/302  302    403    302
evidence:return                     GET    302   405      405      405      405      405    405    405
                                    POST   302   403/404  302/404  404/403  404/302  302    403    302
evidence:versions                   GET    302   200/404  200/404  404/200  404/200  200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:edit                       GET    302   200/404  200/404  404/200  404/200  200    403    200
                                    POST   302   200/404  200/404  404/200  404/200  200    403    200
evidence:replace_form               GET    302   200/404  200/404  404/200  404/200  200    403    200
                                    POST   302   405      405      405      405      405    405    405
evidence:replace                    GET    302   405      405      405      405      405    405    405
                                    POST   302   302/404  302/404  404/302  404/302  302    403    302
evidence:delete                     GET    302   405      405      405      405      405    405    405
                                    POST   302   302/404  302/404  404/302  404/302  302    403    302
evidence:recycle_bin                GET    302   403      403      403      403      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:restore                    GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
evidence:purge                      GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
evidence:activities                 GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:activity_create            GET    302   200      200      200      200      200    403    200
                                    POST   302   200      200      200      200      200    403    200
evidence:activity                   GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:activity_edit              GET    302   200/403  200/403  403/200  403/200  200    403    200
                                    POST   302   200/403  200/403  403/200  403/200  200    403    200
evidence:activity_upload            GET    302   405      405      405      405      405    405    405
                                    POST   302   302      302      302      302      302    403    302
evidence:archive                    GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
evidence:archive_export             GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      400    403    400
evidence:archive_check              GET    302   404      404      404      404      200    404    200
                                    POST   302   405      405      405      405      405    405    405
jobs:detail                         GET    302   404      404      404      404      200    404    200
                                    POST   302   405      405      405      405      405    405    405
jobs:status                         GET    302   404      404      404      404      200    404    200
                                    POST   302   405      405      405      405      405    405    405
jobs:download                       GET    302   404      404      404      404      404    404    404
                                    POST   302   405      405      405      405      405    405    405
notifications:list                  GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
notifications:read                  GET    302   405      405      405      405      405    405    405
                                    POST   302   302/404  404      404/302  404      404    404    404
notifications:read_all              GET    302   405      405      405      405      405    405    405
                                    POST   302   302      302      302      302      302    302    302
notifications:open                  GET    302   405      405      405      405      405    405    405
                                    POST   302   302/404  404      404/302  404      404    404    404
notifications:preferences           GET    302   200      200      200      200      200    200    200
                                    POST   302   302      302      302      302      302    302    302
robots:list                         GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
robots:add                          GET    302   403      403      403      403      200    403    200
                                    POST   302   403      403      403      403      200    403    200
robots:detail                       GET    302   404      404      404      404      200    404    200
                                    POST   302   405      405      405      405      405    405    405
robots:edit                         GET    302   404      404      404      404      200    404    200
                                    POST   302   404      404      404      404      200    404    200
robots:delete                       GET    302   404      404      404      404      200    404    200
                                    POST   302   404      404      404      404      200    404    200
robots:test                         GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      302    404    302
robots:resend                       GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      302    404    302
reports:audit                       GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
reports:audit_export                GET    302   403      403      403      403      200    403    200
                                    POST   302   405      405      405      405      405    405    405
reports:report                      GET    302   403      403      403      403      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:report_start                GET    302   405      405      405      405      405    405    405
                                    POST   302   403      403      403      403      302    403    302
reports:report_record               GET    302   404      404      404      404      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:report_record_pdf           GET    302   404      404      404      404      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:report_record_docx          GET    302   404      404      404      404      200    200    200
                                    POST   302   405      405      405      405      405    405    405
reports:report_record_sent          GET    302   405      405      405      405      405    405    405
                                    POST   302   404      404      404      404      302    403    302
tasks:choices                       GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
campaign:standard_choices           GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
evidence:activity_choices           GET    302   200      200      200      200      200    200    200
                                    POST   302   405      405      405      405      405    405    405
"""
# fmt: on


def parse(table: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """{(URL name, method): one cell per role}; a line that starts with spaces continues the URL above."""
    rows: dict[tuple[str, str], tuple[str, ...]] = {}
    name = ""
    for line in table.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = line.split()
        if not line[0].isspace():
            name, words = words[0], words[1:]
        method, cells = words[0], tuple(words[1:])
        assert method in METHODS and len(cells) == len(ROLES), line
        assert (name, method) not in rows, f"{name} {method} is in the table twice"
        rows[name, method] = cells
    return rows


def rolled_back() -> transaction.Atomic:
    """A transaction block rolled back at its end (set_rollback); marked as the test case's own, as Django's
    TestCase marks its blocks, so that the durable blocks of the services inside still run."""
    block = transaction.atomic()
    block._from_testcase = True  # type: ignore[attr-defined]
    return block


# --- The world ---------------------------------------------------------------------------------------------

INT_KWARG = re.compile(r"<(?:int|id):\w+>")
# Which object the id of a URL names: the URL matrix's table (by URL name; else by its app, as below).
BY_PREFIX = {
    "tasks:": "task",
    "evidence:": "evidence",
    "notifications:": "notification",
    "reports:bulletin": "bulletin",
    "jobs:": "job",
    "robots:": "robot",
    "accounts:person": "person",
}
# Other converters: a real value where one exists, else the matrix's value that matches nothing.
OTHER_KWARGS = {"evidence:preview": {"variant": "thumbnail"}}


def object_of(name: str) -> str:
    if name in OBJECT_OF:
        return OBJECT_OF[name]
    for prefix, kind in BY_PREFIX.items():
        if name.startswith(prefix):
            return kind
    raise KeyError(f"say in OBJECT_OF which object the id in {name}'s URL names")


def url_for(name: str, route: str, pk: int | str | None) -> str | None:
    for kwarg, value in OTHER_KWARGS.get(name, {}).items():
        route = re.sub(rf"<(?:\w+:)?{kwarg}>", value, route)
    if pk is not None:
        route = INT_KWARG.sub(str(pk), route)
    return concrete(route)


def matrix_routes() -> list:
    found = []
    for name, route, _p in walk(get_resolver()):
        if route.startswith("^") or "(?P" in route or (route.startswith("admin/") and name != "admin:index"):
            continue
        found.append(pytest.param(name, route, id=name))
    return found


ROUTES = matrix_routes()


@dataclass
class World:
    cast: Cast
    # kind → (office A's object, office B's); kinds of no office name one object twice
    objects: dict[str, tuple[int, int]]
    clients: dict[str, Client]
    # (kind, pk) → the version a form about that object must post (optimistic locking)
    versions: dict[tuple[str, int], int]


def build_ab_world(cast: Cast, campaign) -> dict[str, tuple[int, int]]:
    """An object of office A and one of office B of every kind that belongs to an office, on top of the URL
    matrix's world (tests/test_url_matrix.py) for the kinds that belong to none."""
    from campaign.models import Criterion
    from civunit.jobs.models import Job
    from civunit.notifications.robots import services as robot_services
    from civunit.notifications.robots.models import RobotMessage
    from civunit.notifications.services import notify
    from evidence import services
    from evidence.binder.jobs import KIND as BINDER_KIND
    from evidence.models import Activity
    from tests.evidence.factories import make_evidence
    from tests.tasks.factories import TaskFactory

    shared = build_world(cast, campaign)
    # The shared world's job is of no registered kind (nobody reads it): a binder, the coordinator's, instead.
    shared["job"] = Job.objects.create(kind=BINDER_KIND, requested_by=cast.coordinator).pk
    standard = Criterion.objects.get(pk=shared["criterion"])
    objects: dict[str, tuple[int, int]] = {kind: (pk, pk) for kind, pk in shared.items()}
    for key, office, staff in (("a", cast.office_a, cast.staff_a), ("b", cast.office_b, cast.staff_b)):
        task = TaskFactory(
            campaign=campaign, code=f"2.{key}", lead_office=office, people=[staff], deadline=datetime.date(2026, 12, 31)
        )
        task.standards.set([standard])
        activity = Activity.objects.create(
            campaign=campaign, title=f"活动{key}", date=datetime.date(2026, 3, 5), organiser_office=office,
            created_by=staff,
        )  # fmt: skip
        activity.standards.set([standard])
        with TestCase.captureOnCommitCallbacks(execute=True):
            item = make_evidence(user=staff, campaign=campaign, standards=[standard], tasks=[task], activity=activity)
            binned = make_evidence(user=staff, campaign=campaign, standards=[standard])
            services.evidence_delete(user=staff, item=binned)
        notification = notify(recipient=staff, kind="assigned", obj=task, text="工作任务交给你了")
        assert notification is not None
        robot = robot_services.robot_save(
            robot=None,
            user=cast.coordinator,
            group="office",
            office=office,
            kind="dingtalk",
            url=f"https://oapi.dingtalk.com/robot/send?access_token={key * 32}",
            secret="SEC0123456789abcdef",
        )
        message = RobotMessage.objects.create(
            robot=robot, kind=RobotMessage.Kind.DIGEST, day=datetime.date(2026, 3, 5), title="t", body={}
        )
        for kind, pk in (
            ("task", task.pk),
            ("activity", activity.pk),
            ("evidence", item.pk),
            ("binned", binned.pk),
            ("notification", notification.pk),
            ("robot", robot.pk),
            ("robot_message", message.pk),
            ("person", staff.pk),
            ("office", office.pk),
        ):
            objects[kind] = (pk, pk) if key == "a" else (objects[kind][0], pk)
    return objects


def versioned_models() -> dict:
    from civunit.reports.models import Bulletin
    from evidence.models import EvidenceItem
    from tasks.models import Task

    return {"task": Task, "evidence": EvidenceItem, "binned": EvidenceItem, "bulletin": Bulletin}


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture
def _media_root(settings, media_dir):
    """The world's files stay where the module's world put them (conftest's _media_root is per test)."""
    settings.MEDIA_ROOT = media_dir / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(media_dir / "upload-tmp")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_dir) -> Iterator[World]:
    (media_dir / "media").mkdir()
    (media_dir / "upload-tmp").mkdir()
    with django_db_blocker.unblock(), rolled_back():
        with override_settings(
            **TEST_SETTINGS, MEDIA_ROOT=media_dir / "media", FILE_UPLOAD_TEMP_DIR=str(media_dir / "upload-tmp")
        ):
            cast = make_cast()
            objects = build_ab_world(cast, CampaignFactory())
        clients = {"anon": Client()}
        for role, user in zip(ROLES[1:], cast.everyone.values(), strict=True):
            clients[role] = Client()
            clients[role].force_login(user)
        versions = {}
        for kind, model in versioned_models().items():
            for pk in set(objects[kind]):
                versions[kind, pk] = model.objects.get(pk=pk).version
        yield World(cast=cast, objects=objects, clients=clients, versions=versions)
        transaction.set_rollback(True)


# --- Asking ------------------------------------------------------------------------------------------------

NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
]


# What every POST sends: the fields the workflow forms need, so that a POST reaches the permission check of the
# action (an empty form would be refused before it, the same for everyone), plus the object's version.
BODY = {"note": "矩阵测试", "reason": "矩阵测试退回", "text": "矩阵测试进展"}


def ask(client: Client, method: str, url: str, version: int = 1):
    """One request, its changes rolled back; the page's own tokens and URL taken out, to compare pages."""
    cache.clear()  # the download throttle counts 404s
    client.cookies.pop("messages", None)
    cookies = client.cookies
    client.cookies = SimpleCookie(cookies)  # a logout or a login changes the session: the next request has ours
    with rolled_back():
        response = client.get(url) if method == "GET" else client.post(url, {**BODY, "version": version})
        transaction.set_rollback(True)
    client.cookies = cookies
    if response.streaming:  # a file: its status says enough (a 404 is never streamed)
        # closing sends request_finished, which would close the database connection and with it the world's
        # transaction: the test client keeps it connected the same way while it handles a request
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        return response, ""
    body = response.content.decode(errors="replace")
    for path in (url, quote(url, safe="")):
        body = body.replace(path, "URL")
    for pattern, replacement in NORMALISE:
        body = pattern.sub(replacement, body)
    return response, body


def observe(world: World, name: str, route: str) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """The answers of every role to GET and POST ({method: cells}), and what broke the rules that hold
    whatever the table says (hidden objects answering like missing ones, login redirects)."""
    has_id = bool(INT_KWARG.search(route))
    kind = object_of(name) if has_id else ""
    pks: tuple[int | None, ...] = world.objects[kind] if has_id else (None,)
    if len(set(pks)) == 1:
        pks = pks[:1]
    problems: list[str] = []
    rows: dict[str, tuple[str, ...]] = {}
    for method in METHODS:
        cells = []
        for role in ROLES:
            client = world.clients[role]
            codes = []
            # the same URL naming nothing: 404, or what the objects answer when the person is refused before any
            # lookup (403, 405, a login redirect)
            missing = ask(client, method, url_for(name, route, SAMPLE["id"]) or "") if has_id else None
            for pk in pks:
                url = url_for(name, route, pk) or ""
                response, body = ask(client, method, url, world.versions.get((kind, pk or 0), 1))
                codes.append(str(response.status_code))
                if (
                    role == "anon"
                    and name not in PUBLIC
                    and response.status_code == 302
                    and "/login/" not in response["Location"]  # the admin has its own login page
                ):
                    problems.append(f"{method} {url} as anon: sent to {response['Location']}, not to login")
                if missing is None:
                    continue
                if response.status_code == 404 and (missing[0].status_code != 404 or missing[1] != body):
                    problems.append(f"{method} {url} as {role}: a 404 unlike a missing id's")
                if missing[0].status_code not in (404, response.status_code):
                    problems.append(f"{method} {url} as {role}: a missing id answers {missing[0].status_code}")
            cells.append(codes[0] if len(set(codes)) == 1 else "/".join(codes))
        rows[method] = tuple(cells)
    return rows, problems


def row_text(name: str, method: str, cells: tuple[str, ...]) -> str:
    widths = (5, 8, 8, 8, 8, 6, 6, 5)
    return f"{name if method == 'GET' else '':<35} {method:<6} " + " ".join(
        f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)
    )


TABLE = parse(EXPECTED)
DUMP = os.environ.get("ACCESS_MATRIX_DUMP")  # a file to write the observed table to (to write EXPECTED)


@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_every_role_gets_the_expected_answer(db, world, name, route):
    observed, problems = observe(world, name, route)
    if DUMP:
        with open(DUMP, "a", encoding="utf-8") as fh:
            fh.writelines(row_text(name, m, observed[m]).rstrip() + "\n" for m in METHODS)
    assert not problems, "\n".join(problems)
    expected = {m: TABLE.get((name, m)) for m in METHODS}
    assert expected == observed, "expected:\n{}\nobserved:\n{}".format(
        *(
            "\n".join(row_text(name, m, rows[m] or ("?",) * len(ROLES)) for m in METHODS)
            for rows in (expected, observed)
        )
    )


def test_the_table_names_only_urls_that_exist():
    names = {p.values[0] for p in ROUTES}
    assert {name for name, _m in TABLE} <= names, {name for name, _m in TABLE} - names


# Views a read-only person may POST to: their own session, password and notifications (tests/test_url_matrix.py).
def test_the_table_lets_leadership_change_nothing_but_their_own_account():
    from tests.test_url_matrix import OWN_ACCOUNT, OWN_PREFIXES

    leader = ROLES.index("leader")
    changes = {
        name: cells[leader]
        for (name, method), cells in TABLE.items()
        if method == "POST" and name not in PUBLIC | OWN_ACCOUNT | {"admin:index"} and not name.startswith(OWN_PREFIXES)
        if not set(cells[leader].split("/")) <= {"403", "404", "405"}
    }
    assert changes == {}


def test_the_table_sends_anonymous_visitors_to_login_except_on_public_views():
    anon = ROLES.index("anon")
    assert {name for (name, _m), cells in TABLE.items() if cells[anon] != "302"} <= PUBLIC | {"favicon"}
