"""Runs every benchmark of the project and prints one table (bench/run, make bench).

    bench/run [--quick] [--only NAME,...] [--skip NAME,...] [--json FILE] [--strict]

Each benchmark script under bench/ is run in a process of its own with --json (its figures: bench/benchlib.py)
and its usual lines are written to bench/logs/NAME.log (and shown as they come, prefixed by its name). The table
lists every figure: its value, the baseline measured in the same run, the ratio, the target and whether it was
met; above it, the machine it ran on and its load. --quick runs each with small sizes (a smoke test, as CI runs
it: the figures then say little). Exit status: 1 when a benchmark failed to run (or, with --strict, when a target
was missed), else 0.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SMALL = ["--standards", "30", "--tasks", "100", "--evidence", "300"]

# name: (script, arguments of the full run, arguments of --quick)
BENCHES: dict[str, tuple[str, list[str], list[str]]] = {
    "upload": ("upload_bench.py", ["--size-mb", "500"], ["--size-mb", "5"]),
    "import": ("import_tasks_bench.py", ["--repeat", "3", "--clock", "cpu"], ["--rows", "100", "--repeat", "1"]),
    "nginx-upload": ("nginx_upload_bench.py", ["--size-mb", "500"], ["--size-mb", "5"]),
    "pages": ("list_pages_bench.py", [], [*SMALL, "--repeat", "1", "--factor", "2"]),
    "demo-pages": ("pages_bench.py", ["--repeat", "5"], ["--repeat", "1", "--factor", "2"]),
    "dashboard": ("dashboard_bench.py", [], [*SMALL, "--repeat", "1", "--factor", "2"]),
    "readiness": ("readiness_bench.py", [], [*SMALL, "--photos", "3", "--distinct", "1"]),
    "report": (
        "report_bench.py",
        [],
        ["--only", "large", "--standards", "10", "--photos", "2", "--tasks", "10", "--documents", "10"],
    ),
    "archive": ("archive_bench.py", [], ["--size-mb", "20", "--repeat", "1"]),
    "load": (
        "load_bench.py",
        ["--db-name", "civunit_load"],
        ["--db-name", "civunit_load_quick", "--users", "5", "--duration", "10", "--scale", "1"],
    ),
}
COLUMNS = ("figure", "value", "baseline", "ratio", "target", "met")


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {mem_kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        memory = ""
    return f"{os.cpu_count()} cores{f' ({cpu})' if cpu else ''}{memory}, {platform.system()} {platform.release()}"


def postgres_answers() -> bool:
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception:  # any reason: the load test is skipped and says so
        return False
    return True


def run_bench(name: str, script: str, arguments: list[str], logs: Path, *, echo: bool) -> tuple[list[dict], str]:
    """The figures of one benchmark, and a problem ("" when it ran)."""
    env = dict(os.environ)
    if name != "load":
        env.pop("DATABASE_URL", None)  # scratch databases of their own
    command = [str(PYTHON), str(ROOT / "bench" / script), *arguments, "--json"]
    log_path = logs / f"{name}.log"
    with log_path.open("w") as log:
        log.write(" ".join(command) + "\n")
        log.flush()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        assert process.stderr is not None and process.stdout is not None

        def pump() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                log.write(line)
                log.flush()
                if echo:
                    sys.stderr.write(f"[{name}] {line}")

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        out = process.stdout.read()
        process.wait()
        reader.join(timeout=5)
    lines = [line for line in out.strip().splitlines() if line.startswith("[")]
    figures: list[dict] = []
    if lines:
        try:
            figures = json.loads(lines[-1])
        except ValueError:
            figures = []
    if process.returncode not in (0, 2) or not figures:  # 2: ran, a target missed (upload, load)
        return figures, f"failed (exit {process.returncode}), see {log_path.relative_to(ROOT)}"
    return figures, ""


def cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        value = f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:.0f}"
    return f"{value} {unit}".strip()


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for f in rows:
        unit = f.get("unit") or ""
        ratio = f"{f['ratio']:.2f}x" if isinstance(f.get("ratio"), (int, float)) else "–"
        values = [
            f["figure"],
            cell(f.get("value"), unit),
            cell(f.get("baseline"), unit),
            ratio,
            f.get("target") or "–",
            cell(f.get("met")),
        ]
        lines.append("| " + " | ".join(str(v).replace("|", "/") for v in values) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--only", help="comma-separated names: " + ", ".join(BENCHES))
    parser.add_argument("--skip", help="comma-separated names to leave out")
    parser.add_argument("--json", type=Path, help="also write every figure and the machine to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quiet", action="store_true", help="do not show the benchmarks' lines as they come")
    args = parser.parse_args()
    names = list(BENCHES)
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in BENCHES]
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(BENCHES)})")
        names = [n for n in names if n in wanted]
    if args.skip:
        names = [n for n in names if n not in {s.strip() for s in args.skip.split(",")}]

    logs = ROOT / "bench" / "logs"
    logs.mkdir(exist_ok=True)
    started = time.perf_counter()
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = os.getloadavg()
    rows: list[dict] = []
    problems = 0
    for name in names:
        script, full, quick = BENCHES[name]
        if name == "load" and not postgres_answers():
            rows.append({"figure": "load: skipped, PostgreSQL does not answer at 127.0.0.1:5432", "met": None})
            continue
        t0 = time.perf_counter()
        figures, problem = run_bench(name, script, quick if args.quick else full, logs, echo=not args.quiet)
        for f in figures:
            f["bench"] = name
        rows.extend(figures)
        if problem:
            problems += 1
            rows.append({"figure": f"{name}: {problem}", "bench": name, "met": False})
        print(f"bench {name}: {time.perf_counter() - t0:.0f} s{f' ({problem})' if problem else ''}", file=sys.stderr)
    load_end = os.getloadavg()
    header = (
        f"Benchmarks{' (--quick: small sizes, a smoke test)' if args.quick else ''}, {when}, "
        f"{time.perf_counter() - started:.0f} s; machine: {machine()}; load average {load_start[0]:.1f} at the "
        f"start, {load_end[0]:.1f} at the end (1 min)"
    )
    print(header)
    print()
    print(table(rows))
    missed = sum(1 for r in rows if r.get("met") is False)
    met = sum(1 for r in rows if r.get("met") is True)
    print()
    print(f"{met} targets met, {missed} missed, {problems} benchmark(s) failed to run")
    if args.json:
        args.json.write_text(
            json.dumps({"header": header, "quick": args.quick, "figures": rows}, ensure_ascii=False, indent=1)
        )
    if problems or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
