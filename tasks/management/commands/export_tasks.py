"""python manage.py export_tasks OUT.xlsx [--by-office]: the formatted task breakdown of the current campaign."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from campaign.models import Campaign
from civunit.utils import write_atomically
from tasks.excel import export_workbook


class Command(BaseCommand):
    help = "Export the task breakdown (工作任务分解表) as a formatted .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--by-office", action="store_true", help="Add one sheet per lead office.")
        parser.add_argument("--campaign", type=int, help="Campaign id (default: the current campaign).")

    def handle(self, *args, **options):
        with translation.override("zh-hans"):  # messages in Chinese, as on the web
            self._export(**options)

    def _export(self, *, out: Path, by_office: bool, campaign: int | None, **options) -> None:
        target = Campaign.objects.filter(pk=campaign).first() if campaign else Campaign.objects.current()
        if target is None:
            raise CommandError(_("No such campaign.") if campaign else _("There is no current campaign."))
        data = export_workbook(target, by_office=by_office)
        folder = out.resolve().parent
        if not folder.is_dir():
            raise CommandError(_("There is no folder %(folder)s.") % {"folder": folder})
        # Written beside the target and renamed, so a reader never sees half a workbook.
        write_atomically(out, data, prefix=".export-")
        self.stdout.write(self.style.SUCCESS(_("Wrote %(file)s (%(size)d bytes).") % {"file": out, "size": len(data)}))
