"""Uploads through the production profile (deploy/loopback: nginx with the rendered template, gunicorn, a worker):
a raw upload (the upload page's script sends the file itself) is renamed from nginx's body file into MEDIA_ROOT,
the gunicorn worker writing none of its bytes (its /proc/PID/io write count; the multipart fallback, whose bytes
the kernel copies, is measured alike so the measure can fail); hostile requests — a forged body-file header, a
path outside nginx's folder, a symbolic link, a wrong size, a bad CSRF token, an unsupported type — store
nothing, move nothing and leave nothing in nginx's folder or the upload folder. Skips without nginx."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from bench.upload_bench import SETUP, Client, make_video

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ROOT / "deploy" / "loopback"
NGINX = next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
SIZE = 24 * 1024 * 1024

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
]


class Profile:
    def __init__(self, directory: Path, port: int, app_port: int, worker: int, secret: str):
        self.dir = directory
        self.port = port
        self.app_port = app_port
        self.worker = worker
        self.secret = secret
        self.media = directory / "media"
        self.body_dir = directory / "nginx-body"
        self.temp_dir = directory / "tmp" / "civunit-uploads"

    def stored(self) -> list[Path]:
        return sorted(p for p in (self.media / "evidence" / "files").rglob("*") if p.is_file())

    def leftovers(self) -> list[Path]:
        return [p for p in self.body_dir.rglob("*") if p.is_file()] + list(self.temp_dir.glob("*.part"))

    def written(self) -> int:
        """Bytes the gunicorn worker has written so far (write(2), copy_file_range(2), ...: /proc/PID/io wchar)."""
        text = Path(f"/proc/{self.worker}/io").read_text()
        return int(next(line for line in text.splitlines() if line.startswith("wchar:")).split()[1])


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    work = tmp_path_factory.mktemp("loopback-uploads")
    lb = work / "lb"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(lb / "media"),
        "AXES_ENABLED": "off",
        "LOG_LEVEL": "WARNING",
    }
    for key in ("FILE_UPLOAD_TEMP_DIR", "NGINX_UPLOAD_DIR", "NGINX_UPLOAD_SECRET", "STATIC_ROOT", "REDIS_URL"):
        env.pop(key, None)
    env.pop("TASKS_BACKEND", None)
    out = subprocess.run(  # noqa: S603 (our own script)
        [str(LOOPBACK), "up", "--dir", str(lb), "--workers", "1", "--task-workers", "0"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        state = json.loads((lb / "state.json").read_text())
        stored_env = dict(line.split("=", 1) for line in (lb / "env").read_text().splitlines() if "=" in line)
        shell_env = {**env, "DEBUG": "off", "ALLOWED_HOSTS": "127.0.0.1", **stored_env}
        shell_env["NGINX_UPLOAD_DIR"] = str(lb / "nginx-body")
        subprocess.run(  # noqa: S603
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", SETUP],
            cwd=ROOT,
            env=shell_env,
            check=True,
        )
        gunicorn = state["processes"][0]
        children = Path(f"/proc/{gunicorn}/task/{gunicorn}/children").read_text().split()
        port = int(out.stdout.strip().splitlines()[-1].rsplit(":", 1)[1])
        app_port = int(state["app_url"].rsplit(":", 1)[1])
        yield Profile(lb, port, app_port, int(children[0]), stored_env["NGINX_UPLOAD_SECRET"])
    finally:
        subprocess.run([str(LOOPBACK), "down", "--dir", str(lb)], check=False)  # noqa: S603


@pytest.fixture(scope="module")
def client(profile):
    c = Client(profile.port)
    c.get("/accounts/login/")
    status = c.post_form(
        "/accounts/login/",
        {"username": "bench", "password": "bench-password-1", "csrfmiddlewaretoken": c.cookies["csrftoken"]},
    )
    assert status == 302
    return c


def post_raw(port: int, client: Client, data: bytes, *, name="活动视频.mp4", csrf=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(
        "POST",
        "/evidence/upload/file/",
        body=data,
        headers={
            "Content-Type": "video/mp4",
            "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
            "X-CSRFToken": client.cookies["csrftoken"] if csrf is None else csrf,
            "X-Requested-With": "XMLHttpRequest",
            "Referer": f"http://127.0.0.1:{port}/evidence/upload/",
            "X-Civunit-File-Name": quote(name),
            "X-Civunit-Fields": urlencode({"title": "回环测试", "caption": "说明 & 备注"}),
            **(headers or {}),
        },
    )
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    try:
        return response.status, json.loads(body)
    except ValueError:
        return response.status, {"text": body}


def video(tmp_path: Path, name: str) -> tuple[Path, bytes]:
    path = tmp_path / name
    make_video(path, SIZE)
    return path, path.read_bytes()


def settle(profile: Profile) -> None:
    """nginx removes its body file once the response is sent (`clean`): wait for it."""
    deadline = time.monotonic() + 5
    while profile.leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_raw_upload_is_renamed_from_nginx_s_body_file(profile, client, tmp_path):
    path, data = video(tmp_path, "raw.mp4")
    before = profile.written()
    status, body = post_raw(profile.port, client, data)
    written = profile.written() - before
    assert status == 200, body
    stored = profile.stored()
    assert len(stored) == 1
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert stored[0].stat().st_nlink == 1
    assert written < SIZE // 20, f"the worker wrote {written} bytes: the file was copied, not renamed"
    settle(profile)
    assert profile.leftovers() == []

    # The multipart fallback: the kernel copies the file's bytes out of the body file (counted alike).
    path.write_bytes(data[:100] + os.urandom(64) + data[164:])
    before = profile.written()
    status, body = client.post_file("/evidence/upload/file/", path, "备用视频.mp4")
    assert status == 200, body
    assert profile.written() - before >= SIZE
    settle(profile)
    assert profile.leftovers() == []
    for p in profile.stored():
        p.unlink()


def test_a_client_cannot_name_the_body_file(profile, client, tmp_path):
    """nginx overwrites the hand-over headers: the forged path is ignored, the upload is the body sent."""
    victim, victim_data = video(tmp_path, "victim.mp4")
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + os.urandom(4096)
    forged = {
        "X-Civunit-Upload-File": str(victim),
        "X-Civunit-Upload-Secret": "a-guess-of-the-secret-value",
        "X-Civunit-Upload-Length": str(SIZE),
    }
    status, body = post_raw(profile.port, client, data, headers=forged)
    assert status == 200, body
    stored = profile.stored()
    assert [p.read_bytes() for p in stored] == [data]
    assert victim.read_bytes() == victim_data
    stored[0].unlink()
    settle(profile)
    assert profile.leftovers() == []


def hand_over(profile: Profile, client: Client, named: Path, *, secret: str, length: int) -> int:
    """A request straight to gunicorn, as only nginx should send it: the body file's path, size and secret."""
    status, _ = post_raw(
        profile.app_port,
        client,
        b"",
        headers={
            "X-Civunit-Upload-File": str(named),
            "X-Civunit-Upload-Secret": secret,
            "X-Civunit-Upload-Length": str(length),
        },
    )
    return status


