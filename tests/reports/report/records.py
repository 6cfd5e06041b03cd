"""A report record with small stand-in files, as the history keeps them (for the pages' and the matrix's tests)."""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from civunit.reports.models import ReportRecord

PDF = b"%PDF-1.7 a report to the civilization office\n%%EOF\n"
DOCX = b"PK\x03\x04 a Word copy"


def make_record(campaign, author, *, pdf: bytes = PDF, docx: bytes | None = DOCX) -> ReportRecord:
    pdf_name = default_storage.save(f"reports/{campaign.pk}/test.pdf", ContentFile(pdf))
    docx_name = default_storage.save(f"reports/{campaign.pk}/test.docx", ContentFile(docx)) if docx else ""
    return ReportRecord.objects.create(
        campaign=campaign,
        author=author,
        report_date=datetime.date(2026, 3, 5),
        title="市政协机关关于创建全国文明单位工作情况的报告",
        summary={"standards": "12", "standards_met": "9", "score": "87.5", "max_score": "100", "pages": 14},
        pdf=pdf_name,
        pdf_size=len(pdf),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        docx=docx_name,
        docx_size=len(docx) if docx else None,
        docx_sha256=hashlib.sha256(docx).hexdigest() if docx else "",
    )
