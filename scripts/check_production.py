"""Runs civunit the way production does and fails on the first page that does not answer as it should.

    .venv/bin/python scripts/check_production.py

In a scratch directory (static root, media root, SQLite file) and with production settings (DEBUG off, a random
SECRET_KEY, a real host name, the manifest static storage, HTTPS redirects on): `check --deploy --fail-level
WARNING`, `collectstatic`, `migrate` and the demo data; then every `{% static %}` name in the templates must be in
the manifest, and through the whole middleware stack (WhiteNoise included) the login page, a login through the form
with CSRF enforced, the pages a signed-in coordinator uses, the admin, and every static file those pages link must
answer 200, and a missing page 404. With DEBUG off a static file the manifest lacks makes every page that links it a
500, and none of this shows under the development settings the test suite runs with. CI runs it;
tests/accounts/test_production.py runs it too, so `make test` catches it.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import cast

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "civunit.example.gov.cn"
PASSWORD = "civunit-demo"  # noqa: S105 (seed_demo's documented demo password, in a scratch database)

# (username, URL name or path): the pages a signed-in person opens first.
SIGNED_IN_PAGES = [
    ("coordinator", "reports:home"),
    ("coordinator", "tasks:list"),
    ("coordinator", "tasks:mine"),
    ("coordinator", "tasks:office"),
    ("coordinator", "campaign:plan"),
    ("coordinator", "campaign:criteria"),
    ("coordinator", "campaign:manage"),
    ("coordinator", "evidence:browse"),
    ("coordinator", "evidence:upload"),
    ("coordinator", "evidence:mine"),
    ("coordinator", "notifications:list"),
    ("coordinator", "notifications:preferences"),
    ("coordinator", "password_change"),
    ("admin", "admin:index"),
]


def production_environment(scratch: Path) -> dict[str, str]:
    """Every variable the settings read that matters here, so that a developer's .env cannot decide the result."""
    return {
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "STATIC_MANIFEST": "on",
        "SECURE_SSL_REDIRECT": "on",
        "SECURE_PROXY_SSL_HEADER": "on",
        "EMAIL_URL": "consolemail://",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "civunit.settings",
    }


class Links(HTMLParser):
    """The href and src of a page's <link> and <script> elements, and its CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.csrf_token = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            self.assets.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"] or "")
        elif tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf_token = a.get("value") or ""


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def template_static_names() -> set[str]:
    """Every literal `{% static '…' %}` name in the project's and the apps' templates."""
    pattern = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")
    names: set[str] = set()
    for root in ["templates", "civunit", "campaign", "tasks", "evidence"]:
        for path in (BASE_DIR / root).rglob("*.html"):
            names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def main() -> int:
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="civunit-production-") as tmp:
        os.environ.update(production_environment(Path(tmp)))
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        if settings.DEBUG:
            print("FAILED: DEBUG is on", file=sys.stderr)
            return 1
        # The deployment checks under these settings, with a real mailer (the console one above keeps the demo
        # data's mail off the network, and the check rightly refuses it); any warning fails.
        print("check --deploy --fail-level WARNING under production settings")
        checked = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=BASE_DIR,
            env={**os.environ, "EMAIL_URL": "smtp://localhost:25"},
            check=False,
        )
        if checked.returncode:
            print("FAILED: check --deploy --fail-level WARNING", file=sys.stderr)
            return 1
        print("collectstatic, migrate, seed_demo under production settings")
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115

        # DEBUG off: WhiteNoise's manifest storage (settings.STORAGES["staticfiles"])
        manifest = cast(ManifestFilesMixin, staticfiles_storage)
        for name in sorted(template_static_names()):
            try:
                manifest.stored_name(name)
            except ValueError:
                failures.append(f"{{% static '{name}' %}} is not in the manifest")

        def client() -> Client:
            # Behind the TLS proxy (SECURE_PROXY_SSL_HEADER), as in production; the Origin header is what a
            # browser sends with a form post over HTTPS.
            return Client(
                enforce_csrf_checks=True,
                headers={"host": HOST, "x-forwarded-proto": "https", "origin": f"https://{HOST}"},
            )

        assets: set[str] = set()

        def expect(response, status: int, what: str) -> None:
            print(f"  {response.status_code} {what}")
            if response.status_code != status:
                failures.append(f"{what} answered {response.status_code}, expected {status}")
            elif response.get("Content-Type", "").startswith("text/html"):
                assets.update(parse(response.content.decode()).assets)

        anonymous = client()
        expect(anonymous.get("/healthz"), 200, "GET /healthz")
        expect(anonymous.get("/accounts/login/"), 200, "GET /accounts/login/ (anonymous)")
        expect(anonymous.get("/no-such-page/"), 404, "GET /no-such-page/ (anonymous)")
        expect(anonymous.get("/"), 302, "GET / (anonymous, sent to login)")

        signed_in: dict[str, Client] = {}
        for username, url_name in SIGNED_IN_PAGES:
            if username not in signed_in:
                c = client()
                login = c.get("/accounts/login/")
                token = parse(login.content.decode()).csrf_token
                response = c.post(
                    "/accounts/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
                )
                expect(response, 302, f"POST /accounts/login/ as {username}")
                signed_in[username] = c
            url = reverse(url_name)
            expect(signed_in[username].get(url), 200, f"GET {url} as {username}")
        expect(signed_in["coordinator"].get("/tasks/999999999/"), 404, "GET /tasks/999999999/ as coordinator")

        for url in sorted(assets):
            if url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL):
                expect(anonymous.get(url), 200, f"GET {url}")
        if not any("bootstrap" in url for url in assets):
            failures.append("no page linked the vendored bootstrap files")

    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    if not failures:
        print("production profile: every page answered as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
