"""The binder's cover-and-index PDF (封面及总目录): one for the whole binder.

The cover is made by one function, `make_cover(plan, path)`, that writes the PDF to `path`. The plain cover below
is the default; the read side may register the report's official layout instead (`register_cover()` in its
AppConfig.ready(), as campaign/links.py lets apps add to a standard's page), since evidence cannot import it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from civunit.pdf_process import render_pdf

from .plan import BinderPlan

log = logging.getLogger(__name__)

# Writes the PDF to the path; returns the peak memory of the process that rendered it, in KiB (0: not known).
CoverMaker = Callable[[BinderPlan, Path], int]
_maker: CoverMaker | None = None


def register_cover(maker: CoverMaker) -> None:
    """Make the binder's cover with `maker` instead of the plain one."""
    global _maker
    _maker = maker


def make_cover(plan: BinderPlan, path: Path) -> int:
    return (_maker or plain_cover)(plan, path)


def plain_cover(plan: BinderPlan, path: Path) -> int:
    """A plain cover page (organ, campaign, layout, date, counts) and the index of every folder and item."""
    html = render_to_string(
        "evidence/binder/cover.html",
        {
            "plan": plan,
            "generated": timezone.localtime(plan.generated_at),
            "files": len(plan.files),
            "total_bytes": plan.total_bytes,
            "missing": [e for e in plan.entries if e.problem],
        },
    )
    peak_kib = render_pdf(html, path)
    log.info("binder cover: %s bytes, renderer peak %s MiB", path.stat().st_size, peak_kib // 1024)
    return peak_kib
