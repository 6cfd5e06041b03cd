"""The report's PDF, read back from the file itself: its text and order (pypdf), its geometry against GB/T 9704
(pdfplumber's character boxes), its fonts (pdffonts), and what user text cannot make it do."""

from __future__ import annotations

import io
import logging
import re
import subprocess

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from campaign.models import Explanation
from civunit.reports.report import pdf
from civunit.reports.report.content import report_content
from tests.evidence import samples
from tests.reports.report.geometry import BOTTOM, LEFT, RIGHT, TOP, read_pages
from tests.reports.report.world import World, add_photo, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, campaign) -> World:
    return build_world(cast, campaign)


def render(campaign, user, caplog, *, viewer=None, progress=None) -> bytes:
    """The report of `campaign` as `user` reads it, drawn for `viewer` (the same person by default), with
    WeasyPrint's and fontTools' warnings captured."""
    caplog.set_level(logging.WARNING)
    content = report_content(campaign, user=user)
    out = io.BytesIO()
    pdf.render_report_pdf(content, out, user=viewer or user, progress=progress)
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    """The PDF's text in reading order (poppler's pdftotext; pypdf gives the drawing order, the chart's labels
    last on their page)."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()


def flat(text: str) -> str:
    """Text without the line breaks and spaces the layout put in, and without the page numbers."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


def embedded_images(data: bytes) -> set[bytes]:
    """The distinct images the PDF embeds (pages share one resource dictionary, so each lists them all)."""
    return {image.data for page in PdfReader(io.BytesIO(data)).pages for image in page.images}


def missing_glyph_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage() or r.name.startswith("fontTools")]


# --- What it says, in order -------------------------------------------------------------------------------------


def test_pdf_holds_title_every_indicator_report_and_the_attachments_in_order(world, cast, caplog):
    data = render(world.campaign, cast.coordinator, caplog)
    text = flat(pdf_text(data))
    expected = ["某市政协机关关于创建全国文明单位工作情况的报告", "市文明办："]
    for indicator in world.indicators:
        expected.append(indicator.title)
        explanation = Explanation.objects.filter(criterion=indicator).first()
        if explanation:
            expected.extend(flat(line) for line in explanation.text.split("\n"))
        else:
            expected.append("（本指标尚未撰写说明报告。）")
    expected += ["特此报告。", "附件：1.自评表", "2.创建工作任务分解表", "3.佐证材料目录", "4.负面清单自查"]
    expected += ["某市政协机关"]
    expected += ["附件1", "自评表", "附件2", "创建工作任务分解表", "附件3", "佐证材料目录", "附件4", "负面清单自查"]
    position = 0
    for piece in expected:
        found = text.find(piece, position)
        assert found >= 0, f"{piece!r} missing or out of order after position {position}"
        position = found + len(piece)
    # the rows of the attachments: every standard's code in the self-assessment table, the tasks, the veto list
    for standard in world.standards:
        assert standard.code in text
    for n in range(1, 7):  # each task's deadline (its title wraps in its cell)
        assert f"2026年6月{n}日" in text
    assert "领导班子严重违纪违法" in text and "未触及" in text
    # the evidence index with archive numbers and the photos' captions
    for photo in world.photos:
        assert photo.archive_number and photo.archive_number in text
    assert "机关青年志愿者在阳光社区开展便民服务" in text
    assert not missing_glyph_warnings(caplog)


def test_date_is_written_as_official_documents_write_it(world, cast, caplog):
    content = report_content(world.campaign, user=cast.coordinator, on=__import__("datetime").date(2026, 3, 5))
    out = io.BytesIO()
    pdf.render_report_pdf(content, out, user=cast.coordinator)
    assert "2026年3月5日" in flat(pdf_text(out.getvalue()))


# --- The layout, measured ---------------------------------------------------------------------------------------


