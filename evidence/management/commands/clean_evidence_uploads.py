from django.conf import settings
from django.core.management.base import BaseCommand

from evidence import uploads


class Command(BaseCommand):
    help = "Remove temporary files of interrupted evidence uploads older than EVIDENCE_TEMP_GRACE_HOURS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help=f"Grace period in hours (default: {settings.EVIDENCE_TEMP_GRACE_HOURS}).",
        )

    def handle(self, *args, hours, **options):
        removed = uploads.clean_stale_uploads(older_than_hours=hours)
        self.stdout.write(f"Removed {removed} temporary upload file(s).")
