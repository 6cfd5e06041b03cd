"""Background jobs of the evidence archive (django.tasks; the worker is `manage.py db_worker`): previews, the sweep,
and the coordinator's import of an existing archive (a civunit.jobs kind, registered in EvidenceConfig.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import files, previews

if TYPE_CHECKING:
    from civunit.jobs.registry import JobKind
    from civunit.jobs.services import JobContext

IMPORT_KIND = "evidence_import"


@task()
def make_previews(stored_file_id: int) -> str:
    return previews.make_previews(stored_file_id)


@task()
def clean_stale_uploads() -> int:
    return files.clean_stale_uploads()


def run_import(ctx: JobContext) -> None:
    """The coordinator's ZIP import: the ZIP the page saved to the storage (params["zip"]), imported for the office
    params["office"], then deleted whatever happens; the report goes to the job's summary and its workbook."""
    from campaign.models import Campaign
    from civunit.accounts.models import Office
    from civunit.jobs.services import JobFailed

    from . import access
    from .importing.sources import ArchiveRefused
    from .services.importing import ImportFailed, import_archive

    zip_name = str(ctx.params.get("zip") or "")
    try:
        user = ctx.user
        if user is None or not access.can_import_evidence(user):
            raise JobFailed(_("Only the campaign coordinator may import an archive."))
        office = Office.objects.filter(pk=int(ctx.params.get("office") or 0)).first()
        campaign = Campaign.objects.current()
        if office is None or campaign is None or campaign.pk != ctx.params.get("campaign"):
            raise JobFailed(_("The office or the campaign of this import no longer exists; nothing was imported."))
        label = str(ctx.params.get("name") or "archive.zip")
        try:
            with files.local_path(zip_name) as path:
                result = import_archive(
                    path,
                    user=user,
                    office=office,
                    campaign=campaign,
                    dry_run=bool(ctx.params.get("dry_run")),
                    label=label,
                    progress=ctx,
                    origin={"source": label, "job": ctx.job.pk},
                )
        except FileNotFoundError as exc:
            raise JobFailed(_("The uploaded ZIP is no longer there; upload it again.")) from exc
        except ArchiveRefused as exc:
            raise JobFailed(_("Nothing was imported. %(reason)s") % {"reason": exc}) from exc
        except ImportFailed as exc:
            raise JobFailed(str(exc)) from exc
    finally:
        files.delete_quietly([zip_name])
    ctx.summary = result.summary()
    ctx.stage("report")
    with ctx.result_file(_("import-report-%(date)s.xlsx") % {"date": f"{timezone.localdate():%Y%m%d}"}) as out:
        result.write_xlsx(out)


def import_kind() -> JobKind:
    from civunit.jobs.registry import JobKind

    from .access import can_read_import_job

    return JobKind(
        key=IMPORT_KIND,
        label=gettext_lazy("Evidence import"),
        run=run_import,
        stages={
            "check": gettext_lazy("Checking the archive"),
            "read": gettext_lazy("Checking each file"),
            "save": gettext_lazy("Filing the evidence"),
            "report": gettext_lazy("Writing the report"),
        },
        can_read=can_read_import_job,
    )
