"""Settings are read from the environment; these run a fresh interpreter so that each case parses anew."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]

PROBE = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "OPTIONS": db.get("OPTIONS", {}),
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_REDIRECT_EXEMPT": settings.SECURE_REDIRECT_EXEMPT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "TIME_ZONE": settings.TIME_ZONE,
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "MAILERS": settings.MAILERS,
    "PROXY": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
}))
"""


def load(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    # Every variable the settings read is given explicitly, so the developer's .env cannot decide the result.
    full.update(
        {"DEBUG": "off", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "a.example", "DATABASE_URL": "sqlite:////tmp/x.db"}
    )
    full.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=BASE, env=full, capture_output=True, text=True, timeout=60, check=False
    )


def test_debug_off_without_secret_key_refuses_to_start_with_a_clear_message():
    result = load(SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr


def test_production_defaults_are_secure_and_chinese():
    result = load()
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_REDIRECT_EXEMPT"] == ["^healthz$"]
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["TIME_ZONE"] == "Asia/Shanghai"
    assert s["LANGUAGE_CODE"] == "zh-hans"
    assert s["ALLOWED_HOSTS"] == ["a.example"]
    assert s["PROXY"] is None


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout():
    s = json.loads(load().stdout)
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert s["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in s["OPTIONS"]["init_command"]


def test_database_url_selects_postgresql():
    s = json.loads(load(DATABASE_URL="postgres://u:p@db.example:5432/civ").stdout)
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert s["NAME"] == "civ"


def test_debug_on_needs_no_key_and_does_not_redirect_to_https():
    result = load(DEBUG="on", SECRET_KEY="")
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["DEBUG"] is True
    assert s["SECURE_SSL_REDIRECT"] is False


def test_email_url_becomes_the_default_mailer_and_proxy_header_is_opt_in():
    s = json.loads(load(EMAIL_URL="smtp+tls://me:secret@mail.example:587", SECURE_PROXY_SSL_HEADER="on").stdout)
    mailer = s["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "mail.example"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["use_tls"] is True
    assert s["PROXY"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_settings_pass_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DEBUG": "off", "SECRET_KEY": "k" * 64 + "-Zq9", "ALLOWED_HOSTS": "civunit.example.gov.cn"})
    env["DATABASE_URL"] = "sqlite:////tmp/civunit-deploy-check.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


REQUEST_PATH_PROBE = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
import django
django.setup()
from django.conf import settings
from django.template import engines
print(json.dumps({
    "loaders": engines["django"].engine.loaders,
    "SESSION_ENGINE": settings.SESSION_ENGINE,
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "MIDDLEWARE": settings.MIDDLEWARE,
    "BACKENDS": settings.AUTHENTICATION_BACKENDS,
}))
"""


def test_production_renders_through_the_cached_loader_and_keeps_sessions_in_redis():
    """What every request pays: templates compiled once per process (Django wraps the loaders in its cached
    loader only when OPTIONS names none), the session read from Redis, the person loaded in one query."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DEBUG": "off",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "a.example",
            "DATABASE_URL": "sqlite:////tmp/x.db",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", REQUEST_PATH_PROBE], cwd=BASE, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["loaders"] == [
        [
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
        ]
    ]
    assert s["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert s["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    # the signed-in person loaded in one query, by Django's own middleware through our backend
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" in s["MIDDLEWARE"]
    assert s["BACKENDS"][-1] == "civunit.accounts.backends.PersonBackend"
    assert "django.contrib.auth.backends.ModelBackend" not in s["BACKENDS"]
