"""The binder as a background job (civunit.jobs): started from the archive page, its progress on that page and on
/jobs/<id>/, its ZIP kept through the Storage API with its SHA-256 and offered for download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Campaign
from civunit.jobs import registry
from civunit.jobs.services import JobFailed

from .. import access
from .plan import Layout, build_plan
from .writer import write_binder

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from civunit.accounts.models import User
    from civunit.jobs.models import Job
    from civunit.jobs.services import JobContext

KIND = "evidence_binder"
MAX_PROBLEMS_KEPT = 50


def run(ctx: JobContext) -> None:
    pk = ctx.params.get("campaign")
    campaign = Campaign.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if campaign is None:
        raise JobFailed(_("The campaign no longer exists."))
    layout = ctx.params.get("layout")
    if layout not in Layout.values:
        raise JobFailed(_("Unknown layout."))
    with translation.override(settings.LANGUAGE_CODE):
        ctx.stage("plan")
        plan = build_plan(campaign=campaign, layout=layout)
        with ctx.result_file(plan.archive_name()) as out:
            result = write_binder(plan, out, progress=ctx)
        ctx.stage("store")  # the jobs app stores the ZIP (Storage API) once run() returns
    ctx.summary = {
        "campaign": campaign.pk,
        "layout": layout,
        "items": len(plan.entries),
        "folders": len(plan.folders),
        "files": result.files,
        "bytes": result.bytes,
        "problem_count": len(result.problems),
        "problems": result.problems[:MAX_PROBLEMS_KEPT],
    }


def can_read(user: User | AnonymousUser, job: Job) -> bool:
    """Every coordinator and administrator (a binder holds all the accepted evidence, which they all read)."""
    return bool(user.is_authenticated and access.can_export_binder(user))


def register() -> None:
    registry.register(
        registry.JobKind(
            key=KIND,
            label=gettext_lazy("Evidence binder"),
            run=run,
            stages={
                "plan": gettext_lazy("Collecting the accepted items"),
                "files": gettext_lazy("Writing the files"),
                "indexes": gettext_lazy("Writing the indexes"),
                "cover": gettext_lazy("Making the cover and index"),
                "store": gettext_lazy("Keeping the binder"),
            },
            can_read=can_read,
        )
    )
