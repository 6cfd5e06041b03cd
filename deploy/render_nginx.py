#!/usr/bin/env python3
"""Render deploy/nginx/civunit.conf.template into an nginx site file.

    deploy/render_nginx.py --listen 443 ssl --server-name civunit.example.gov.cn \\
        --upstream 127.0.0.1:8001 --static-root /srv/civunit/staticfiles --media-root /var/lib/civunit/media \\
        --upload-dir /var/lib/civunit/nginx-body --upload-secret "$NGINX_UPLOAD_SECRET" \\
        --extra 'ssl_certificate /etc/ssl/civunit.pem;' --extra 'ssl_certificate_key /etc/ssl/civunit.key;' \\
        > /etc/nginx/sites-available/civunit

Every {{NAME}} of the template must be given (an unknown or missing one is an error), so a rendered file never
carries a placeholder. Runs on the system's python3 (no Django needed).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "civunit.conf.template"


def render(
    *,
    listen: str,
    server_name: str,
    upstreams: list[str],
    static_root: str,
    media_root: str,
    upload_dir: str,
    upload_secret: str,
    max_body: str = "4200m",
    extra: list[str] | None = None,
    template: Path = TEMPLATE,
) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,}", upload_secret):
        raise ValueError("the upload secret must be at least 16 letters, digits, - or _")
    values = {
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "UPSTREAM_SERVERS": "\n".join(f"    server {u} max_fails=3 fail_timeout=10s;" for u in upstreams),
        "STATIC_ROOT": static_root.rstrip("/"),
        "MEDIA_ROOT": media_root.rstrip("/"),
        "UPLOAD_DIR": upload_dir.rstrip("/"),
        "UPLOAD_SECRET": upload_secret,
        "MAX_BODY": max_body,
        "SERVER_EXTRA": "\n".join(f"    {line}" for line in (extra or [])),
    }
    text = template.read_text(encoding="utf-8")
    wanted = set(re.findall(r"\{\{([A-Z_]+)\}\}", text))
    if missing := wanted - values.keys():
        raise ValueError(f"the template names values this script does not know: {sorted(missing)}")
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m[1]], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", nargs="+", required=True, help="e.g. 443 ssl, or 127.0.0.1:8080")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--upstream", action="append", required=True, help="host:port of a gunicorn (repeat)")
    parser.add_argument("--static-root", required=True)
    parser.add_argument("--media-root", required=True)
    parser.add_argument("--upload-dir", required=True, help="nginx's request body files (same FS as MEDIA_ROOT)")
    parser.add_argument("--upload-secret", required=True, help="the app's NGINX_UPLOAD_SECRET")
    parser.add_argument("--max-body", default="4200m")
    parser.add_argument("--extra", action="append", default=[], help="a line for the server block (repeat)")
    args = parser.parse_args(argv)
    try:
        text = render(
            listen=" ".join(args.listen),
            server_name=args.server_name,
            upstreams=args.upstream,
            static_root=args.static_root,
            media_root=args.media_root,
            upload_dir=args.upload_dir,
            upload_secret=args.upload_secret,
            max_body=args.max_body,
            extra=args.extra,
        )
    except ValueError as exc:
        print(f"render_nginx: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
