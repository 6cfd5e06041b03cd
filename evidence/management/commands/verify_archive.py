"""python manage.py verify_archive [--if-due] [--grace-hours H]"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import translation

from evidence.integrity import Finding, archive_check_record, check_archive, check_is_due


class Command(BaseCommand):
    help = (
        "Check every stored evidence file, preview and kept job result against the database (missing, size or "
        "SHA-256 differing, files no row refers to): one line per finding, exit status 1 when there is any. "
        "Each run is recorded; a run with findings notifies the coordinators and administrators."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-due",
            action="store_true",
            help=f"only when EVIDENCE_VERIFY_INTERVAL_DAYS ({settings.EVIDENCE_VERIFY_INTERVAL_DAYS}) have passed "
            "since the last check (for an hourly or daily schedule)",
        )
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=None,
            help=f"files no row refers to count as orphans once this old (default: EVIDENCE_TEMP_GRACE_HOURS, "
            f"{settings.EVIDENCE_TEMP_GRACE_HOURS})",
        )

    def handle(self, *args: Any, if_due: bool, grace_hours: float | None, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        if if_due and not check_is_due():
            if options["verbosity"] >= 2:
                self.stdout.write("Not due yet.")
            return

        def show(finding: Finding) -> None:
            self.stdout.write(finding.line())

        report = check_archive(grace_hours=grace_hours, on_finding=show)
        check = archive_check_record(report=report)
        unverified = (
            f", {check.unverified} previews without a recorded digest (presence checked)" if check.unverified else ""
        )
        summary = (
            f"{check.files_checked} files checked ({filesizeformat(check.bytes_checked)}) on {check.storage}: "
            f"{check.missing} missing, {check.mismatched} changed, {check.orphans} orphaned{unverified}."
        )
        if not check.ok:
            raise CommandError(summary)
        self.stdout.write(summary)
