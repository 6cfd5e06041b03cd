"""python manage.py build_report OUT.pdf [--docx OUT.docx] [--user NAME] [--date YYYY-MM-DD] [--record]: the report
to the municipal civilization office for the current campaign, as the web page's job would build it; with --record
the files are also kept in the report's history (报送记录), as the job keeps them."""

from __future__ import annotations

import datetime
import importlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaign.models import Campaign
from civunit import access
from civunit.accounts.models import User
from civunit.accounts.roles import Role
from civunit.reports.report.content import ReportContent, report_content
from civunit.reports.report.history import record_report
from civunit.reports.report.pdf import render_report_pdf

DOCX_MODULE = "civunit.reports.report.docx"


def write_file_atomically(path: Path, write: Callable[[BinaryIO], None]) -> int:
    """Let `write` fill a temporary file beside `path`, then rename it into place: a failed or interrupted
    render leaves no half file. Returns the size written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            size = fh.tell()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would differ from any other file the user writes
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size


class Command(BaseCommand):
    help = (
        "Build the report to the municipal civilization office (市文明办) for the current campaign: a PDF in the "
        "official layout (GB/T 9704-2012) and, with --docx, the editable Word copy of the same content."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="Where to write the PDF (e.g. report.pdf).")
        parser.add_argument("--docx", help="Also write the Word copy here (e.g. report.docx).")
        parser.add_argument(
            "--user",
            help="Build it as this account sees the campaign (default: the first active coordinator).",
        )
        parser.add_argument("--date", help="The report's date (YYYY-MM-DD; default: today in Asia/Shanghai).")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also keep the files in the report's history (报送记录), by the account the report is built as.",
        )

    def handle(self, *args: Any, out: str, docx: str | None = None, user: str | None = None, **options: Any) -> None:
        campaign = Campaign.objects.current()
        if campaign is None:
            raise CommandError("There is no current campaign to report on.")
        person = self._person(user)
        day = self._date(options.get("date"))
        pdf_path = self._target(out, ".pdf")
        docx_path = self._target(docx, ".docx") if docx else None
        render_docx = self._docx_renderer() if docx_path else None

        verbosity = int(options.get("verbosity", 1))
        started = time.monotonic()
        content = report_content(campaign, user=person, on=day)
        self.stdout.write(f"content: {len(content.indicators())} indicators, {len(content.photos())} photos")

        def progress(stage: str, done: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {stage} {done}/{total}")

        pages: list[int] = []
        size = write_file_atomically(
            pdf_path, lambda fh: pages.append(render_report_pdf(content, fh, user=person, progress=progress))
        )
        self.stdout.write(f"wrote {pdf_path} ({size:,} bytes) in {time.monotonic() - started:.1f} s")
        if docx_path and render_docx:
            size = write_file_atomically(docx_path, lambda fh: render_docx(content, fh, user=person))
            self.stdout.write(f"wrote {docx_path} ({size:,} bytes)")
        if options.get("record"):
            record = record_report(
                campaign=campaign,
                author=person,
                content=content,
                pdf_path=pdf_path,
                docx_path=docx_path,
                pages=pages[0] if pages else None,
            )
            self.stdout.write(f"kept in the history as record {record.pk} (SHA-256 {record.pdf_sha256})")

    def _person(self, username: str | None) -> User:
        if username:
            person = User.objects.filter(username=username, is_active=True).first()
            if person is None:
                raise CommandError(f"No active account is named {username!r}.")
        else:
            person = (
                User.objects.filter(is_active=True, groups__name=Role.COORDINATOR.group_name).order_by("pk").first()
            )
            if person is None:
                raise CommandError(
                    "No active coordinator account: name the account to build the report as with --user."
                )
        if not access.can_read_plan(person):
            raise CommandError(f"{person.username} may not read the campaign.")
        return person

    @staticmethod
    def _date(value: str | None) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc

    @staticmethod
    def _target(value: str, suffix: str) -> Path:
        path = Path(value)
        if path.suffix.lower() != suffix:
            raise CommandError(f"{value} should end in {suffix}")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        return path

    @staticmethod
    def _docx_renderer() -> Callable[..., None]:
        """civunit.reports.report.docx.render_report_docx(content, out, user=...), imported only when asked for."""
        try:
            module = importlib.import_module(DOCX_MODULE)
        except ModuleNotFoundError as exc:
            if exc.name not in (DOCX_MODULE, "docx"):
                raise
            raise CommandError(
                "The Word copy is not available in this installation "
                f"({DOCX_MODULE} or python-docx is missing); build the PDF without --docx."
            ) from exc
        render: Callable[[ReportContent, BinaryIO], None] | None = getattr(module, "render_report_docx", None)
        if render is None:
            raise CommandError(f"{DOCX_MODULE} has no render_report_docx().")
        return render