def test_layout_follows_gb_t_9704_as_measured_in_the_pdf(world, cast, caplog):
    data = render(world.campaign, cast.coordinator, caplog)
    pages = read_pages(io.BytesIO(data))
    annex_start = next(p.number for p in pages if p.lines and p.lines[0].text.strip() == "附件1")
    body_pages = [p for p in pages if p.number < annex_start]
    assert len(body_pages) >= 4, "the test needs several full pages of body text"

    for page in pages:
        assert abs(page.width - 210) < 0.5 and abs(page.height - 297) < 0.5  # A4

    # Title in 2号 (22 pt), body in 3号 (16 pt).
    first = body_pages[0].body_lines()
    assert first[0].size == 22 and "关于创建全国文明单位工作情况的报告" in first[0].text + first[1].text
    sizes = {line.size for page in body_pages[1:] for line in page.body_lines()}
    assert sizes == {16.0}

    # The text block: the first line's characters start within 1 mm of 37 mm, lines start within 1 mm of the
    # 28 mm margin, nothing passes the block's right edge or its bottom.
    for page in body_pages:
        lines = page.body_lines()
        assert abs(lines[0].top - TOP) <= 1, (page.number, lines[0].top)
        assert all(line.x0 >= LEFT - 1 and line.x1 <= RIGHT + 1 for line in lines), page.number
        assert lines[-1].bottom <= BOTTOM
    flush = [line for page in body_pages[1:] for line in page.body_lines() if abs(line.x0 - LEFT) <= 1]
    assert flush, "no line starts at the left margin"

    # 28 characters on a full line: every 3号 line of plain Chinese text that reaches the right edge holds 28
    # (less the characters of its indent: a paragraph's first line starts two in), and none holds more.
    full_width = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+$")
    char = 156 / 28
    chinese = [
        line
        for page in body_pages
        for line in page.body_lines()
        if line.size == 16 and full_width.match(line.text.strip())
    ]
    full = [line for line in chinese if line.x1 >= RIGHT - 1]
    assert len([line for line in full if abs(line.x0 - LEFT) <= 1]) >= 20
    assert {line.count + round((line.x0 - LEFT) / char) for line in full} == {28}
    assert all(abs(line.x1 - RIGHT) <= 1 for line in full)
    assert max(line.count + round((line.x0 - LEFT) / char) for line in chinese) == 28

    # 22 lines on a full page: every body page but the first (title, chart) and the last holds exactly 22.
    for page in body_pages[1:-1]:
        assert len(page.body_lines()) == 22, page.number
    pitch = [b.top - a.top for a, b in zip(body_pages[1].body_lines(), body_pages[1].body_lines()[1:], strict=False)]
    assert all(abs(p - 225 / 22) < 0.3 for p in pitch)

    # Page numbers "— N —" in 4号 (14 pt), 7 mm below the block, odd pages right and even pages left, one
    # character (14 pt, 4.94 mm) in from the block's edge.
    for page in pages:
        (footer,) = page.footer_lines()
        assert footer.text.strip() == f"— {page.number} —"
        assert footer.size == 14
        assert abs(footer.top - (BOTTOM + 7)) <= 1
        if page.number % 2:
            assert abs(footer.x1 - (RIGHT - 4.94)) <= 1
        else:
            assert abs(footer.x0 - (LEFT + 4.94)) <= 1


def test_fonts_of_the_settings_are_embedded_and_no_glyph_is_missing(world, cast, caplog, tmp_path):
    data = render(world.campaign, cast.coordinator, caplog)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    embedded = {line.split()[0].split("+", 1)[-1] for line in fonts.splitlines()[2:] if " yes " in line}
    # the stand-ins the default chains end in: Song/FangSong and the title, Hei (一、), Kai (（一）)
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "AR-PL-UKai-CN"} <= embedded
    assert all(" yes yes " in line for line in fonts.splitlines()[2:])  # embedded and subset
    assert not missing_glyph_warnings(caplog)