@pytest.mark.parametrize("case", ["wrong secret", "outside the folder", "symlink", "wrong size"])
def test_a_hand_over_that_nginx_did_not_make_is_refused(profile, client, tmp_path, case):
    victim, data = video(tmp_path, "victim.mp4")
    named, secret, length = victim, profile.secret, len(data)
    link = profile.body_dir / "9" / "99" / "0000099999"
    if case == "wrong secret":
        named, secret = profile.body_dir / "victim", "a-guess-of-the-secret-value"
        os.link(victim, named)
    elif case == "symlink":
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim)
        named = link
    elif case == "wrong size":
        named = profile.body_dir / "victim"
        named.write_bytes(data)
        length = len(data) + 1
    try:
        assert hand_over(profile, client, named, secret=secret, length=length) == 400
        assert victim.read_bytes() == data
        assert named.exists() or named.is_symlink()
        assert profile.stored() == []
    finally:
        for p in (link, profile.body_dir / "victim"):
            p.unlink(missing_ok=True)


@pytest.mark.parametrize(("case", "status"), [("bad csrf", 403), ("unsupported type", 415), ("bad file name", 400)])
def test_a_refused_raw_upload_leaves_nothing_behind(profile, client, case, status):
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + os.urandom(2 * 1024 * 1024)
    kwargs: dict = {}
    if case == "bad csrf":
        kwargs["csrf"] = "x" * 32
    elif case == "unsupported type":
        data = b"MZ" + os.urandom(2 * 1024 * 1024)
        kwargs["name"] = "程序.mp4"
    elif case == "bad file name":
        kwargs["headers"] = {"X-Civunit-File-Name": "%FF%FE.mp4"}
    got, body = post_raw(profile.port, client, data, **kwargs)
    assert got == status, body
    if status != 403:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])
    settle(profile)
    assert profile.stored() == []
    assert profile.leftovers() == []
