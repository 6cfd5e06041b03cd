"""Benchmark: importing and exporting a 2,000-row task breakdown, beside openpyxl alone reading and writing the
same cells.

    .venv/bin/python bench/import_tasks_bench.py [--rows 2000] [--repeat 3] [--clock wall|cpu] [--json]

Runs against a scratch SQLite database in a temporary folder (migrated first), unless DATABASE_URL is set, in
which case that database is used and must be a scratch one. Prints the median of --repeat runs of each figure:

- openpyxl read-only read of the file, then the import's phases (open + find the table + validate every row;
  compare with the campaign's tasks; write), for a first import (all created) and for a re-import of the same
  file (all unchanged). Targets: first import <= 3 x the read-only read; re-import <= the first import.
- the breakdown export (database included) beside a plain openpyxl write of the same cells (a Workbook(),
  ws.append of every row, no styles, saved) and beside the same plain write in write-only mode; then the export
  with one more sheet per lead office. Targets: export <= 2 x the plain write; per-office export <= 2 x the
  single-sheet export.

With --json the figures are also printed as JSON (bench/benchlib.py), as bench/run reads them.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, json_output, ratio_figure  # noqa: E402

OFFICES = ["办公室", "研究室", "提案委员会办公室", "经济委员会办公室", "文史学习委员会办公室", "社会法制委员会办公室",
           "机关党委", "信息中心"]  # fmt: skip
DEADLINES = ["2026-09-30", "每月", "2026年6月底", "每季度", "长期", "2026.12", "6月30日前"]
PROGRESS = ["推进中", "未启动", "已召开专题会议2次，印发方案1份", "已完成", ""]


def build_workbook(rows: int) -> bytes:
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    wb = openpyxl.Workbook()
    ws = cast(Worksheet, wb.active)
    ws.append(["某市政协机关创建全国文明单位工作任务分解表"])
    ws.merge_cells("A1:M1")
    ws.append(["序号", "标准编码", "工作任务", "具体措施", "牵头科室", "配合科室", "分管领导", "责任人", "完成时限",
               "佐证材料要求", "进展情况", "备注", "状态"])  # fmt: skip
    top = 0
    for n in range(rows):
        if n % 4 == 3:
            code = f"{top}.{n % 4}"
        else:
            top += 1
            code = str(top)
        ws.append(
            [
                code,
                "",
                f"第{n}项工作任务：组织开展理论学习和志愿服务活动",
                "制定方案，明确责任分工，按月报送进展情况，年底形成总结材料。" * 2,
                OFFICES[n % len(OFFICES)],
                "、".join(OFFICES[(n + 1) % len(OFFICES) : (n + 1) % len(OFFICES) + 2]),
                "赵国强",
                "张伟、李明",
                DEADLINES[n % len(DEADLINES)],
                "会议记录、照片、工作总结",
                PROGRESS[n % len(PROGRESS)],
                "",
                "",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_only_read(data: bytes) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    return cells


def exported_cells(data: bytes) -> list[tuple]:
    """The cells of the export's first sheet, as values: what the plain write writes."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def plain_write(rows: list[tuple], *, write_only: bool = False) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for row in rows:
        ws.append(row)  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def timed(fn, *args, **kwargs):
    start = clock()
    result = fn(*args, **kwargs)
    return clock() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--clock",
        choices=CLOCKS,
        default="wall",
        help="wall: elapsed time; cpu: this process's CPU time (steadier on a machine shared with other work)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    figures: list[Figure] = []
    with json_output(args.json, figures):
        run(args, figures)


