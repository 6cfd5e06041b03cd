"""The binder (归档): the accepted evidence of a campaign as a ZIP laid out the way inspectors read it, by standard
(online review) or by year (traditional binders), each folder with its index (目录.xlsx) and the whole with one
cover-and-index PDF. `manage.py export_archive` writes one to a file; the archive page starts one as a
background job (civunit.jobs) whose ZIP is kept through the Storage API with its SHA-256.

plan.py decides what goes where (four queries), names.py makes the names safe and unique, index.py writes the
indexes, cover.py the cover (a hook the read side may fill), writer.py streams the ZIP, jobs.py is the job kind.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.utils import translation

from campaign.models import Campaign

from .plan import BinderPlan, Layout, build_plan
from .writer import BinderResult, Progress, write_binder

__all__ = ["BinderPlan", "BinderResult", "Layout", "build_plan", "export_binder", "write_binder"]


def export_binder(
    *, campaign: Campaign, layout: str, out: IO[bytes], progress: Progress | None = None
) -> tuple[BinderPlan, BinderResult]:
    """Plan and write the binder of `campaign` to `out`, in the site's language (names, indexes and cover)."""
    with translation.override(settings.LANGUAGE_CODE):
        if progress is not None:
            progress.stage("plan")
        plan = build_plan(campaign=campaign, layout=layout)
        return plan, write_binder(plan, out, progress=progress)
