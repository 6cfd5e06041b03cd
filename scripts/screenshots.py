"""Screenshots of the main pages, per role, at 1280 and 390 px, to look at before and after a design change.

    .venv/bin/python scripts/screenshots.py OUTDIR [--port 8713] [--only NAME ...]

Builds a throw-away SQLite database and media folder under OUTDIR/.db (migrate + seed_demo), serves the app
with `runserver` on 127.0.0.1:PORT and saves OUTDIR/<role>-<page>-<width>.png (full page) through Debian's
chromium. Also prints each page's scroll width at 390 px (a value above 390 is sideways scrolling).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "civunit-demo"  # noqa: S105 (the documented demo password)

# (role username, page name, path)
PAGES = [
    ("head", "home", "/"),
    ("head", "plan", "/campaign/plan/"),
    ("head", "criteria", "/campaign/criteria/"),
    ("head", "tasks", "/tasks/"),
    ("head", "office-tasks", "/tasks/office/"),
    ("head", "review", "/evidence/review/"),
    ("head", "readiness", "/readiness/"),
    ("staff", "home", "/"),
    ("staff", "my-tasks", "/tasks/mine/"),
    ("staff", "upload", "/evidence/upload/"),
    ("staff", "evidence", "/evidence/"),
    ("staff", "my-evidence", "/evidence/mine/"),
    ("staff", "notifications", "/notifications/"),
    ("coordinator", "home", "/"),
    ("coordinator", "dashboard", "/dashboard/"),
    ("coordinator", "manage", "/campaign/manage/"),
    ("coordinator", "standards", "/evidence/standards/"),
    ("coordinator", "activities", "/evidence/activities/"),
    ("coordinator", "archive", "/evidence/archive/"),
    ("coordinator", "bulletins", "/bulletins/"),
    ("coordinator", "campaigns", "/campaign/campaigns/"),
    ("coordinator", "audit", "/audit/"),
    ("coordinator", "audit-criteria", "/audit/?kind=assessment"),
    ("leader", "home", "/"),
    ("coordinator", "veto", "/campaign/veto/"),
    ("coordinator", "bulletin-new", "/bulletins/new/"),
    ("coordinator", "report", "/report/"),
    ("coordinator", "audit", "/audit/"),
    ("coordinator", "recycle-bin", "/evidence/recycle-bin/"),
    ("coordinator", "import", "/evidence/import/"),
    ("coordinator", "robots", "/robots/"),
    ("staff", "preferences", "/notifications/settings/"),
    ("leader", "readiness", "/readiness/"),
    ("coordinator", "readiness", "/readiness/"),
    ("admin", "people", "/people/"),
    ("admin", "offices", "/offices/"),
    ("admin", "person-add", "/people/add/"),
    ("admin", "office-add", "/offices/add/"),
]


def _wait(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--port", type=int, default=8713)
    parser.add_argument("--only", nargs="*", help="role-page names to take (e.g. head-home staff-upload)")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    args = parser.parse_args()
    out: Path = args.outdir.resolve()
    dbdir = out / ".db"
    dbdir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{dbdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(dbdir / "media"),
        DEBUG="on",
        LANGUAGE_CODE="zh-hans",
    )
    py = str(ROOT / ".venv" / "bin" / "python")
    if not args.reuse or not (dbdir / "db.sqlite3").exists():
        for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
            (dbdir / name).unlink(missing_ok=True)
        subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        subprocess.run([py, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [py, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait(f"{base}/healthz")
        _shoot(base, out, args.only)
    finally:
        server.terminate()
        server.wait(10)


def _shoot(base: str, out: Path, only: list[str] | None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"]
        )
        contexts: dict[str, object] = {}
        for role, name, path in PAGES:
            if only and f"{role}-{name}" not in only:
                continue
            ctx = contexts.get(role)
            if ctx is None:
                ctx = browser.new_context(
                    locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 860}
                )
                page = ctx.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", role)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                contexts[role] = ctx
            page = ctx.pages[0]  # type: ignore[attr-defined]
            for width, height in ((1280, 860), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{role}-{name}-{width}.png"), full_page=True)
                if width == 390:
                    scroll = page.evaluate("() => document.documentElement.scrollWidth")
                    flag = "" if scroll <= 390 else "  <-- sideways scrolling"
                    print(f"{role:<12} {name:<14} {path:<28} 390px: scroll width {scroll}{flag}")
        browser.close()


if __name__ == "__main__":
    main()
