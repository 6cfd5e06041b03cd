"""HTML to PDF with WeasyPrint in a process of its own.

    peak_kib = render_pdf(html, path)        # in the app: runs `python -m civunit.pdf_process PATH`

WeasyPrint with the CJK fonts takes 100–200 MB while it lays out a document, and a Python process does not give
such memory back: rendered inside the worker (or a command) it would hold that peak for as long as the process
lives, and it would be most of the memory of a job that otherwise streams (the evidence binder). Here it lives as
long as one PDF. Only data: URLs are fetched (the document is ours; nothing on disk or the network may be pulled
into it). The child prints its peak memory in KiB on the last line of its standard output.
"""

from __future__ import annotations

import logging
import resource
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

TIMEOUT = 1800  # seconds: a binder of 100,000 items lists them all


class PdfFailed(Exception):
    pass


def render_pdf(html: str, path: Path, *, timeout: float = TIMEOUT) -> int:
    """Render `html` to a PDF at `path` in a child process; returns the child's peak memory in KiB."""
    from django.conf import settings

    done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "civunit.pdf_process", str(path)],
        input=html.encode("utf-8"),
        capture_output=True,
        cwd=settings.BASE_DIR,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0 or not path.is_file():
        error = done.stderr.decode("utf-8", "replace")
        log.error("PDF rendering failed: %s", error[-2000:])
        raise PdfFailed(error[-300:])
    lines = done.stdout.decode().split()
    return int(lines[-1]) if lines and lines[-1].isdigit() else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m civunit.pdf_process OUT.pdf < document.html", file=sys.stderr)
        return 2
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = sys.stdin.buffer.read().decode("utf-8")
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(target=argv[1])
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