def test_a_font_chain_from_settings_is_what_draws_the_body(world, cast, caplog, settings):
    settings.OFFICIAL_FONTS = {**settings.OFFICIAL_FONTS, "body": ["Noto Sans CJK SC"]}
    data = render(world.campaign, cast.coordinator, caplog)
    page = read_pages(io.BytesIO(data))[2]
    body_fonts = {f for line in page.body_lines() if line.x0 < LEFT + 1 for f in line.fonts}
    assert body_fonts == {"Noto-Sans-CJK-SC"}


# --- Hostile text ------------------------------------------------------------------------------------------------

HOSTILE = (
    '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/hostname">'
    "<style>body{background:url(http://127.0.0.1:9/x.png)}</style><script>alert(1)</script>"
    '<a href="http://127.0.0.1:9/">链接</a>"}body{color:red}@import url(http://127.0.0.1:9/a.css);'
    "Supercalifragilisticexpialidocious" * 4 + "表情😀🎉，生僻字䶮㐀鿏𬌗𬭚𫓧𫖯。"
)


def test_hostile_user_text_is_shown_as_text_and_reaches_no_file_or_network(world, cast, caplog, monkeypatch):
    explanation = Explanation.objects.get(criterion=world.indicators[0])
    explanation.text = HOSTILE
    explanation.save()
    world.campaign.organ_name = "某市<b>政协</b>机关"
    world.campaign.save()
    add_photo(cast, world.campaign, world.standards[0], title='<img src="file:///etc/passwd">', caption=HOSTILE)
    asked: list[str] = []
    original = pdf.OfficialFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.OfficialFetcher, "fetch", spy)
    data = render(world.campaign, cast.coordinator, caplog)

    assert asked, "the fetcher was not used"
    assert all(url.split(":", 1)[0] in {pdf.STATIC_SCHEME, pdf.PRINT_COPY_SCHEME} for url in asked), asked
    reader = PdfReader(io.BytesIO(data))
    root = reader.root_object
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert "/AF" not in root
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A", {})
            assert "/URI" not in action, action
    text = flat(pdf_text(data))
    assert flat('<imgsrc="file:///etc/passwd">') in text  # shown, not obeyed
    assert "某市<b>政协</b>机关关于创建" in text
    assert "䶮㐀鿏𬌗𬭚𫓧𫖯" in text
    raw = data.decode("latin-1")
    assert "/etc/passwd" not in raw.replace("\\", "")  # no link or resource to it, only drawn glyphs
    # every character is drawn by some installed font: emoji by the colour emoji face, rare ones by Noto CJK
    assert not missing_glyph_warnings(caplog)
    long_word = next(p for p in read_pages(io.BytesIO(data)) if "Supercali" in p.text)
    assert all(line.x1 <= RIGHT + 1 for line in long_word.body_lines())


def test_fetcher_serves_only_static_files_fonts_and_the_allowed_print_copies(world):
    photo = world.photos[0]
    fetcher = pdf.OfficialFetcher({photo.pk: photo.stored_file.print_copy.name})
    assert fetcher.fetch(pdf.STYLESHEET_URL).read().startswith(b"/*")
    assert fetcher.fetch(f"{pdf.PRINT_COPY_SCHEME}:{photo.pk}").read()[:2] == b"\xff\xd8"
    for url in [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.org/a.png",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x",
        "/etc/passwd",
        "reports/official.css",
        f"{pdf.STATIC_SCHEME}:../settings.py",
        f"{pdf.STATIC_SCHEME}:reports/../../settings.py",
        f"{pdf.STATIC_SCHEME}:/etc/passwd",
        f"{pdf.STATIC_SCHEME}:reports/bulletin.js",  # not a kind of file a document loads
        f"{pdf.PRINT_COPY_SCHEME}:{photo.pk + 1}",
        f"{pdf.PRINT_COPY_SCHEME}:../{photo.pk}",
        f"{pdf.FONT_SCHEME}:0",
    ]:
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do: WeasyPrint logs it and goes on
            fetcher.fetch(url)
    assert len(fetcher.refused) == 15


