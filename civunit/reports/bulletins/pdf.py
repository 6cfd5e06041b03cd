"""A published bulletin as a PDF in the official layout: the report's base template, print CSS, fonts and
fetcher (civunit/reports/report/pdf.py), filled with the bulletin's stored figures."""

from __future__ import annotations

from typing import BinaryIO

from django.utils import timezone

from civunit.reports.models import Bulletin
from civunit.reports.report.content import official_date
from civunit.reports.report.pdf import OfficialFetcher, Part, render_official_pdf

from .periods import period_label
from .snapshot import Content


def bulletin_file_name(bulletin: Bulletin) -> str:
    return f"通报{bulletin.year}年第{bulletin.number}期.pdf"


def render_bulletin_pdf(bulletin: Bulletin, content: Content, out: BinaryIO) -> int:
    """Write the published `bulletin` (its stored figures, `content`) to `out`; returns the number of pages.
    It shows no stored file, so its fetcher serves the static files only."""
    published = timezone.localdate(bulletin.published_at) if bulletin.published_at else content.as_of
    return render_official_pdf(
        [
            Part(
                "reports/official/bulletin.html",
                {
                    "bulletin": bulletin,
                    "content": content,
                    "period_name": period_label(bulletin.period_kind, bulletin.period_start, bulletin.period_end),
                    "published_on": official_date(published),
                    "paragraphs": [line.strip() for line in bulletin.text.split("\n") if line.strip()],
                },
            )
        ],
        out,
        fetcher=OfficialFetcher(),
        title=bulletin_file_name(bulletin).removesuffix(".pdf"),
        author=content.campaign["organ_name"],
    )
