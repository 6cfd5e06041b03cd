"""The binder's cover and index (封面及总目录) in the official layout: the report's base template, print CSS and
fonts (reports/official/binder_cover.html), drawn in a child process (official_process) so that the binder's job
keeps its small memory. Registered as the binder's cover by ReportsConfig.ready() (evidence/binder/cover.py's
hook: the evidence app cannot import the read side)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone

from evidence.binder.plan import BinderPlan

from .content import official_date
from .official_process import render_official_in_child
from .pdf import Part, part_html

log = logging.getLogger(__name__)


def cover_html(plan: BinderPlan) -> str:
    generated = timezone.localtime(plan.generated_at)
    return part_html(
        Part(
            "reports/official/binder_cover.html",
            {
                "plan": plan,
                "generated_on": official_date(generated.date()),
                "files": len(plan.files),
                "total_bytes": plan.total_bytes,
                "missing": [e for e in plan.entries if e.problem],
            },
        ),
        title=plan.archive_name().removesuffix(".zip"),
    )


def official_cover(plan: BinderPlan, path: Path) -> int:
    peak_kib = render_official_in_child(cover_html(plan), path)
    log.info("binder cover (official layout): %s bytes, renderer peak %s MiB", path.stat().st_size, peak_kib // 1024)
    return peak_kib


def register() -> None:
    from evidence.binder.cover import register_cover

    register_cover(official_cover)
