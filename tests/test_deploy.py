"""The production profile's files (deploy/) and the settings that switch on the shared components."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy import render_nginx

ROOT = Path(__file__).resolve().parent.parent

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def rendered(tmp_path: Path) -> str:
    return render_nginx.render(
        listen="127.0.0.1:8080",
        server_name="localhost",
        upstreams=["127.0.0.1:8001", "127.0.0.1:8002"],
        static_root=str(tmp_path / "static"),
        media_root=str(tmp_path / "media"),
        upload_dir=str(tmp_path / "body"),
        upload_secret="x" * 32,
    )


def test_the_template_renders_without_a_placeholder_left(tmp_path):
    text = rendered(tmp_path)
    assert "{{" not in text
    assert "server 127.0.0.1:8002 max_fails=3 fail_timeout=10s;" in text
    assert "client_body_in_file_only clean;" in text
    assert f"alias {tmp_path / 'media'}/;" in text
    # a client can never send the hand-over headers itself
    assert text.count('proxy_set_header X-Civunit-Upload-Secret "";') == 1
    assert text.count('proxy_set_header X-Civunit-Upload-Secret "' + "x" * 32 + '";') == 1


def test_the_raw_upload_s_fields_header_fits_through_nginx_and_gunicorn(tmp_path):
    """The upload page sends up to 24 KB of fields in one header (static/js/evidence-upload.js, RAW_FIELDS_MAX)."""
    import re

    text = rendered(tmp_path)
    size = re.search(r"large_client_header_buffers \d+ (\d+)k;", text)
    assert size is not None and int(size[1]) * 1024 >= 32 * 1024
    gunicorn: dict[str, Any] = {"__file__": str(ROOT / "deploy" / "gunicorn.conf.py")}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), gunicorn)  # noqa: S102 (our own settings file)
    assert gunicorn["limit_request_field_size"] >= 32 * 1024
    script = (ROOT / "static" / "js" / "evidence-upload.js").read_text()
    budget = re.search(r"RAW_FIELDS_MAX = (\d+) \* 1024", script)
    assert budget is not None and int(budget[1]) * 1024 + 100 < 32 * 1024


def test_a_weak_upload_secret_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 16"):
        render_nginx.render(
            listen="80",
            server_name="_",
            upstreams=["127.0.0.1:8001"],
            static_root="/s",
            media_root="/m",
            upload_dir="/b",
            upload_secret='short"; evil',
        )


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_rendered_site(tmp_path):
    (tmp_path / "site.conf").write_text(rendered(tmp_path))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; include {tmp_path}/site.conf; }}\n"
    )
    check = subprocess.run(  # noqa: S603 (nginx, found above)
        [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def settings_under(**env) -> str:
    """The settings module loaded in a fresh process with these variables."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.TASKS['default']['BACKEND'], "
        "'django_tasks_rq' in s.INSTALLED_APPS)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "REDIS_URL", "TASKS_BACKEND"}}
    result = subprocess.run(  # noqa: S603 (this interpreter)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "civunit.settings", "DEBUG": "on", **env},
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_redis_url_puts_the_cache_sessions_and_optionally_the_queue_in_redis():
    assert settings_under() == (
        "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db "
        "django_tasks_db.DatabaseBackend False"
    )
    assert settings_under(REDIS_URL="redis://127.0.0.1:6379/15", TASKS_BACKEND="django_tasks_rq.RQBackend") == (
        "django.core.cache.backends.redis.RedisCache django.contrib.sessions.backends.cached_db "
        "django_tasks_rq.RQBackend True"
    )
    assert "needs REDIS_URL" in settings_under(TASKS_BACKEND="django_tasks_rq.RQBackend")