# --- Photos: print copies only, what the viewer may read, faults ------------------------------------------------


def test_photos_come_from_print_copies_never_from_originals(world, cast, caplog):
    big = add_photo(cast, world.campaign, world.standards[1], title="大幅照片", data=samples.jpeg(3000, 2000))
    data = render(world.campaign, cast.coordinator, caplog)
    sizes = {Image.open(io.BytesIO(image)).size for image in embedded_images(data)}
    assert big.stored_file is not None
    with storages["default"].open(str(big.stored_file.print_copy.name)) as f:
        print_size = Image.open(f).size
    assert print_size == (1000, 667)
    assert print_size in sizes
    assert (3000, 2000) not in sizes


def test_a_viewer_who_may_not_read_a_photo_gets_none_of_it(world, cast, caplog):
    """Content built for the coordinator, drawn for staff of another office: the fetcher reads nothing of
    office A's photos, and the pages say the photo is not shown."""
    data = render(world.campaign, cast.coordinator, caplog, viewer=cast.staff_b)
    assert not embedded_images(data)
    assert "无权显示" in flat(pdf_text(data))
    # and the report staff_b asks for lists none of office A's evidence
    assert not report_content(world.campaign, user=cast.staff_b).photos()


def test_missing_and_corrupt_print_copies_leave_a_note_and_the_rest_of_the_report(world, cast, caplog):
    store = storages["default"]
    missing, corrupt = world.photos[0], world.photos[1]
    store.delete(missing.stored_file.print_copy.name)
    with store.open(corrupt.stored_file.print_copy.name, "wb") as f:
        f.write(b"not a jpeg at all")
    data = render(world.campaign, cast.coordinator, caplog)
    text = flat(pdf_text(data))
    assert text.count("打印件缺失或已损坏") == 2
    assert "附件4" in text
    assert len(embedded_images(data)) == len(world.photos) - 2
    assert not [r for r in caplog.records if r.name == "weasyprint" and r.levelno >= logging.ERROR]


def test_a_print_copy_changed_since_its_preview_was_made_gets_the_note(world, cast, caplog):
    """Same size, other bytes (a copy replaced or rotted on disk): the SHA-256 the previews recorded tells."""
    store = storages["default"]
    changed = world.photos[0].stored_file
    with store.open(changed.print_copy.name) as f:
        data = f.read()
    flipped = bytes([data[-3] ^ 0xFF])
    store.delete(changed.print_copy.name)
    store.save(changed.print_copy.name, io.BytesIO(data[:-3] + flipped + data[-2:]))
    assert changed.preview_digests["print_copy"]["size"] == len(data)
    text = flat(pdf_text(render(world.campaign, cast.coordinator, caplog)))
    assert text.count("打印件缺失或已损坏") == 1
    assert "not the SHA-256 recorded" in caplog.text


def test_each_print_copy_is_read_once_and_no_original_at_all(world, cast, caplog, monkeypatch):
    """The check before layout and WeasyPrint's fetch share one read of each print copy (counted where the
    storage opens files, under every path that reads one)."""
    store = storages["default"]
    opened: list[str] = []
    open_ = type(store).open

    def counting(self, name, mode="rb"):
        opened.append(name)
        return open_(self, name, mode)

    monkeypatch.setattr(type(store), "open", counting)
    data = render(world.campaign, cast.coordinator, caplog)
    shown = sorted(p.stored_file.print_copy.name for p in world.photos)
    assert len(shown) >= 2
    assert sorted(opened) == shown
    assert len(embedded_images(data)) == len(shown)


# --- Progress and cost ------------------------------------------------------------------------------------------


