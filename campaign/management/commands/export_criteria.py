from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign import exporting
from campaign.models import Campaign
from civunit.utils import write_atomically


class Command(BaseCommand):
    help = "Export a campaign's criteria and veto list as .xlsx or .json (the shapes import_criteria reads)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write: a name ending in .xlsx or .json")
        parser.add_argument("--campaign", type=int, help="campaign id (default: the current campaign)")

    def handle(self, *args, file: str, campaign: int | None, **options):
        target = Campaign.objects.filter(pk=campaign).first() if campaign else Campaign.objects.current()
        if target is None:
            raise CommandError("No such campaign (and no current campaign).")
        path = Path(file)
        suffix = path.suffix.lower()
        if suffix == ".json":
            data = exporting.criteria_json(target)
        elif suffix == ".xlsx":
            data = exporting.criteria_xlsx(target)
        else:
            raise CommandError("The file name must end in .xlsx or .json.")
        # Written beside the target, synced, then renamed: never a half-written table.
        write_atomically(path, data, prefix=".export-")
        self.stdout.write(f"Wrote {path} ({len(data)} bytes).")
