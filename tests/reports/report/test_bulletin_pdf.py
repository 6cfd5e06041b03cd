"""A published bulletin's PDF: the official layout's templates and fonts, its stored figures, who may download it."""

from __future__ import annotations

import io
import logging

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.reports.bulletins_data import build_organ, draft, publish
from tests.reports.report.geometry import LEFT, RIGHT, TOP, read_pages
from tests.reports.report.test_report_pdf import embedded_images, flat, missing_glyph_warnings, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(cast, campaign):
    build_organ(cast, campaign)
    bulletin = draft(cast, campaign, text='请各委室抓紧推进。<img src="file:///etc/passwd">')
    return publish(bulletin, cast.coordinator)


def test_everyone_signed_in_downloads_the_published_bulletin_in_the_official_layout(published, cast, login, caplog):
    caplog.set_level(logging.WARNING)
    response = login(cast.staff_b).get(reverse("reports:bulletin_pdf", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = response.content
    text = flat(pdf_text(data))
    assert f"{published.year}年第{published.number}期" in text
    for heading in ("一、总体进展", "二、各委室完成情况", "三、本期工作亮点", "四、逾期任务"):
        assert heading in text
    assert "研究室" in text and "提案委员会办公室" in text
    assert flat('<imgsrc="file:///etc/passwd">') in text  # the bulletin's text, shown as text
    assert not embedded_images(data)
    assert not missing_glyph_warnings(caplog)
    pages = read_pages(io.BytesIO(data))
    assert all(abs(p.width - 210) < 0.5 and abs(p.height - 297) < 0.5 for p in pages)
    body = pages[0].body_lines()
    assert abs(body[0].top - TOP) <= 1.5
    assert all(line.x0 >= LEFT - 1 and line.x1 <= RIGHT + 1 for page in pages for line in page.body_lines())
    assert pages[0].footer_lines()[0].text.strip() == "— 1 —"
    assert "/EmbeddedFiles" not in PdfReader(io.BytesIO(data)).root_object.get("/Names", {})


def test_a_published_bulletin_reads_its_stored_figures(published, cast, login):
    from tasks.models import Task

    Task.objects.filter(campaign=published.campaign).delete()  # the work changes after publication
    response = login(cast.leader).get(reverse("reports:bulletin_pdf", args=[published.pk]))
    assert "研究室" in flat(pdf_text(response.content))


def test_a_draft_has_no_pdf_and_anonymous_is_sent_to_log_in(cast, campaign, login, client):
    bulletin = draft(cast, campaign)
    url = reverse("reports:bulletin_pdf", args=[bulletin.pk])
    assert login(cast.coordinator).get(url).status_code == 404
    assert login(cast.staff_a).get(url).status_code == 404
    assert client.get(url).status_code == 302
    assert login(cast.staff_a).get(reverse("reports:bulletin_pdf", args=[bulletin.pk + 100])).status_code == 404


def test_the_published_page_links_its_pdf(published, cast, login):
    page = login(cast.staff_a).get(reverse("reports:bulletin", args=[published.pk])).content.decode()
    assert reverse("reports:bulletin_pdf", args=[published.pk]) in page
