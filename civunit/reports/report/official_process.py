"""An official-layout document drawn in a process of its own, as civunit/pdf_process.py draws plain ones:

    peak_kib = render_official_in_child(html, path)   # runs `python -m civunit.reports.report.official_process`

For documents made inside a job that otherwise streams (the binder's cover and index, which lists every item):
WeasyPrint's peak stays in the child, which lives as long as one PDF. The HTML is rendered by the caller (from
the official templates, `pdf.part_html`); the child reads it with the same fetcher as the report (the app's static
files and the configured fonts; it is given no print copy) and prints its peak memory in KiB last.
"""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

TIMEOUT = 1800  # seconds: a binder of 100,000 items lists them all


class OfficialPdfFailed(Exception):
    pass


def render_official_in_child(html: str, path: Path, *, timeout: float = TIMEOUT) -> int:
    """Draw `html` to a PDF at `path` in a child process; returns the child's peak memory in KiB."""
    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "civunit.settings")}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "civunit.reports.report.official_process", str(path)],
        input=html.encode("utf-8"),
        capture_output=True,
        cwd=settings.BASE_DIR,
        env=env,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0 or not path.is_file():
        error = done.stderr.decode("utf-8", "replace")
        log.error("official PDF rendering failed: %s", error[-2000:])
        path.unlink(missing_ok=True)
        raise OfficialPdfFailed(error[-300:])
    lines = done.stdout.decode().split()
    return int(lines[-1]) if lines and lines[-1].isdigit() else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m civunit.reports.report.official_process OUT.pdf < document.html", file=sys.stderr)
        return 2
    import django

    django.setup()
    from .pdf import OfficialFetcher, draw_html

    html = sys.stdin.buffer.read().decode("utf-8")
    data, _pages = draw_html(html, fetcher=OfficialFetcher())
    Path(argv[1]).write_bytes(data)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