def test_progress_reports_the_stages_in_order(world, cast, caplog):
    calls: list[tuple[str, int, int]] = []
    render(world.campaign, cast.coordinator, caplog, progress=lambda *a: calls.append(a))
    stages = [stage for stage, _done, _total in calls]
    assert stages[0] == "content" and stages[-1] == "write"
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == ["content", "layout", "write"]
    assert all(0 <= done <= total for _stage, done, total in calls)
    pages = len(PdfReader(io.BytesIO(render(world.campaign, cast.coordinator, caplog))).pages)
    assert ("layout", pages, pages) in calls
    assert calls[-1] == ("write", 1, 1)


def test_content_costs_the_same_queries_however_large_the_campaign(cast, campaign):
    world = build_world(cast, campaign, photos=1)
    report_content(world.campaign, user=cast.coordinator)  # warm-up (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        report_content(world.campaign, user=cast.coordinator)
    for n in range(6):
        add_photo(cast, campaign, world.standards[n], title=f"更多照片{n}")
    with CaptureQueriesContext(connection) as large:
        report_content(world.campaign, user=cast.coordinator)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_official_font_files_from_settings_are_loaded_by_the_fetcher(world, cast, caplog, settings, monkeypatch):
    """An organ without the official faces installed names their files: @font-face, through the fetcher only."""
    settings.OFFICIAL_FONT_FILES = {"仿宋_GB2312": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"}
    settings.OFFICIAL_FONTS = {**settings.OFFICIAL_FONTS, "body": ["仿宋_GB2312", "Noto Serif CJK SC"]}
    asked: list[str] = []
    original = pdf.OfficialFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.OfficialFetcher, "fetch", spy)
    data = render(world.campaign, cast.coordinator, caplog)
    assert f"{pdf.FONT_SCHEME}:0" in asked
    fonts = {f for page in read_pages(io.BytesIO(data))[:3] for line in page.body_lines() for f in line.fonts}
    # the body's Latin figures from the file (embedded under the family's name); its Chinese falls back
    assert any(f.startswith("仿宋_GB2312") for f in fonts), fonts
    assert "Noto-Serif-CJK-SC" in fonts


def test_unusable_font_settings_are_left_out(settings):
    settings.OFFICIAL_FONT_FILES = {'Evil"}body{': "/etc/passwd", "Missing": "/nonexistent.ttf"}
    settings.OFFICIAL_FONTS = {**settings.OFFICIAL_FONTS, "body": ['x"; } body { background: url(http://a/)', "Ok"]}
    css = pdf.font_css()
    assert "@font-face" not in css
    assert "http" not in css and "Evil" not in css
    assert '"Ok"' in css


def test_a_large_evidence_index_is_drawn_an_item_at_a_time_and_reads_as_one_document(world, cast, caplog, monkeypatch):
    monkeypatch.setattr(pdf, "EVIDENCE_PART_SIZE", 0)
    content = report_content(world.campaign, user=cast.coordinator)
    groups = pdf.photo_views(content, pdf.allowed_print_copies(content.photos(), user=cast.coordinator))
    assert len(pdf.report_parts(content, groups)) == 1 + 3 + len(world.items)  # body, 3 attachments, 3 items
    data = render(world.campaign, cast.coordinator, caplog)
    pages = read_pages(io.BytesIO(data))
    assert [p.footer_lines()[0].text.strip() for p in pages] == [f"— {n} —" for n in range(1, len(pages) + 1)]
    for page in pages:
        footer = page.footer_lines()[0]
        assert (footer.x1 > 150) == bool(page.number % 2)  # odd pages right, even pages left, across the parts
    starts = [p.lines[0].text.strip() for p in pages]
    first = pages[starts.index("附件3")]
    assert "一、组织领导与创建机制" in [line.text.strip() for line in first.lines[:4]]
    assert "二、思想政治建设" in starts and "三、学雷锋志愿服务" in starts  # each later item on a new page
    text = flat(pdf_text(data))
    annex = text.index("附件3")
    assert annex < text.index("1.1.1测评标准111", annex) < text.index("3.2.2测评标准322", annex) < text.index("附件4")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == "某市政协机关关于创建全国文明单位工作情况的报告"
