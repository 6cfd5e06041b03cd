"""Benchmark: the list pages' server time and query count at 1x and 10x the data.

    .venv/bin/python bench/list_pages_bench.py [--standards 300] [--tasks 3000] [--evidence 30000] [--repeat 5] [--json]

Builds a campaign in a scratch SQLite database in a temporary folder (migrated first; DATABASE_URL, when set, must
name a scratch database) with the dashboard benchmark's data builder (tests/reports/dataset.py), then requests
each list page through Django's test client, rendering included, as the coordinator (who sees every office) and
as a member of staff (their own tasks and evidence): the task list, my tasks, an office's tasks, the criteria
tree, the evidence browse page and its tree by standard, my evidence, the review queue, the notifications. It
grows the tasks and evidence to --factor times (the criteria keep their size) and measures again. Prints the
median of --repeat requests after a warm-up and the query count of each page at both sizes. Targets: the same
number of queries at both sizes, and time at 10x <= 1.5 x time at 1x (the dashboard's target; pages are
paginated, so what grows is the counting and the indexes' depth). With --json the figures are also printed as
JSON (bench/benchlib.py), as bench/run reads them.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, equal_figure, json_output, ratio_figure, setup_django, time_page  # noqa: E402

# (page, role, URL)
PAGES = [
    ("task list", "coordinator", "/tasks/"),
    ("office tasks", "head", "/tasks/office/"),
    ("my tasks", "staff", "/tasks/mine/"),
    ("criteria", "coordinator", "/campaign/criteria/"),
    ("evidence browse", "coordinator", "/evidence/"),
    ("evidence by standard", "coordinator", "/evidence/standards/"),
    ("my evidence", "staff", "/evidence/mine/"),
    ("review queue", "coordinator", "/evidence/review/"),
    ("notifications", "staff", "/notifications/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--standards", type=int, default=300)
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--evidence", type=int, default=30_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    results: list[Figure] = []
    with json_output(args.json, results):
        run(args, results)


def run(args: argparse.Namespace, results: list[Figure]) -> None:
    scratch = tempfile.TemporaryDirectory(prefix="civunit-bench-")
    setup_django(scratch.name)  # DATABASE_URL, when set, must name a scratch database
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from campaign.models import Campaign
    from civunit.accounts.roles import Role
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
    print(f"built 1x: {data.tasks} tasks, {data.evidence} evidence rows in {time.perf_counter() - started:.1f} s")

    coordinator = data.heads[0]
    coordinator.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR.group_name)[0])
    clients = {}
    for role, user in (("coordinator", coordinator), ("head", data.heads[1]), ("staff", data.staff[0])):
        clients[role] = Client()
        clients[role].force_login(user)

    def measure(label: str) -> dict[str, tuple[float, int]]:
        out = {}
        for page, role, url in PAGES:
            timed = time_page(clients[role], url, repeat=args.repeat)
            out[page] = (timed["ms"] / 1000, int(timed["queries"]))
            print(f"{label} {page:22} {out[page][0] * 1000:6.0f} ms  {out[page][1]:3} queries", flush=True)
        return out

    small = measure("1x")
    more = args.factor - 1
    grow(data, today=today, tasks=args.tasks * more, evidence=args.evidence * more)
    print(f"grown to {args.factor}x: {data.tasks} tasks, {data.evidence} evidence rows")
    large = measure(f"{args.factor}x")
    for page, _role, _url in PAGES:
        (t1, q1), (tn, qn) = small[page], large[page]
        print(
            f"{page:22} {t1 * 1000:6.0f} -> {tn * 1000:6.0f} ms ({tn / t1:.2f}x), queries {q1} -> {qn} "
            f"({'met' if tn <= 1.5 * t1 and q1 == qn else 'NOT met'})"
        )
        results.append(ratio_figure(f"page {page}, {args.factor}x vs 1x ({args.tasks} tasks at 1x)", tn, t1, most=1.5))
        results.append(equal_figure(f"page {page}: queries, {args.factor}x vs 1x", qn, q1))
    scratch.cleanup()


if __name__ == "__main__":
    main()
