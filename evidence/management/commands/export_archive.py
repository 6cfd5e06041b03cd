"""python manage.py export_archive OUT.zip [--by standard|year] [--campaign ID]"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from campaign.models import Campaign
from civunit.forms import parse_id
from evidence.binder import Layout, export_binder


class _Printer:
    """The command's progress: one line per stage on stderr."""

    def __init__(self, command: BaseCommand, verbosity: int):
        self.command = command
        self.verbosity = verbosity

    def stage(self, code: str, total: int = 0) -> None:
        if self.verbosity >= 2:
            self.command.stderr.write(f"{code} ({total})" if total else code)

    def advance(self, steps: int = 1) -> None:
        pass

    def heartbeat(self) -> None:
        pass


class Command(BaseCommand):
    help = (
        "Write the binder of a campaign (its accepted evidence, by standard or by year, each folder with its "
        "index, with a cover-and-index PDF) to a ZIP file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the ZIP file to write (replaced if it exists)")
        parser.add_argument("--by", choices=Layout.values, default=Layout.STANDARD, help="layout (default: standard)")
        parser.add_argument("--campaign", help="campaign id (default: the current campaign)")

    def handle(self, *args: Any, out: str, by: str, campaign: str | None, **options: Any) -> None:
        if campaign is None:
            chosen = Campaign.objects.current()
            if chosen is None:
                raise CommandError("No campaign is current; name one with --campaign ID.")
        else:
            pk = parse_id(campaign)
            chosen = Campaign.objects.filter(pk=pk).first() if pk is not None else None
            if chosen is None:
                raise CommandError(f"No campaign with id {campaign}.")
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"No folder {target.parent}.")
        part = target.with_name(f".{target.name}.part")
        started = time.monotonic()
        try:
            with part.open("wb") as fh:
                plan, result = export_binder(
                    campaign=chosen, layout=by, out=fh, progress=_Printer(self, options["verbosity"])
                )
                fh.flush()
                os.fsync(fh.fileno())
            part.replace(target)
            elapsed = time.monotonic() - started
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
            raise
        for problem in result.problems:
            self.stderr.write(problem)
        sha = hashlib.sha256()
        with target.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                sha.update(chunk)
        self.stdout.write(
            f"{target}: {len(plan.entries)} items in {len(plan.folders)} folders, {result.files} files "
            f"({filesizeformat(result.bytes)}), {target.stat().st_size} bytes, SHA-256 {sha.hexdigest()}, "
            f"{elapsed:.1f} s (the cover {result.cover_seconds:.1f} s)"
        )
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} file(s) left out (missing or not as recorded): run verify_archive."
            )
