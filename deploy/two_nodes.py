#!/usr/bin/env python3
"""Two app nodes on one PostgreSQL, one Redis and one S3 endpoint, each the production profile of deploy/loopback
(its own nginx, gunicorn and task worker), checked through each other:

- a session made on node A is valid on node B (sessions in Redis, one SECRET_KEY);
- a task checked off through A is visible through B (the database);
- a file uploaded through A (nginx writes it, the app takes it over and stores it in S3) downloads through B with
  the same SHA-256;
- an archive export queued through B, which runs no task worker, is built by A's worker (the queue in Redis,
  django-tasks-rq) and downloads through B.

    .venv/bin/python deploy/two_nodes.py [--keep]

Needs nginx, PostgreSQL at 127.0.0.1:5432 (user postgres, trust), Redis at 127.0.0.1:6379 and moto: each missing
one is named and the script exits with 77 (skipped). It creates a database of its own (civunit_twonode_<random>,
dropped afterwards) and uses Redis database TWO_NODE_REDIS_DB (15 by default: flushed before and after).
tests/test_two_nodes.py runs it in CI.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
LOOPBACK = ROOT / "deploy" / "loopback"
SKIPPED = 77
PASSWORD = "two-node-password-1"  # noqa: S105 (a throw-away account on loopback)

SETUP = """
import json
from django.contrib.auth.models import Group
from campaign.models import Campaign
from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role
from tasks.models import Status, Task
office = Office.objects.create(name="研究室")
head = User.objects.create(username="head", real_name="李明", office=office)
head.set_password(PASSWORD)
head.save()
head.groups.add(Group.objects.get_or_create(name=Role.OFFICE_HEAD.group_name)[0])
office.head = head
office.save()
coordinator = User.objects.create(username="coord", real_name="陈静", office=office)
coordinator.set_password(PASSWORD)
coordinator.save()
coordinator.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR.group_name)[0])
campaign = Campaign.objects.create(
    title="创建全国文明单位", organ_name="政协", start_date="2026-01-01", end_date="2099-12-31", is_current=True
)
task = Task.objects.create(
    campaign=campaign, code="1", code_key="1", title="双节点任务", lead_office=office, status=Status.IN_PROGRESS
)
print(json.dumps({"task": task.pk, "campaign": campaign.pk}))
""".replace("PASSWORD", repr(PASSWORD))


def missing_prerequisites() -> list[str]:
    missing = []
    if not any(os.access(p, os.X_OK) for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")):
        missing.append("nginx (apt-get install nginx)")
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:
        missing.append(f"PostgreSQL at 127.0.0.1:5432 as postgres ({exc.__class__.__name__})")
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=3).ping()
    except Exception as exc:
        missing.append(f"Redis at 127.0.0.1:6379 ({exc.__class__.__name__})")
    try:
        import moto.server  # noqa: F401
    except ImportError:
        missing.append("moto[server]")
    return missing


class Client:
    """A browser's cookie jar against one node; `cookies` may be handed to another node."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None):
        self.base = base
        self.port = int(base.rsplit(":", 1)[1])
        self.cookies = cookies if cookies is not None else {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        conn.request(method, path, body=body, headers=all_headers)
        r = conn.getresponse()
        data = r.read()
        for header, value in r.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return r.status, dict(r.getheaders()), data

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]):
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": self.base + path,
            },
        )

    def login(self, username: str) -> None:
        self.get("/accounts/login/")
        status, _, _ = self.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
        )
        if status != 302:
            raise AssertionError(f"login of {username} on {self.base} answered {status}")

    def upload(self, path: str, name: str, data: bytes) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n双节点上传\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: video/mp4\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _, answer = self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "X-Requested-With": "XMLHttpRequest",
                "Referer": self.base + "/evidence/upload/",
            },
        )
        try:
            return status, json.loads(answer)
        except ValueError:
            return status, {"raw": answer[:300].decode("utf-8", "replace")}


def fake_video(size: int) -> bytes:
    header = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isommp41"
    return header + os.urandom(size - len(header))


def version_of(page: bytes) -> str:
    m = re.search(rb'name="version" value="(\d+)"', page)
    if not m:
        raise AssertionError("the task page carries no version field")
    return m[1].decode()


def migrations_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("**/migrations/*.py")):
        if ".venv" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    digest.update((ROOT / "requirements.lock").read_bytes())  # third-party apps' migrations
    return digest.hexdigest()[:12]


def migrated_template(admin) -> str:
    """A database migrated to the project's current migrations, made once and kept (civunit_twonode_tpl_<key>):
    each run copies it (CREATE DATABASE ... TEMPLATE) instead of migrating, which takes a minute on a busy machine.
    Templates of older migration sets are dropped."""
    import psycopg2.errors

    name = f"civunit_twonode_tpl_{migrations_key()}"
    cursor = admin.cursor()
    cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'civunit_twonode_tpl_%%'")
    existing = {row[0] for row in cursor.fetchall()}
    for old in existing - {name}:
        cursor.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    if name not in existing:
        building = f"{name}_building_{secrets.token_hex(3)}"
        cursor.execute(f'CREATE DATABASE "{building}"')
        env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{building}", "DEBUG": "off"}
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        env.pop("TASKS_BACKEND", None)
        try:
            subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
            try:
                cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            except psycopg2.errors.DuplicateDatabase:  # another run made it meanwhile
                cursor.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        except Exception:
            cursor.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            raise
    return name