def run(args: argparse.Namespace, figures: list[Figure]) -> None:

    scratch = tempfile.TemporaryDirectory(prefix="civunit-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    # As in production: DEBUG off (no query log)
    os.environ.setdefault("DEBUG", "off")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
    os.environ.setdefault("MEDIA_ROOT", str(Path(scratch.name) / "media"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)

    from campaign.models import Campaign
    from civunit.accounts.models import Office, User
    from tasks.excel import apply_plan, export_workbook, plan_import, read_sheet
    from tasks.models import Task

    for i, name in enumerate(OFFICES):
        Office.objects.get_or_create(name=name, defaults={"ordering": i})
    for username, real_name in (("zhangwei", "张伟"), ("liming", "李明"), ("zhao", "赵国强")):
        User.objects.get_or_create(username=username, defaults={"real_name": real_name})
    Campaign.objects.all().update(is_current=False)
    campaign = Campaign.objects.create(
        title="创建全国文明单位",
        organ_name="某市政协机关",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        is_current=True,
    )

    build_s, data = timed(build_workbook, args.rows)
    digest = hashlib.sha256(data).hexdigest()
    print(f"workbook: {args.rows} rows, {len(data) / 1024:.0f} KiB, built in {build_s:.2f} s")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    from openpyxl.xml import LXML

    print(f"clock: {args.clock}; openpyxl writes XML with {'lxml' if LXML else 'the standard library (no lxml)'}")

    reads, firsts, again = [], [], []
    exports: dict[str, list[float]] = {"export": [], "export by office": [], "plain": [], "plain write-only": []}
    for _ in range(args.repeat):
        seconds, cells = timed(read_only_read, data)
        reads.append(seconds)

        class Rollback(Exception):
            pass

        phases = {}
        try:
            with transaction.atomic():
                phases["read+validate"], sheet = timed(read_sheet, data, filename="bench.xlsx", campaign=campaign)
                assert sheet.ok, [str(e) for e in sheet.errors[:5]]
                phases["plan"], plan = timed(plan_import, sheet, campaign=campaign)
                phases["write"], _record = timed(
                    apply_plan, plan, campaign=campaign, user=None, file_name="bench.xlsx", sha256=digest
                )
                assert Task.objects.filter(campaign=campaign).count() == args.rows
                firsts.append(phases)
                re = {}
                re["read+validate"], sheet = timed(read_sheet, data, filename="bench.xlsx", campaign=campaign)
                re["plan"], plan = timed(plan_import, sheet, campaign=campaign)
                assert len(plan.unchanged) == args.rows, (len(plan.created), len(plan.updated))
                re["write"], _record = timed(
                    apply_plan, plan, campaign=campaign, user=None, file_name="bench.xlsx", sha256=digest
                )
                again.append(re)
                seconds, single = timed(export_workbook, campaign)
                exports["export"].append(seconds)
                exports["export by office"].append(timed(export_workbook, campaign, by_office=True)[0])
                cells_out = exported_cells(single)
                assert len(cells_out) == args.rows + 3, len(cells_out)
                exports["plain"].append(timed(plain_write, cells_out)[0])
                exports["plain write-only"].append(timed(plain_write, cells_out, write_only=True)[0])
                raise Rollback
        except Rollback:
            pass

    read_s = statistics.median(reads)

    def show(label, runs):
        total = statistics.median(sum(p.values()) for p in runs)
        parts = ", ".join(f"{k} {statistics.median(p[k] for p in runs):.3f} s" for k in runs[0])
        print(f"{label}: {total:.3f} s = {total / read_s:.2f} x the read-only read ({parts})")
        return total

    print(f"openpyxl read-only read: {read_s:.3f} s ({cells} cells; median of {args.repeat})")
    first = show("first import (all created)", firsts)
    second = show("re-import (all unchanged)", again)
    print(f"target first import <= 3 x read: {'met' if first <= 3 * read_s else 'NOT met'}")
    print(f"target re-import <= first import: {'met' if second <= first else 'NOT met'} ({second / first:.2f} x)")

    med = {k: statistics.median(v) for k, v in exports.items()}
    print(
        f"plain openpyxl write of the same cells: {med['plain']:.3f} s"
        f" (write-only mode: {med['plain write-only']:.3f} s)"
    )
    print(
        f"breakdown export: {med['export']:.3f} s = {med['export'] / med['plain']:.2f} x the plain write"
        f" ({med['export'] / med['plain write-only']:.2f} x the write-only plain write)"
    )
    print(
        f"export with one sheet per office: {med['export by office']:.3f} s"
        f" = {med['export by office'] / med['export']:.2f} x the single sheet"
    )
    print(f"target export <= 2 x plain write: {'met' if med['export'] <= 2 * med['plain'] else 'NOT met'}")
    print(
        "target per-office export <= 2 x single sheet: "
        + ("met" if med["export by office"] <= 2 * med["export"] else "NOT met")
    )
    rows = f"{args.rows} rows, {args.clock} clock"
    figures += [
        ratio_figure(f"task import, first ({rows}) vs openpyxl read-only read", first, read_s, most=3),
        ratio_figure(f"task re-import, unchanged ({rows}) vs first import", second, first, most=1),
        ratio_figure(f"task export ({rows}) vs plain openpyxl write", med["export"], med["plain"], most=2),
        ratio_figure(f"task export by office ({rows}) vs single sheet", med["export by office"], med["export"], most=2),
    ]
    scratch.cleanup()


if __name__ == "__main__":
    main()
