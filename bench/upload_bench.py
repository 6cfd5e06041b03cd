"""Upload benchmark: one large video through the real upload endpoint of the app served by gunicorn.

    .venv/bin/python bench/upload_bench.py [--size-mb 500] [--keep] [--json]

Prepares a throw-away SQLite database and MEDIA_ROOT under a temporary directory, starts gunicorn (one sync
worker) on 127.0.0.1, signs in as a staff member, and POSTs a generated MP4 of --size-mb to
/evidence/upload/file/ streamed from disk (the client never holds it in memory). It prints the upload's wall time
and the gunicorn worker's peak resident memory (sampled every 20 ms from /proc) beside the time to copy the same
file, fsync it and SHA-256 it in one pass in this process. Targets: upload <= 2 x baseline, memory growth <= 100 MB.
With --json the figures are also printed as JSON (bench/benchlib.py), as bench/run reads them.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, json_output, limit_figure, ratio_figure  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_video(path: Path, size: int) -> None:
    """An MP4 by its header (ftyp isom) followed by random bytes: sniffed as video, no preview to make."""
    header = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isommp41"
    block = os.urandom(CHUNK)
    with path.open("wb") as fh:
        fh.write(header)
        written = len(header)
        while written < size:
            piece = block[: min(CHUNK, size - written)]
            fh.write(piece)
            written += len(piece)


def baseline(src: Path, dst: Path) -> tuple[float, str]:
    """Copy, fsync and SHA-256 the file in one pass, as the server must do."""
    start = time.perf_counter()
    digest = hashlib.sha256()
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return time.perf_counter() - start, digest.hexdigest()


def rss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    m = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(m.group(1)) if m else 0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class Sampler(threading.Thread):
    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, sum(rss_kb(p) for p in self.pids))
            time.sleep(0.02)


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)

    def _store(self, response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def get(self, path: str) -> tuple[int, str]:
        conn = self._conn()
        conn.request("GET", path, headers={"Cookie": self._cookie_header()})
        r = conn.getresponse()
        body = r.read().decode("utf-8", "replace")
        self._store(r)
        conn.close()
        return r.status, body

    def post_form(self, path: str, fields: dict[str, str]) -> int:
        from urllib.parse import urlencode

        conn = self._conn()
        body = urlencode(fields)
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": self._cookie_header(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )
        r = conn.getresponse()
        r.read()
        self._store(r)
        conn.close()
        return r.status

    def post_file(self, path: str, file: Path, name: str) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n基准测试视频\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + file.stat().st_size + len(tail)
        conn = self._conn()
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(length))
        conn.putheader("Cookie", self._cookie_header())
        conn.putheader("X-CSRFToken", self.cookies.get("csrftoken", ""))
        conn.putheader("X-Requested-With", "XMLHttpRequest")
        conn.putheader("Referer", f"http://127.0.0.1:{self.port}/evidence/upload/")
        conn.endheaders()
        conn.send(head)
        with file.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                conn.send(chunk)
        conn.send(tail)
        r = conn.getresponse()
        body = r.read().decode("utf-8", "replace")
        conn.close()
        try:
            return r.status, json.loads(body)
        except ValueError:
            return r.status, {"raw": body[:500]}


SETUP = """
import datetime
from campaign.models import Campaign
from civunit.accounts.models import Office, User
from django.contrib.auth.models import Group
from civunit.accounts.roles import Role
office, _ = Office.objects.get_or_create(name="研究室")
user, _ = User.objects.get_or_create(username="bench", defaults={"office": office, "real_name": "基准"})
user.set_password("bench-password-1")
user.save()
user.groups.add(Group.objects.get_or_create(name=Role.STAFF.group_name)[0])
Campaign.objects.get_or_create(
    title="bench", defaults={"organ_name": "bench", "start_date": datetime.date(2026, 1, 1),
    "end_date": datetime.date(2027, 12, 31), "is_current": True})
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    figures: list[Figure] = []
    with json_output(args.json, figures):
        return run(args, figures)


def run(args: argparse.Namespace, figures: list[Figure]) -> int:
    size = args.size_mb * 1024 * 1024

    work = Path(tempfile.mkdtemp(prefix="civunit-upload-bench-", dir=os.environ.get("BENCH_DIR")))
    env = {
        **os.environ,
        "DEBUG": "on",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "FILE_UPLOAD_TEMP_DIR": str(work),  # the same file system as MEDIA_ROOT, as .env.example advises
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "AXES_ENABLED": "off",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "LOG_LEVEL": "WARNING",
        "EVIDENCE_MAX_VIDEO_MB": str(max(1024, args.size_mb + 1)),
    }
    server = None
    try:
        print(f"work dir: {work}")
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True)

        video = work / "bench-video.mp4"
        make_video(video, size)
        # Warm the page cache for both measurements alike.
        with video.open("rb") as fh:
            while fh.read(8 * CHUNK):
                pass
        copy_seconds, copy_sha = baseline(video, work / "copy.mp4")
        (work / "copy.mp4").unlink()

        port = free_port()
        server = subprocess.Popen(
            [GUNICORN, "civunit.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "900"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        client = Client(port)
        for _ in range(100):
            try:
                client.get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        client.get("/accounts/login/")
        status = client.post_form(
            "/accounts/login/",
            {
                "username": "bench",
                "password": "bench-password-1",
                "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
            },
        )
        assert status == 302, f"login failed: {status}"
        client.get("/evidence/upload/")  # warm the worker: imports, templates
        workers = children(server.pid) or [server.pid]
        before_kb = sum(rss_kb(p) for p in workers)
        sampler = Sampler(workers)
        sampler.start()
        start = time.perf_counter()
        status, body = client.post_file("/evidence/upload/file/", video, "基准测试视频.mp4")
        upload_seconds = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        if status != 200 or not body.get("ok"):
            print(f"upload failed: {status} {body}")
            return 1
        stored = list((work / "media" / "evidence" / "files").rglob("*.mp4"))
        assert len(stored) == 1 and stored[0].stat().st_size == size, "stored file is not whole"
        growth_mb = (sampler.peak - before_kb) / 1024
        ratio = upload_seconds / copy_seconds
        mb = size / 1024 / 1024
        print(f"file: {mb:.0f} MB (sha256 {copy_sha[:16]}…)")
        print(f"copy + fsync + SHA-256 in one pass: {copy_seconds:6.2f} s  ({mb / copy_seconds:6.1f} MB/s)")
        print(f"upload through gunicorn:            {upload_seconds:6.2f} s  ({mb / upload_seconds:6.1f} MB/s)")
        print(f"ratio: {ratio:.2f} x  (target <= 2.0)  {'OK' if ratio <= 2 else 'MISSED'}")
        print(
            f"gunicorn worker RSS: {before_kb / 1024:.1f} MB before, peak {sampler.peak / 1024:.1f} MB, "
            f"growth {growth_mb:.1f} MB  (target <= 100)  {'OK' if growth_mb <= 100 else 'MISSED'}"
        )
        figures.append(
            ratio_figure(
                f"upload {mb:.0f} MB through gunicorn vs cp+fsync+SHA-256", upload_seconds, copy_seconds, most=2
            )
        )
        figures.append(limit_figure("upload: gunicorn worker memory growth", growth_mb, most=100, unit="MB"))
        return 0 if ratio <= 2 and growth_mb <= 100 else 2
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
