"""python manage.py backup OUT.zip"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from civunit.backup.archive import write_backup
from civunit.backup.services import backup_run_record


class Command(BaseCommand):
    help = (
        "Write one ZIP archive holding the whole database (a portable dump that restores on SQLite or PostgreSQL) "
        "and every stored file with its SHA-256. A run that fails or finds the database empty exits with status 1 "
        "and notifies the coordinators and administrators."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the archive to write (e.g. /var/backups/civunit/2026-12-01.zip)")

    def handle(self, *args: Any, out: str, **options: Any) -> None:
        started = timezone.now()
        clock = time.monotonic()
        progress = self.stdout.write if options["verbosity"] >= 2 else None
        try:
            result = write_backup(out, on_progress=progress)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            self._record(started, out, ok=False, error=error)
            raise CommandError(f"Backup failed: {error}") from exc
        if result.rows == 0:
            error = "the database holds no rows (an empty or wrong database?); the archive was removed"
            os.unlink(out)
            self._record(started, out, ok=False, error=error)
            raise CommandError(f"Backup failed: {error}")
        self._record(started, out, ok=True, rows=result.total_rows, files=result.files, size=result.archive_bytes)
        self.stdout.write(
            f"{out}: {result.total_rows} rows in {len(result.models)} tables, {result.files} files "
            f"({filesizeformat(result.file_bytes)}); archive {filesizeformat(result.archive_bytes)} "
            f"in {time.monotonic() - clock:.1f} s."
        )

    def _record(self, started, out: str, **kwargs: Any) -> None:
        try:
            backup_run_record(started_at=started, path=out, **kwargs)
        except DatabaseError as exc:  # the database itself is down: the exit status and stderr must tell
            self.stderr.write(f"The backup run could not be recorded: {exc}")
