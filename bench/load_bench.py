"""Load test: 50 people of every role at once on the demo campaign at 10x, through the production profile (locust).

    .venv/bin/python bench/load_bench.py [--users 50] [--spawn-rate 10] [--duration 60] [--max-requests 20000]
        [--scale 10] [--db-name civunit_load] [--work-dir DIR] [--workers 3] [--threads 4] [--direct] [--fresh]
        [--base-url URL] [--json]

Prepares, unless --base-url is given: a PostgreSQL database (--db-name on 127.0.0.1:5432 as postgres, created
when missing; --fresh drops it first) migrated and seeded with `seed_demo --scale N` (once: the work folder keeps
a mark, as seeding at 10x takes minutes), the static files collected, then the production profile on loopback,
started by `deploy/loopback up` from the files of deploy/: nginx (Debian's package) with the site rendered from
deploy/nginx/civunit.conf.template in front, gunicorn with deploy/gunicorn.conf.py (--workers processes of
--threads threads) and the task worker (`manage.py db_worker`) as their own processes, DEBUG off, the security
settings of production except HTTPS (plain HTTP on 127.0.0.1). --direct: gunicorn alone, without nginx.
REDIS_URL and CACHE_URL, when set, are handed to the app's processes.

With --base-url the server is someone else's (deploy/loopback, say): this script's environment must then carry
the same settings as that server (DATABASE_URL, MEDIA_ROOT or the S3 settings, SECRET_KEY, ...), as it signs the
people in and checks the archive afterwards with them.

Everyone is signed in beforehand (a session per demo account, made with Django's session store: 50 password
hashes would otherwise take the first minute of two cores), then locust (bench/locustfile.py) runs headless, with
--users users spawned --spawn-rate a second, for --duration seconds or --max-requests requests, whichever comes
first. Each acknowledged upload is recorded with the SHA-256 of the bytes sent; afterwards every one must be in
the archive with that digest, and `manage.py verify_archive` must find nothing.

Prints requests per second, the latency percentiles of each page and the errors, beside the load average.
Targets: no errors, no lost upload, verify_archive clean, 95th percentile of each read page <= 300 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, info_figure, json_output, limit_figure  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = ROOT / ".venv" / "bin"
READ_P95_MS = 300
# Requests that change something (their time includes the write and the redirect to the page it returns to).
WRITES = {"upload photo", "report progress", "start task", "check off", "accept task", "accept evidence"}

SESSIONS = """
import json, sys
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string
from civunit.accounts.models import User
from civunit.accounts.roles import Role
store = import_string(settings.SESSION_ENGINE + ".SessionStore")
order = [Role.COORDINATOR, Role.LEADERSHIP, Role.ADMIN, Role.OFFICE_HEAD, Role.STAFF]
out = []
for user in User.objects.filter(is_active=True).prefetch_related("groups").order_by("username"):
    groups = {g.name for g in user.groups.all()}
    role = next((r for r in order if r.group_name in groups), None)
    if role is None:
        continue
    s = store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    out.append({"username": user.username, "role": str(role.value), "sessionid": s.session_key})
json.dump(out, sys.stdout)
"""

CHECK_UPLOADS = """
import hashlib, json, os
from evidence.models import EvidenceItem
lines = [json.loads(line) for line in open(os.environ["LOAD_UPLOADS"]) if line.strip()]
items = EvidenceItem.objects.select_related("stored_file").in_bulk([u["id"] for u in lines])
lost = []
for u in lines:
    item = items.get(u["id"])
    stored = item.stored_file if item else None
    if stored is None or stored.sha256 != u["sha256"] or stored.size != u["size"]:
        lost.append(u)
        continue
    digest = hashlib.sha256()
    with stored.file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != u["sha256"]:
        lost.append(u)
