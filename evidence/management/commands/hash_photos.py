from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from evidence import files, hashing
from evidence.models import EvidenceKind, StoredFile


class Command(BaseCommand):
    help = (
        "Compute the perceptual hash of stored photos that have none yet (stored before hashes were made with the "
        "previews), or of every photo with --all. The readiness check compares these hashes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Hash every stored photo again.")

    def handle(self, *args: Any, all: bool, **options: Any) -> None:
        photos = StoredFile.objects.filter(kind=EvidenceKind.PHOTO).exclude(file="")
        if not all:
            photos = photos.filter(phash__isnull=True)
        hashed = failed = 0
        rows = photos.order_by("pk").values_list("pk", "file", "thumbnail")
        for pk, name, thumbnail in rows.iterator():
            try:
                # The thumbnail, where the previews made one, is what the previews hash now (and cheap to decode);
                # the original otherwise.
                with files.local_path(thumbnail or name) as path:
                    value = hashing.photo_hash(path)
            except OSError as exc:  # the stored file is missing or unreadable: say so, go on with the rest
                self.stderr.write(f"stored file {pk}: {exc}")
                value = None
            if value is None:
                failed += 1
                continue
            StoredFile.objects.filter(pk=pk).update(phash=value)
            hashed += 1
        self.stdout.write(f"Photos hashed: {hashed}; could not be read: {failed}.")
