from django.core.management.base import BaseCommand

from evidence import previews
from evidence.models import StoredFile


class Command(BaseCommand):
    help = "Make previews now for stored files still waiting for them (or for all with --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Remake every preview.")

    def handle(self, *args, all: bool, **options):
        files = StoredFile.objects.all()
        if not all:
            files = files.filter(preview_status=StoredFile.PreviewStatus.PENDING)
        for pk in files.values_list("pk", flat=True).iterator():
            previews.make_previews(pk)
        self.stdout.write("Previews made.")