print(json.dumps({"acknowledged": len(lines), "lost": lost}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def ensure_database(name: str, *, fresh: bool) -> bool:
    """Create the database when missing; True when it was created (so it must be seeded)."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        created = cur.fetchone() is None
        if created:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return created


def server_env(args: argparse.Namespace, work: Path) -> dict[str, str]:
    key_file = work / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    env = {
        **os.environ,
        "DEBUG": "off",
        "SECRET_KEY": key_file.read_text().strip(),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db_name}",
        "MEDIA_ROOT": str(work / "media"),
        "FILE_UPLOAD_TEMP_DIR": str(work / "upload-tmp"),
        "STATIC_ROOT": str(work / "static"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # production settings but for HTTPS: plain HTTP on loopback
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    (work / "upload-tmp").mkdir(parents=True, exist_ok=True)
    return env


def prepare(args: argparse.Namespace, env: dict[str, str], work: Path) -> None:
    mark = work / f"seeded-{args.db_name}-scale-{args.scale}"
    if args.fresh:
        mark.unlink(missing_ok=True)
        shutil.rmtree(work / "media", ignore_errors=True)
    if ensure_database(args.db_name, fresh=args.fresh):
        mark.unlink(missing_ok=True)  # a database made anew is seeded anew
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    if not mark.exists():
        print(f"seeding the demo at {args.scale}x (minutes) ...", flush=True)
        manage(env, "seed_demo", "--scale", str(args.scale), "--force")
        mark.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    manage(env, "collectstatic", "--noinput", "-v0")
    print(f"database {args.db_name} ready ({time.perf_counter() - started:.0f} s), work folder {work}", flush=True)


def wait_up(url: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=5) as r:  # noqa: S310 (http only)
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server at {url} does not answer /healthz")
        time.sleep(0.3)


# Every page the locustfile reads (bench/locustfile.py), for the warm-up.
WARM_PATHS = (
    "/",
    "/dashboard/",
    "/readiness/",
    "/tasks/",
    "/tasks/?review=on",
    "/tasks/mine/",
    "/tasks/office/",
    "/campaign/criteria/",
    "/evidence/",
    "/evidence/mine/",
    "/evidence/review/",
    "/evidence/standards/",
    "/evidence/upload/",
    "/people/",
    "/offices/",
)


def warm_up(url: str, people: list[dict[str, str]], *, rounds: int) -> None:
    """Each worker's first requests import the views, compile the templates and fill the per-process caches: not
    part of the figures. One person of each role reads every page of the test `rounds` times (the requests spread
    over the workers), a task's page included."""
    started = time.perf_counter()

    def get(person: dict[str, str], path: str) -> str:
        cookie = {"Cookie": f"sessionid={person['sessionid']}"}
        request = urllib.request.Request(url + path, headers=cookie)  # noqa: S310 (http only)
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.read().decode("utf-8", "replace")
        return ""

    cast = list({p["role"]: p for p in people}.values())
    paths = list(WARM_PATHS)
    for person in cast:
        task = re.search(r'href="/tasks/(\d+)/"', get(person, "/tasks/"))
        if task:
            paths.append(f"/tasks/{task.group(1)}/")
    for _ in range(rounds):
        for person in cast:
            for path in paths:
                get(person, path)
    print(f"warmed up in {time.perf_counter() - started:.0f} s", flush=True)


def read_stats(prefix: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        stats = list(csv.DictReader(fh))
    failures: list[dict[str, str]] = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", newline="") as fh:
            failures = list(csv.DictReader(fh))
    return stats, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (after spawning begins)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests")
    parser.add_argument("--scale", type=int, default=10, help="seed_demo --scale")
    parser.add_argument("--db-name", default="civunit_load")
    parser.add_argument("--work-dir", type=Path, help="default: civunit-load-DBNAME under the temporary folder")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (deploy/gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread when more than one)")
    parser.add_argument(
        "--direct", action="store_true", help="gunicorn alone, without nginx in front (deploy/loopback by default)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop the database and the files first")
    parser.add_argument("--base-url", help="run against this server instead of starting one")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    figures: list[Figure] = []
    with json_output(args.json, figures):
        return run(args, figures)


def run(args: argparse.Namespace, figures: list[Figure]) -> int:
    work = args.work_dir or Path(tempfile.gettempdir()) / f"civunit-load-{args.db_name}"
    work.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen] = []
    if args.base_url:
        env = dict(os.environ)
        url = args.base_url.rstrip("/")
    else:
        env = server_env(args, work)
        prepare(args, env, work)
        if args.direct:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            log = (work / "server.log").open("a")
            processes.append(
                subprocess.Popen(
                    [
                        *(str(BIN / "gunicorn"), "civunit.wsgi", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")),
                        *("-b", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "20"),
                        *("--no-control-socket", "--access-logfile", "/dev/null"),
                    ],
                    cwd=ROOT,
                    # production's gunicorn settings (deploy/gunicorn.conf.py), the workers and threads as asked
                    env={**env, "GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": str(args.threads)},
                    stdout=log,
                    stderr=log,
                )
            )
            processes.append(
                subprocess.Popen(
                    [str(PYTHON), "manage.py", "db_worker", "--interval", "1"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
        else:
            # the production profile from deploy/: nginx (Debian's) with the rendered site, gunicorn, the worker
            loopback = work / "loopback"
            up = subprocess.run(
                [
                    *(str(PYTHON), str(ROOT / "deploy" / "loopback"), "up", "--dir", str(loopback)),
                    *("--workers", str(args.workers), "--task-workers", "1", "--no-migrate"),
                ],
                cwd=ROOT,
                env={**env, "GUNICORN_THREADS": str(args.threads)},
                capture_output=True,
                text=True,
                check=False,
            )
            if up.returncode:
                sys.stderr.write(up.stdout[-2000:] + up.stderr[-4000:])
                raise SystemExit(f"deploy/loopback up failed ({up.returncode})")
            url = up.stdout.strip().splitlines()[-1].rstrip("/")

    def stop_server() -> None:
        if not args.base_url and not args.direct:
            subprocess.run(
                [str(PYTHON), str(ROOT / "deploy" / "loopback"), "down", "--dir", str(work / "loopback")],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=False,
            )
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()

    try:
        wait_up(url)
        sessions = work / "sessions.json"
        sessions.write_text(manage(env, "shell", "-v0", "-c", SESSIONS, capture=True).strip().splitlines()[-1])
        people = json.loads(sessions.read_text())
        roles = sorted({p["role"] for p in people})
        print(f"server {url}; {len(people)} people signed in ({', '.join(roles)})", flush=True)
        warm_up(url, people, rounds=max(args.workers, 1) + 1)
        uploads = work / "uploads.jsonl"
        uploads.write_text("")
        prefix = work / "locust"
        load_before = os.getloadavg()
        started = time.perf_counter()
        locust = subprocess.run(
            [
                *(str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"),
                *("--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s"),
                *("--host", url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "15"),
                *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_SESSIONS": str(sessions),
                "LOAD_UPLOADS": str(uploads),
                "LOAD_MAX_REQUESTS": str(args.max_requests),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()
        if locust.returncode:
            sys.stderr.write(locust.stderr[-4000:])
            raise SystemExit(f"locust failed ({locust.returncode})")
        stats, failures = read_stats(prefix)

        check = json.loads(
            manage({**env, "LOAD_UPLOADS": str(uploads)}, "shell", "-v0", "-c", CHECK_UPLOADS, capture=True)
            .strip()
            .splitlines()[-1]
        )
        stop_server()  # the archive checked with nothing writing
        verify = subprocess.run(
            [str(PYTHON), "manage.py", "verify_archive"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        verify_text = (verify.stdout + verify.stderr).strip().splitlines()
    finally:
        stop_server()

    total = next(row for row in stats if row["Name"] == "Aggregated")
    rows = [row for row in stats if row["Name"] != "Aggregated"]
    print(
        f"\n{args.users} users for {elapsed:.0f} s (bound: {args.duration} s or {args.max_requests} requests), "
        f"{total['Request Count']} requests, {float(total['Requests/s']):.1f} requests/s, "
        f"{total['Failure Count']} failed; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"(1 min), {load_after[1]:.1f} (5 min) on {os.cpu_count()} cores"
    )
    print(
        f"{'page':26} {'kind':5} {'requests':>8} {'failed':>6} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}"
    )
    read_ok = True
    for row in sorted(rows, key=lambda r: (r["Name"] in WRITES, r["Name"])):
        kind = "write" if row["Name"] in WRITES else "read"
        p95 = float(row["95%"])
        print(
            f"{row['Name']:26} {kind:5} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):6.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{float(row['Max Response Time']):7.0f}"
        )
        if kind == "read":
            figures.append(limit_figure(f"load: p95 of {row['Name']}", p95, most=READ_P95_MS, unit="ms", digits=0))
            read_ok &= p95 <= READ_P95_MS
        else:
            figures.append(info_figure(f"load: p95 of {row['Name']} (a write: no target)", p95, unit="ms", digits=0))
    for f in failures:
        print(f"  failure: {f['Method']} {f['Name']}: {f['Error'][:200]} x {f['Occurrences']}")
    lost = check["lost"]
    print(
        f"uploads acknowledged: {check['acknowledged']}, lost or changed: {len(lost)}"
        + (f" ({lost[:3]})" if lost else "")
    )
    print("verify_archive: " + (verify_text[-1] if verify_text else "(no output)") + f" (exit {verify.returncode})")
    figures[:0] = [
        info_figure(
            f"load: requests/s, {args.users} users (load {load_after[0]:.1f}, {os.cpu_count()} cores)",
            float(total["Requests/s"]),
            unit="req/s",
            digits=1,
        ),
        limit_figure("load: failed requests", int(total["Failure Count"]), most=0, unit="requests", digits=0),
        limit_figure(
            f"load: lost uploads (of {check['acknowledged']} acknowledged)", len(lost), most=0, unit="uploads", digits=0
        ),
        limit_figure("load: verify_archive findings (exit status)", verify.returncode, most=0, unit="", digits=0),
    ]
    met = read_ok and int(total["Failure Count"]) == 0 and not lost and verify.returncode == 0
    targets = f"no errors, no lost upload, archive verified, read p95 <= {READ_P95_MS} ms"
    print(f"targets ({targets}): {'met' if met else 'NOT met'}")
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
