from django.conf import settings
from django.core.management.base import BaseCommand

from evidence import files


class Command(BaseCommand):
    help = (
        "Remove what interrupted evidence uploads left behind longer ago than EVIDENCE_TEMP_GRACE_HOURS: "
        "temporary files, and stored files that no row names."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help=f"Grace period in hours (default: {settings.EVIDENCE_TEMP_GRACE_HOURS}).",
        )

    def handle(self, *args, hours, **options):
        removed = files.clean_stale_uploads(older_than_hours=hours)
        self.stdout.write(f"Removed {removed} file(s) left by interrupted uploads.")
