"""The report's history (报送记录): every generated report kept as it was made, and marked sent once.

`record_report` stores a finished PDF (and its Word copy) through the Storage API and writes the ReportRecord
naming them, with their SHA-256 and size and the campaign's figures of the moment; a failure on the way deletes
what it stored, so there is never a record without its files nor a file without its record. `record_mark_sent`
marks a record 已报送 with a date and a note, once: from then on nothing of it changes (the service refuses, the
admin is read-only, a database trigger refuses an UPDATE or DELETE of the row).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import VetoCondition
from civunit.reports.models import ReportRecord

from .content import ReportContent

if TYPE_CHECKING:
    from campaign.models import Campaign
    from civunit.accounts.models import User

# How long the note on sending may be (ReportRecord.sent_note).
SENT_NOTE_LIMIT = 500


class RecordRefused(Exception):
    """A change of a record that is not allowed (a message for the person who asked, in their language)."""


def report_summary(content: ReportContent, *, pages: int | None = None) -> dict[str, Any]:
    """The campaign's state the report was made from, kept beside it (plain JSON: strings and integers)."""
    summary: dict[str, Any] = dict(content.totals)
    conditions = [row for row in content.veto_rows if not row.is_group]
    summary.update(
        {
            "indicators": len(content.indicators()),
            "evidence_items": sum(len(g.rows) for g in content.evidence_groups),
            "photos": len(content.photos()),
            "veto_conditions": len(conditions),
            "veto_triggered": sum(1 for row in conditions if row.status == VetoCondition.Status.TRIGGERED),
        }
    )
    if pages is not None:
        summary["pages"] = pages
    return summary


def _digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _store(path: Path, name: str) -> str:
    with open(path, "rb") as fh:
        return default_storage.save(name, File(fh, name=name))


def record_report(
    *,
    campaign: Campaign,
    author: User | None,
    content: ReportContent,
    pdf_path: Path,
    docx_path: Path | None = None,
    pages: int | None = None,
    before_commit: Any = None,
) -> ReportRecord:
    """Keep the finished files (local paths, left in place) as a new record of `campaign`'s history.

    `before_commit()`, when given, runs inside the transaction that creates the record, after the files are
    stored (the background job checks there that it was not given up meanwhile): if it raises, nothing is kept."""
    pdf_size, pdf_sha = _digest(pdf_path)
    docx_size, docx_sha = _digest(docx_path) if docx_path else (None, "")
    if not pdf_size or (docx_path and not docx_size):
        raise RecordRefused(_("The report came out empty; nothing was kept."))
    stem = f"reports/{campaign.pk}/{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    stored: list[str] = []
    try:
        stored.append(_store(pdf_path, f"{stem}.pdf"))
        if docx_path:
            stored.append(_store(docx_path, f"{stem}.docx"))
        with transaction.atomic():
            record = ReportRecord.objects.create(
                campaign=campaign,
                author=author,
                report_date=content.date,
                title=content.title[:300],
                summary=report_summary(content, pages=pages),
                pdf=stored[0],
                pdf_size=pdf_size,
                pdf_sha256=pdf_sha,
                docx=stored[1] if docx_path else "",
                docx_size=docx_size,
                docx_sha256=docx_sha,
            )
            if before_commit is not None:
                before_commit()
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return record


def validate_sent_on(record: ReportRecord, sent_on: datetime.date, *, today: datetime.date | None = None) -> None:
    """A report is sent after it was made and not in the future."""
    today = today or timezone.localdate()
    made = timezone.localdate(record.created_at)
    if sent_on > today:
        raise RecordRefused(_("The date of sending cannot be in the future."))
    if sent_on < made:
        raise RecordRefused(
            _("The report was generated on %(date)s; it cannot have been sent before.") % {"date": made.isoformat()}
        )


def record_mark_sent(
    *,
    record: ReportRecord,
    user: User,
    sent_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> ReportRecord:
    """Mark `record` sent (已报送) on `sent_on`, once; a record already sent is refused, whoever asks."""
    note = note.strip()
    if len(note) > SENT_NOTE_LIMIT:
        raise RecordRefused(
            _("The note may hold at most %(limit)d characters (it has %(count)d).")
            % {"limit": SENT_NOTE_LIMIT, "count": len(note)}
        )
    validate_sent_on(record, sent_on, today=today)
    marked = ReportRecord.objects.filter(pk=record.pk, sent_at__isnull=True).update(
        sent_on=sent_on, sent_note=note, sent_by=user, sent_at=timezone.now()
    )
    if not marked:
        raise RecordRefused(_("This report is already marked sent; a sent report is never changed."))
    record.refresh_from_db()
    return record