def run(keep: bool = False, log=print) -> None:
    """Start the two nodes, run the checks (AssertionError on the first that fails), stop everything."""
    from moto.server import ThreadedMotoServer

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="civunit-two-nodes-"))
    db_name = f"civunit_twonode_{secrets.token_hex(4)}"
    redis_db = int(os.environ.get("TWO_NODE_REDIS_DB", "15"))
    import psycopg2
    import redis

    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    template = migrated_template(admin)
    admin.cursor().execute(f'CREATE DATABASE "{db_name}" TEMPLATE "{template}"')
    redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    s3.start()
    s3_host, s3_port = s3.get_host_and_port()
    endpoint = f"http://{s3_host}:{s3_port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "SECRET_KEY": secrets.token_urlsafe(50),  # one key for both nodes: sessions and signatures
        "AWS_STORAGE_BUCKET_NAME": "civunit-two-nodes",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # moto's
        "AWS_S3_REGION_NAME": "us-east-1",
        "AXES_ENABLED": "on",
        "LOG_LEVEL": "WARNING",
    }
    for key in ("MEDIA_ROOT", "FILE_UPLOAD_TEMP_DIR", "NGINX_UPLOAD_DIR", "NGINX_UPLOAD_SECRET", "CACHE_URL"):
        env.pop(key, None)
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket="civunit-two-nodes")
    nodes: dict[str, Path] = {"a": work / "a", "b": work / "b"}
    try:
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-v0", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True
        )
        ids = json.loads(out.stdout.decode().strip().splitlines()[-1])
        log(f"two nodes: database {db_name} migrated and set up in {time.monotonic() - started:.1f} s")
        # Node B runs no task worker: whatever it queues must be built by node A's.
        ups = {
            name: subprocess.Popen(
                [
                    str(LOOPBACK),
                    "up",
                    "--dir",
                    str(path),
                    "--workers",
                    "2",
                    "--no-migrate",
                    "--task-workers",
                    "1" if name == "a" else "0",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, path in nodes.items()
        }
        bases = {}
        for name, proc in ups.items():
            stdout, stderr = proc.communicate(timeout=180)
            if proc.returncode:
                raise AssertionError(f"node {name} did not start: {stderr[-2000:]}")
            bases[name] = stdout.strip().splitlines()[-1]
        log(f"two nodes: A {bases['a']}, B {bases['b']} up after {time.monotonic() - started:.1f} s")

        # A session made on A is valid on B.
        head_a = Client(bases["a"])
        head_a.login("head")
        head_b = Client(bases["b"], dict(head_a.cookies))
        task_path = f"/tasks/{ids['task']}/"
        status, headers, page = head_b.get(task_path)
        assert status == 200, f"node B does not take node A's session: {status} {headers.get('Location')}"
        log("two nodes: a session made on A is valid on B")

        # A check-off through A is visible through B.
        note = f"双节点核销 {secrets.token_hex(3)}"
        assert note.encode() not in page
        status, headers, _ = head_a.post(
            f"{task_path}check-off/", {"note": note, "version": version_of(page), "confirm": "on"}
        )
        assert status == 302, f"check-off through A answered {status}"
        status, _, page = head_b.get(task_path)
        assert status == 200 and note.encode() in page, "the check-off made through A is not visible through B"
        assert "待审核".encode() in page
        log("two nodes: a check-off through A is visible through B")

        # An upload through A downloads through B.
        data = fake_video(3 * 1024 * 1024 + 17)
        status, answer = head_a.upload("/evidence/upload/file/", "双节点视频.mp4", data)
        assert status == 200 and answer.get("ok"), f"upload through A failed: {status} {answer}"
        status, _, body = head_b.get(f"/evidence/{answer['id']}/download/")
        assert status == 200, f"download through B answered {status}"
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest(), "B sent other bytes"
        log("two nodes: an upload through A (nginx body file taken over, stored in S3) downloads through B")

        # An archive export queued through B is built by A's worker.
        coord_b = Client(bases["b"])
        coord_b.login("coord")
        status, headers, _ = coord_b.post(
            "/evidence/archive/export/", {"campaign": str(ids["campaign"]), "layout": "standard"}
        )
        assert status == 302 and "#export-" in headers.get("Location", ""), f"export through B answered {status}"
        job = int(headers["Location"].rsplit("#export-", 1)[1])
        deadline = time.monotonic() + 60
        state: dict = {}
        while time.monotonic() < deadline:
            status, _, answer_bytes = coord_b.get(f"/jobs/{job}/status/")
            state = json.loads(answer_bytes)
            if state.get("status") in {"done", "failed"}:
                break
            time.sleep(0.3)
        assert state.get("status") == "done", f"the export queued through B was not built: {state}"
        status, headers, body = coord_b.get(f"/jobs/{job}/download/")
        assert status == 200 and body[:2] == b"PK", f"the binder does not download through B: {status}"
        log(f"two nodes: an archive export queued through B was built by A's worker ({len(body)} bytes)")
        log(f"two nodes: all checks passed in {time.monotonic() - started:.1f} s")
    finally:
        if not keep:
            for path in nodes.values():
                if (path / "state.json").exists():
                    subprocess.run([str(LOOPBACK), "down", "--dir", str(path)], check=False, capture_output=True)
            shutil.rmtree(work, ignore_errors=True)
            redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.close()
        s3.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the nodes running and the database in place")
    args = parser.parse_args()
    if missing := missing_prerequisites():
        print("two nodes: skipped, missing: " + "; ".join(missing))
        return SKIPPED
    try:
        run(keep=args.keep)
    except AssertionError as failure:
        print(f"two nodes: FAILED: {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
