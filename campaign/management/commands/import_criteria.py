from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign import services
from campaign.models import Campaign


class Command(BaseCommand):
    help = (
        "Import a criteria table (.xlsx or the project's .json) into a campaign. Everything is validated first; "
        "on any error nothing is imported and every bad row is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .json criteria table")
        parser.add_argument("--dry-run", action="store_true", help="check and report what would change")
        parser.add_argument("--campaign", type=int, help="campaign id (default: the current campaign)")

    def handle(self, *args, file: str, dry_run: bool, campaign: int | None, **options):
        target = Campaign.objects.filter(pk=campaign).first() if campaign else Campaign.objects.current()
        if target is None:
            raise CommandError("No such campaign (and no current campaign).")
        if target.is_archived and not dry_run:
            raise CommandError(f"“{target}” is archived: it can be read but no longer changed.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"Cannot read {path}: {e.strerror}") from None
        result = services.criteria_import(campaign=target, user=None, file_name=path.name, data=data, dry_run=dry_run)
        if not result.ok:
            for issue in result.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"Nothing was imported: {len(result.issues)} problem(s).")
        s = result.summary()
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {path.name} into “{target}”: {len(s['added'])} added, {len(s['updated'])} updated, "
            f"{len(s['removed'])} removed, {s['unchanged']} unchanged; {s['standards']} standards, "
            f"{s['veto_conditions']} veto conditions."
        )
        for key in ("added", "updated", "removed", "explanations"):
            if s[key]:
                self.stdout.write(f"  {key}: {' '.join(s[key])}")
