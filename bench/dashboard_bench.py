"""Benchmark: the dashboard's server time and query count at 1x and 10x the data.

    .venv/bin/python bench/dashboard_bench.py [--standards 300] [--tasks 3000] [--evidence 30000] [--repeat 9] [--json]

Builds a campaign in a scratch SQLite database in a temporary folder (migrated first; DATABASE_URL, when set, must
name a scratch database): the criteria (10 items, 30 indicators, --standards standards with requirements and
self-assessments), --tasks tasks with their audit events over 12 offices, --evidence evidence rows (sharing 20
stored files) with their history, and activities, all in bulk. It then times the leadership's home page (the
organ-wide dashboard) through Django's test client, rendering included, and counts its queries; grows the tasks
and evidence to 10x (the criteria table is the evaluation system's and does not grow with the work) and measures
again. Each size is measured twice: with the figures computed afresh (the cache emptied before every request, as
after any change to the data) and with the figures kept (civunit.reports.dashboard.cached_dashboard: the request
then costs the change stamps and the rendering). Prints the median of --repeat requests after a warm-up, the
ratios, and the time of each dataset on its own. Targets: the same number of queries, at most 25; time at 10x <=
1.5 x time at 1x. With --json the figures are also printed as JSON (bench/benchlib.py), as bench/run reads them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, equal_figure, json_output, ratio_figure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--standards", type=int, default=300)
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--evidence", type=int, default=30_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    results: list[Figure] = []
    with json_output(args.json, results):
        run(args, results)


def run(args: argparse.Namespace, results: list[Figure]) -> None:

    scratch = tempfile.TemporaryDirectory(prefix="civunit-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    # As in production: DEBUG off (no query log kept by Django; the queries are counted explicitly below)
    os.environ.setdefault("DEBUG", "off")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
    os.environ.setdefault("MEDIA_ROOT", str(Path(scratch.name) / "media"))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("AXES_ENABLED", "off")  # no login-attempt bookkeeping around force_login
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic in a scratch run
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.test.utils import override_settings

    # static files as in development (no collectstatic in a scratch folder): the page's URLs, not their bytes
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()

    from campaign.models import Campaign
    from civunit.accounts.models import Office, User
    from civunit.accounts.roles import Role
    from civunit.reports import dashboard as figures
    from tests.reports.dataset import build, grow

    today = timezone.localdate()
    Campaign.objects.all().update(is_current=False)
    campaign = Campaign.objects.create(
        title="创建全国文明单位",
        organ_name="某市政协机关",
        start_date=today - datetime.timedelta(days=330),
        end_date=today + datetime.timedelta(days=400),
        is_current=True,
    )
    started = time.perf_counter()
    data = build(campaign, today=today, standards=args.standards, tasks=args.tasks, evidence=args.evidence)
    print(
        f"built 1x: {len(data.standards)} standards, {data.tasks} tasks, {data.evidence} evidence rows "
        f"in {time.perf_counter() - started:.1f} s ({connection.vendor} {connection.settings_dict['NAME']})"
    )
    from django.contrib.auth.models import Group
    from django.core.cache import cache

    leader, _ = User.objects.get_or_create(
        username="bench-leader", defaults={"real_name": "赵国强", "office": Office.objects.first()}
    )
    leader.groups.add(Group.objects.get_or_create(name=Role.LEADERSHIP.group_name)[0])
    client = Client()
    client.force_login(leader)

    def timed_requests(*, fresh: bool) -> tuple[float, float, int]:
        client.get("/", secure=True)  # warm-up (and the kept figures)
        times = []
        for _ in range(args.repeat):
            if fresh:
                cache.clear()  # the figures computed afresh, as after any change
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get("/", secure=True)
                times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
            assert b'data-testid="dashboard-title"' in response.content
        return statistics.median(times), min(times), len(ctx.captured_queries)

    def measure(label: str) -> dict[str, tuple[float, int]]:
        result = {}
        for kind, fresh in (("computed", True), ("kept", False)):
            median, fastest, queries = timed_requests(fresh=fresh)
            result[kind] = (median, queries)
            print(
                f"{label} {kind}: {median * 1000:.0f} ms (median of {args.repeat}; min {fastest * 1000:.0f} ms), "
                f"{queries} queries"
            )
        # the datasets on their own (the page computes them once, sharing what several read)
        parts = {}
        current = Campaign.objects.prefetch_related("stages").current()
        assert current is not None  # the campaign built above
        for name, fn in (
            ("headline", lambda: figures.headline_figures(campaign=current, user=leader)),
            ("offices", lambda: figures.office_figures(campaign=current, user=leader)),
            ("coverage", lambda: figures.coverage_by_item(campaign=current, user=leader)),
            ("lists", lambda: (
                figures.overdue_tasks(campaign=current, user=leader),
                figures.due_soon_tasks(campaign=current, user=leader),
                figures.stalled_tasks(campaign=current, user=leader),
                figures.awaiting_review(campaign=current, user=leader),
            )),
            ("weekly", lambda: figures.weekly_progress(campaign=current, user=leader)),
            ("recent", lambda: figures.recent_activity(campaign=current, user=leader)),
        ):  # fmt: skip
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                fn()
                runs.append(time.perf_counter() - t0)
            parts[name] = statistics.median(runs)
        print("   selectors alone: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in parts.items()))
        return result

    small = measure("1x")
    started = time.perf_counter()
    more = args.factor - 1
    grow(data, today=today, tasks=args.tasks * more, evidence=args.evidence * more)
    print(
        f"grown to {args.factor}x: {data.tasks} tasks, {data.evidence} evidence rows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    large = measure(f"{args.factor}x")
    for kind in ("computed", "kept"):
        (t1, q1), (t10, q10) = small[kind], large[kind]
        ratio = t10 / t1
        print(
            f"{kind}: time {args.factor}x/1x = {ratio:.2f} (target <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'}); "
            f"queries {q1} -> {q10} (target equal and <= 25: {'met' if q1 == q10 <= 25 else 'NOT met'})"
        )
        what = f"dashboard, figures {kind}, {args.factor}x vs 1x ({args.tasks} tasks at 1x)"
        results.append(ratio_figure(what, t10, t1, most=1.5))
        results.append(equal_figure(f"dashboard queries, figures {kind}, {args.factor}x vs 1x", q10, q1, most=25))


if __name__ == "__main__":
    main()
