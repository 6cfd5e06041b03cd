import datetime

from django.core.management.base import BaseCommand, CommandError

from campaign import succession
from campaign.models import Campaign, CampaignEvent


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = (
        "Start the next campaign from the current one, copying what --copy names, and print the new campaign's id. "
        "Evidence is never copied (link old items into the new campaign from their pages)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--title", required=True)
        parser.add_argument(
            "--target",
            required=True,
            help="one of: " + ", ".join(f"{value} ({label})" for value, label in Campaign.Target.choices),
        )
        parser.add_argument("--start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="YYYY-MM-DD")
        parser.add_argument(
            "--copy",
            default="",
            help="comma-separated parts to copy from the current campaign: " + ",".join(succession.part_keys()),
        )
        parser.add_argument("--from", dest="source", type=int, help="campaign id to start from (default: the current)")
        parser.add_argument("--make-current", action="store_true", help="make the new campaign the current one")
        parser.add_argument("--dry-run", action="store_true", help="print what would be created, create nothing")

    def handle(self, *args, title, target, start, end, copy, source, make_current, dry_run, **options):
        origin = Campaign.objects.filter(pk=source).first() if source else Campaign.objects.current()
        if source and origin is None:
            raise CommandError(f"No campaign with id {source}.")
        parts = frozenset(p.strip() for p in copy.split(",") if p.strip())
        if parts and origin is None:
            raise CommandError("There is no current campaign to copy from (give --from ID, or no --copy).")
        spec = succession.NextCampaign(
            title=title,
            target=target,
            start_date=_date(start),
            end_date=_date(end),
            copy=parts,
            make_current=make_current,
        )
        try:
            if dry_run:
                preview = succession.preview(source=origin, spec=spec)
                for section in preview.sections:
                    self.stdout.write(f"{section.label}:")
                    for line in section.lines:
                        self.stdout.write(f"  {line}")
                self.stdout.write("Not copied: " + "、".join(preview.not_copied))
                return
            campaign, counts = succession.campaign_start_next(
                source=origin, user=None, spec=spec, via=CampaignEvent.Source.COMMAND
            )
        except succession.StartRefused as refused:
            raise CommandError(str(refused)) from None
        made = ", ".join(f"{key} {n}" for key, n in counts.items()) or "nothing copied"
        self.stderr.write(f"Started “{campaign.title}” from “{origin}” ({made}){'; current' if make_current else ''}.")
        self.stdout.write(str(campaign.pk))
