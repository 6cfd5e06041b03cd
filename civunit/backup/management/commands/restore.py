"""python manage.py restore IN.zip [--force]"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from civunit.backup.archive import ArchiveError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into this instance (run `migrate` first): every row and every "
        "stored file. Refused when the instance is not empty, unless --force. Run verify_archive afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything: empty every table and delete every stored file of this instance first",
        )

    def handle(self, *args: Any, archive: str, force: bool, **options: Any) -> None:
        clock = time.monotonic()
        progress = self.stdout.write if options["verbosity"] >= 2 else None
        try:
            result = restore_backup(archive, force=force, on_progress=progress)
        except ArchiveError as exc:
            raise CommandError(f"Restore refused: {exc}") from exc
        self.stdout.write(
            f"{archive}: {result.rows} rows and {result.files} files ({filesizeformat(result.file_bytes)}) "
            f"restored in {time.monotonic() - clock:.1f} s. Run `manage.py verify_archive` to check the files."
        )
