"""The binder's cover and index in the official layout: the read side registers it through the binder's hook
(evidence cannot import the read side), and it is drawn in a child process with the report's print CSS."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from civunit.reports.report import binder_cover
from evidence.binder import Layout, build_plan, cover
from tests.evidence.binder_data import build_archive

pytestmark = pytest.mark.django_db


def test_the_read_side_fills_the_binder_s_cover_hook():
    assert cover._maker is binder_cover.official_cover


def test_the_cover_and_index_are_drawn_in_the_official_layout(cast, campaign, tmp_path):
    build_archive(cast, campaign)
    plan = build_plan(campaign=campaign, layout=Layout.STANDARD)
    html = binder_cover.cover_html(plan)
    assert 'href="civunit-static:reports/official.css"' in html and 'class="od-cover"' in html
    path = tmp_path / "cover.pdf"
    peak_kib = cover.make_cover(plan, path)
    assert peak_kib > 0  # drawn by a child process, which reports its peak
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    width, height = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (210, 297)
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]
    assert "台账资料归档" in pages[0] and campaign.organ_name in pages[0]
    assert "—1—" not in pages[0]  # the cover carries no page number
    assert len(pages) >= 2 and "目录" in pages[1] and "—2—" in pages[1]
    for folder in plan.folders:
        assert re.sub(r"\s+", "", folder.heading) in "".join(pages), folder.heading
