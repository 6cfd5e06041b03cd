"""Browser tests: Playwright drives Debian's chromium (playwright cannot download its own browser here)."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in this thread; Django's live_server teardown would otherwise
# refuse its synchronous database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class SerialWSGIServer(WSGIServer):
    """The live server answers one request at a time. On SQLite the test database lives in memory and the
    server's threads share the test's one connection object: Chromium's parallel requests (page, styles,
    scripts, uploads) then meet "table is locked" or read nothing (a session that seems gone). Serial requests
    avoid that, and Django closes each connection after its response so the browser never waits on a
    keep-alive socket."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = SerialWSGIServer  # type: ignore[assignment]  # any WSGIServer subclass will do

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--lang=zh-CN",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    return {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def screenshot():
    """screenshot(page, name): keeps a PNG under test-artifacts/screenshots/ to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def browser_login(live_server, password):
    """browser_login(page, user): signs in through the real login form."""

    def _login(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login
