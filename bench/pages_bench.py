"""Benchmark: the main pages' server time and query count at 1x and 10x the demo data.

    env -u DATABASE_URL .venv/bin/python bench/pages_bench.py [--factor 10] [--repeat 7] [--warm]

Seeds `seed_demo --scale 1` and `seed_demo --scale FACTOR` (the task breakdown, the criteria, the activities, the
evidence and its stored files all multiplied) each into a scratch SQLite database of its own, in a child process per
size, and times each page through Django's test client, rendering included: the home page of each role (the
coordinator's and the leadership's dashboard, an office head's and a staff member's), the task list, evidence
browsing and a search, the plan, the criteria tree, the standards tree of the evidence, the activities and the
review queue. Each figure is the median of --repeat requests after a warm-up, the cache emptied before every
request (the figures computed afresh, as after any change; --warm keeps the cache, as between changes). Prints
each page's time and queries at both sizes and the ratio; target: no page grows more than 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.benchlib import Figure, equal_figure, json_output, load_average, ratio_figure, setup_django, time_page  # noqa: E402

# (label, user name, URL name, query)
PAGES = [
    ("home: coordinator", "coordinator", "reports:home", {}),
    ("home: leadership", "leader", "reports:home", {}),
    ("home: office head", "head", "reports:home", {}),
    ("home: staff", "staff", "reports:home", {}),
    ("task list", "coordinator", "tasks:list", {}),
    ("my office's tasks", "head", "tasks:office", {}),
    ("evidence browse", "coordinator", "evidence:browse", {}),
    ("evidence search", "coordinator", "evidence:browse", {"q": "志愿"}),
    ("evidence by task", "coordinator", "evidence:browse", {"task": "1"}),
    ("task choices (JSON)", "staff", "tasks:choices", {"q": "志愿"}),
    ("standard choices (JSON)", "staff", "campaign:standard_choices", {"q": "志愿"}),
    ("plan", "staff", "campaign:plan", {}),
    ("criteria tree", "coordinator", "campaign:criteria", {}),
    ("evidence standards tree", "coordinator", "evidence:standards_tree", {}),
    ("activities", "staff", "evidence:activities", {}),
    ("review queue", "coordinator", "evidence:review", {}),
    ("upload page", "staff", "evidence:upload", {}),
]
TARGET = 1.5


def child(scale: int, repeat: int, warm: bool) -> None:
    scratch = tempfile.TemporaryDirectory(prefix="civunit-pages-bench-")
    setup_django(scratch.name, force=True)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", scale=scale, force=True, stdout=quiet)
    seeded = time.perf_counter() - started

    from campaign.models import Criterion
    from civunit.accounts.models import User
    from evidence.models import Activity, EvidenceItem, StoredFile
    from tasks.models import Task

    sizes = {
        "tasks": Task.objects.count(),
        "criteria": Criterion.objects.count(),
        "activities": Activity.objects.count(),
        "evidence": EvidenceItem.objects.count(),
        "files": StoredFile.objects.count(),
    }
    users = {u.username: u for u in User.objects.all()}
    clients: dict[str, Client] = {}
    results = {}
    for label, who, name, query in PAGES:
        client = clients.get(who)
        if client is None:
            client = clients[who] = Client()
            client.force_login(users[who])
        results[label] = time_page(client, reverse(name), query, repeat=repeat, before=None if warm else cache.clear)
    print(json.dumps({"scale": scale, "seeded_s": seeded, "sizes": sizes, "pages": results, "load": load_average()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warm", action="store_true", help="keep the cache between requests")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat, args.warm)
        return
    figures: list[Figure] = []
    with json_output(args.json, figures):
        compare(args, figures)


def compare(args: argparse.Namespace, figures: list[Figure]) -> None:
    runs = {}
    for scale in (1, args.factor):
        command = [sys.executable, __file__, "--child", str(scale), "--repeat", str(args.repeat)]
        if args.warm:
            command.append("--warm")
        out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        runs[scale] = json.loads(out.strip().splitlines()[-1])
        r = runs[scale]
        sizes = ", ".join(f"{k} {v}" for k, v in r["sizes"].items())
        print(
            f"seed_demo --scale {scale}: {r['seeded_s']:.0f} s; {sizes}; load average {r['load']:.1f} after the pages"
        )
    small, large = runs[1]["pages"], runs[args.factor]["pages"]
    print(f"\n{'page':<26}{'1x ms':>9}{'q':>5}{f'{args.factor}x ms':>10}{'q':>5}{'ratio':>8}  (fastest: ratio)")
    over = []
    for label, *_rest in PAGES:
        a, b = small[label], large[label]
        ratio = b["ms"] / a["ms"]
        figures.append(ratio_figure(f"page {label} at {args.factor}x", b["ms"], a["ms"], most=TARGET, unit="ms"))
        figures.append(equal_figure(f"page {label} queries at {args.factor}x", b["queries"], a["queries"]))
        fastest = b["min_ms"] / a["min_ms"]
        flag = "" if ratio <= TARGET else "  > target"
        if ratio > TARGET:
            over.append(label)
        print(
            f"{label:<26}{a['ms']:>9.1f}{a['queries']:>5}{b['ms']:>10.1f}{b['queries']:>5}{ratio:>7.2f}x"
            f"  ({fastest:.2f}x){flag}"
        )
    print(f"\ntarget: at most {TARGET}x at {args.factor}x the data; " + (f"over: {', '.join(over)}" if over else "met"))


if __name__ == "__main__":
    main()
