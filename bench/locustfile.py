"""The load test's users (locust): people of every role working on the demo campaign at once.

Run by bench/load_bench.py (headless, on loopback, bounded in time and in users), which prepares the database,
starts the server and hands this file the signed-in sessions in LOAD_SESSIONS (a JSON file: one session cookie
per demo account and its role) and where to record acknowledged uploads in LOAD_UPLOADS (one JSON line per
upload the server acknowledged: its id and the SHA-256 of the bytes sent). Requests are named by page ("task
list", "dashboard", ...), not by URL, so that the statistics are per page.

- leadership: the dashboard, the readiness page, the task list, the criteria, the evidence;
- coordinator: the dashboard, the task list, the evidence review queue, accepts evidence and checked-off tasks;
- office heads: their office's tasks, the review queue, accept evidence, accept tasks, the dashboard;
- staff: their tasks, their evidence, upload photos (small JPEGs made here, each distinct), report progress,
  check tasks off;
- administrator: the people and offices pages, the task list.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import random
import re
import threading
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SESSIONS = json.loads(Path(os.environ["LOAD_SESSIONS"]).read_text()) if os.environ.get("LOAD_SESSIONS") else []
UPLOADS = Path(os.environ.get("LOAD_UPLOADS", os.devnull))
_uploads_lock = threading.Lock()
_counter = itertools.count()

TASK_LINK = re.compile(r'href="/tasks/(\d+)/"')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
HIDDEN = re.compile(r'<input\b[^>]*type="hidden"[^>]*>')
REVIEW_ACCEPT = re.compile(r'action="(/evidence/review/\d+/accept/)"')


def forms(html: str) -> list[tuple[str, dict[str, str]]]:
    """(action, hidden fields) of each form of a page."""
    found = []
    for attrs, body in FORM.findall(html):
        action = dict(ATTR.findall(attrs)).get("action", "")
        fields = {}
        for tag in HIDDEN.findall(body):
            a = dict(ATTR.findall(tag))
            if "name" in a:
                fields[a["name"]] = a.get("value", "")
        found.append((action, fields))
    return found


def photo() -> bytes:
    """A small JPEG of its own (a different colour and noise each time, so never a duplicate of another)."""
    from PIL import Image

    n = next(_counter)
    rng = random.Random(f"{os.getpid()}-{n}-{uuid.uuid4()}")
    im = Image.new("RGB", (320, 240), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    im.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(320 * 24)], offset=0)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


class Person(HttpUser):
    """A signed-in person; the subclasses are the roles. Each locust user takes the next session of its role."""

    abstract = True
    role = ""
    # Office staff read a page before the next click: 3 to 10 seconds (6.5 s on average) between one action and the
    # next. 50 such people make about 6 requests a second (an action is one to four requests), which is what a
    # 26-person organ produces when all of them are working at once, not the 1 to 3 s of a script clicking ahead.
    wait_time = between(3, 10)
    _next: dict[str, itertools.count] = {}

    def on_start(self) -> None:
        mine = [s for s in SESSIONS if s["role"] == self.role]
        if not mine:
            raise RuntimeError(f"no session for the role {self.role}")
        counter = Person._next.setdefault(self.role, itertools.count())
        session = mine[next(counter) % len(mine)]
        self.username = session["username"]
        self.client.cookies.set("sessionid", session["sessionid"])
        self.page("/", "home")  # the CSRF cookie

    # -- helpers ---------------------------------------------------------------------------------------------
    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {path}")
                return ""
            if "/accounts/login/" in response.url:
                response.failure(f"sent to the login page from {path}")
                return ""
            response.success()
            return response.text

    def post(self, path: str, data: dict[str, str], name: str) -> str:
        data = {**data, "csrfmiddlewaretoken": (self.client.cookies.get("csrftoken") or "")}
        headers = {"Referer": (self.host or "").rstrip("/") + path}
        with self.client.post(path, data=data, headers=headers, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{response.status_code} on POST {path}")
                return ""
            response.success()
            return response.text

    def some_task(self, list_path: str, name: str) -> str:
        """A task detail page reached from a list page, or "" when the list is empty."""
        html = self.page(list_path, name)
        ids = TASK_LINK.findall(html)
        if not ids:
            return ""
        pk = random.choice(ids)
        return self.page(f"/tasks/{pk}/", "task detail") and f"/tasks/{pk}/"

    def task_form(self, task_path: str, action: str, extra: dict[str, str], name: str, html: str = "") -> bool:
        """Post the task page's form for this action (with its version), if the page offers it."""
        html = html or self.page(task_path, "task detail")
        for form_action, fields in forms(html):
            if form_action.endswith(f"/{action}/"):
                fields.pop("csrfmiddlewaretoken", None)
                self.post(form_action, {**fields, **extra}, name)
                return True
        return False

    def accept_evidence(self) -> None:
        html = self.page("/evidence/review/", "evidence review queue")
        actions = REVIEW_ACCEPT.findall(html)
        if actions:
            self.post(random.choice(actions), {}, "accept evidence")


class Leadership(Person):
    role = "leadership"
    weight = 5

    @task(5)
    def dashboard(self) -> None:
        self.page("/", "dashboard")

    @task(2)
    def readiness(self) -> None:
        self.page("/readiness/", "readiness")

    @task(2)
    def task_list(self) -> None:
        self.page("/tasks/", "task list")

    @task(1)
    def criteria(self) -> None:
        self.page("/campaign/criteria/", "criteria")

    @task(1)
    def evidence(self) -> None:
        self.page("/evidence/", "evidence browse")


class Coordinator(Person):
    role = "coordinator"
    weight = 5

    @task(3)
    def dashboard(self) -> None:
        self.page("/", "dashboard")

    @task(3)
    def task_list(self) -> None:
        self.page("/tasks/", "task list")

    @task(2)
    def review_evidence(self) -> None:
        self.accept_evidence()

    @task(2)
    def review_task(self) -> None:
        path = self.some_task("/tasks/?review=on", "task list")
        if path:
            self.task_form(path, "accept", {"note": "经审核，材料齐全。"}, "accept task")

    @task(1)
    def evidence(self) -> None:
        self.page("/evidence/", "evidence browse")


class OfficeHead(Person):
    role = "office_head"
    weight = 12

    @task(3)
    def office_tasks(self) -> None:
        self.page("/tasks/office/", "office tasks")

    @task(2)
    def dashboard(self) -> None:
        self.page("/", "dashboard")

    @task(2)
    def review_evidence(self) -> None:
        self.accept_evidence()

    @task(1)
    def review_task(self) -> None:
        path = self.some_task("/tasks/office/", "office tasks")
        if path:
            self.task_form(path, "accept", {"note": "同意。"}, "accept task")

    @task(1)
    def criteria(self) -> None:
        self.page("/evidence/standards/", "evidence by standard")


class Staff(Person):
    role = "staff"
    weight = 25

    @task(3)
    def my_tasks(self) -> None:
        self.page("/tasks/mine/", "my tasks")

    @task(2)
    def my_evidence(self) -> None:
        self.page("/evidence/mine/", "my evidence")

    @task(3)
    def upload(self) -> None:
        self.page("/evidence/upload/", "upload page")
        data = photo()
        digest = hashlib.sha256(data).hexdigest()
        name = f"活动照片-{uuid.uuid4().hex[:8]}.jpg"
        with self.client.post(
            "/evidence/upload/file/",
            data={"title": "创建活动现场照片", "category": "photo"},
            files={"file": (name, data, "image/jpeg")},
            headers={
                "X-CSRFToken": (self.client.cookies.get("csrftoken") or ""),
                "X-Requested-With": "XMLHttpRequest",
                "Referer": (self.host or "").rstrip("/") + "/evidence/upload/",
            },
            name="upload photo",
            catch_response=True,
        ) as response:
            try:
                body = response.json()
            except ValueError:
                body = {}
            if response.status_code != 200 or not body.get("ok"):
                response.failure(f"{response.status_code}: {str(body or response.text)[:200]}")
                return
            response.success()
        with _uploads_lock, UPLOADS.open("a") as fh:
            fh.write(json.dumps({"id": body["id"], "sha256": digest, "size": len(data), "user": self.username}))
            fh.write("\n")

    @task(2)
    def progress(self) -> None:
        path = self.some_task("/tasks/mine/", "my tasks")
        if path:
            self.task_form(path, "progress", {"text": "已完成本周工作，材料正在整理。"}, "report progress")

    @task(1)
    def check_off(self) -> None:
        path = self.some_task("/tasks/mine/", "my tasks")
        if path:
            note = {"note": "已完成，见上传的照片和会议记录。", "confirm": "on"}
            if not self.task_form(path, "check-off", note, "check off"):
                # not started yet: start it, then check it off (the page after starting offers the form)
                html = self.page(path, "task detail")
                if self.task_form(path, "start", {}, "start task", html=html):
                    self.task_form(path, "check-off", note, "check off")


class Administrator(Person):
    role = "admin"
    weight = 3

    @task(2)
    def people(self) -> None:
        self.page("/people/", "people")

    @task(1)
    def offices(self) -> None:
        self.page("/offices/", "offices")

    @task(1)
    def task_list(self) -> None:
        self.page("/tasks/", "task list")


# Bounded in count as well as in time: the run stops after LOAD_MAX_REQUESTS requests (0: no bound).
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS") or 0)
_seen = itertools.count(1)
_env: dict[str, Any] = {}


@events.init.add_listener
def _keep_environment(environment, **_kwargs) -> None:
    _env["environment"] = environment


@events.request.add_listener
def _bound(**_kwargs) -> None:
    if MAX_REQUESTS and next(_seen) == MAX_REQUESTS:
        import gevent  # type: ignore[import-untyped]

        runner = _env["environment"].runner
        gevent.spawn(runner.quit)
