"""The report's Word copy: read back with python-docx (headings, tables, page setup, fonts, page numbers), converted
by LibreOffice headless and read again from the PDF (text in order, A4, 28 characters a line and 22 lines a page),
and unbroken by text XML cannot hold."""

from __future__ import annotations

import dataclasses
import datetime
import io
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.core.files.storage import storages
from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from campaign.models import Assessment, EvidenceCategory, Explanation, VetoCondition
from civunit.reports.report import docx as report_docx
from civunit.reports.report.content import ReportContent, report_content
from evidence.models import EvidenceItem
from evidence.previews import make_previews
from evidence.services import evidence_accept
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SENTENCE = (
    "机关党组坚持把创建全国文明单位工作摆上重要议事日程，定期专题研究部署，"
    "形成了主要领导亲自抓、分管领导具体抓、各委室协同推进的工作格局。"
)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _photo(cast, campaign, standard, *, title: str) -> EvidenceItem:
    item = make_evidence(
        user=cast.staff_a,
        campaign=campaign,
        title=title,
        category=EvidenceCategory.PHOTO,
        caption="机关青年志愿者在阳光社区开展便民服务",
        taken_on=datetime.date(2026, 3, 5),
        place="阳光社区",
        standards=[standard],
    )
    make_previews(item.stored_file_id)
    evidence_accept(user=cast.head_a, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def world(cast, campaign):
    """2 测评项目 × 2 测评指标 × 2 测评标准 with explanation reports (one indicator without), self-assessments,
    tasks, a veto list and two accepted photos with print copies."""
    order = iter(range(1, 1000))
    standards = []
    for i, item_title in enumerate(["组织领导与创建机制", "学雷锋志愿服务"], 1):
        item = CriterionFactory(
            campaign=campaign, code=str(i), title=item_title, level=1, is_leaf=False, ordering=next(order)
        )
        for j in (1, 2):
            indicator = CriterionFactory(
                campaign=campaign,
                code=f"{i}.{j}",
                title=f"{item_title}指标{j}",
                parent=item,
                level=2,
                is_leaf=False,
                ordering=next(order),
            )
            if (i, j) != (2, 2):
                text = f"第{i}{j}项说明：" + (SENTENCE * 4)[:400] + f"\n全年专题研究{i}{j}次。"
                Explanation.objects.create(criterion=indicator, text=text)
            for k in (1, 2):
                standard = CriterionFactory(
                    campaign=campaign,
                    code=f"{i}.{j}.{k}",
                    title=f"测评标准{i}{j}{k}",
                    parent=indicator,
                    level=3,
                    is_leaf=True,
                    max_score=Decimal("2.5"),
                    ordering=next(order),
                )
                Assessment.objects.create(criterion=standard, status=Assessment.Status.MET, self_score=Decimal(2))
                standards.append(standard)
    for n, standard in enumerate(standards[:4], 1):
        TaskFactory(
            campaign=campaign,
            code=str(n),
            title=f"落实{standard.title}",
            lead_office=cast.office_a,
            people=[cast.staff_a],
        ).standards.set([standard])
    group = VetoCondition.objects.create(campaign=campaign, code="N", title="负面清单", level=1, ordering=1)
    VetoCondition.objects.create(
        campaign=campaign, parent=group, code="N.1", title="领导班子严重违纪违法", level=2, ordering=2
    )
    photos = [
        _photo(cast, campaign, standards[0], title="志愿服务照片一"),
        _photo(cast, campaign, standards[1], title="志愿服务照片二"),
    ]
    return {"standards": standards, "photos": photos}


def build(campaign, user, *, viewer=None, content=None, progress=None) -> tuple[bytes, ReportContent]:
    content = content or report_content(campaign, user=user, on=datetime.date(2026, 3, 5))
    out = io.BytesIO()
    report_docx.render_report_docx(content, out, user=viewer or user, progress=progress)
    return out.getvalue(), content


def _paragraphs(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


# --- Read back with python-docx ----------------------------------------------------------------------------------


def test_the_headings_follow_the_report_content(cast, campaign, world):
    data, content = build(campaign, cast.coordinator)
    document = docx.Document(io.BytesIO(data))
    assert _paragraphs(document, report_docx.TITLE) == [content.title]
    assert content.title == "某市政协机关关于创建全国文明单位工作情况的报告"
    assert _paragraphs(document, report_docx.RECIPIENT) == ["市文明办："]
    assert (
        _paragraphs(document, "Heading 1")
        == [item.heading for item in content.items]
        == [
            "一、组织领导与创建机制",
            "二、学雷锋志愿服务",
        ]
    )
    assert _paragraphs(document, "Heading 2") == [i.heading for i in content.indicators()]
    assert _paragraphs(document, "Heading 2")[:2] == ["（一）组织领导与创建机制指标1", "（二）组织领导与创建机制指标2"]
    body = _paragraphs(document, report_docx.BODY)
    # every indicator's explanation report, paragraph by paragraph, in order; the standards' lines 「1.」
    expected = [p for i in content.indicators() for p in i.paragraphs]
    assert [p for p in body if p in expected] == expected
    assert "全年专题研究11次。" in body
    assert "（本指标尚未撰写说明报告。）" in body  # 2.2 has none
    assert sum(1 for p in body if re.match(r"^\d\.测评标准\d{3}", p)) == 8
    assert _paragraphs(document, report_docx.ANNEX_NOTE) == [
        "附件：1. 自评表",
        "2. 创建工作任务分解表",
        "3. 佐证材料目录",
        "4. 负面清单自查",
    ]
    assert _paragraphs(document, report_docx.SIGNATURE) == ["某市政协机关", "2026年3月5日"]
    assert _paragraphs(document, report_docx.ANNEX_LABEL) == ["附件1", "附件2", "附件3", "附件4"]
    assert _paragraphs(document, report_docx.ANNEX_TITLE) == [
        "自评表",
        "创建工作任务分解表",
        "佐证材料目录",
        "负面清单自查",
    ]


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_attachments_are_tables_of_the_contents_rows(cast, campaign, world):
    data, content = build(campaign, cast.coordinator)
    document = docx.Document(io.BytesIO(data))
    ruled = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    headers = [tuple(_rows(t)[0]) for t in ruled]
    assessment = ruled[headers.index(("编码", "测评项目、指标、标准", "分值", "自评得分", "自评"))]
    rows = _rows(assessment)[1:]
    assert [r[0] for r in rows] == [r.code for r in content.assessment_rows]
    assert [r[1].strip("　") for r in rows] == [r.title for r in content.assessment_rows]
    assert [(r[2], r[3], r[4]) for r in rows] == [
        (r.max_score_text, r.score_text, r.status_label) for r in content.assessment_rows
    ]
    tasks = next(t for t in ruled if _rows(t)[0][0] == "序号")
    assert [r[:2] for r in _rows(tasks)[1:]] == [[r.code, r.title] for r in content.task_rows]
    assert len(content.task_rows) == 4
    veto = next(t for t in ruled if _rows(t)[0][1] == "否决条件")
    assert [r[:3] for r in _rows(veto)[1:]] == [[r.code, r.title, r.status_label] for r in content.veto_rows]
    evidence = [t for t in ruled if _rows(t)[0][0] == "档案号"]
    listed = [r for t in evidence for r in _rows(t)[1:]]
    assert [r[0] for r in listed] == [row.archive_number for g in content.evidence_groups for row in g.rows]
    assert {r[1] for r in listed} == {"志愿服务照片一", "志愿服务照片二"}
    # the header row repeats on every page; no row splits across pages
    for table in ruled:
        first = table.rows[0]._tr
        assert first.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        assert all(tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for tr in table._tbl.tr_lst)


def test_the_page_setup_is_the_official_layouts(cast, campaign, world):
    data, _content = build(campaign, cast.coordinator)
    document = docx.Document(io.BytesIO(data))
    assert len(document.sections) == 1
    s = document.sections[0]

    def mm(length: Length | None) -> float:
        assert length is not None
        return length / Mm(1)

    assert (round(mm(s.page_width)), round(mm(s.page_height))) == (210, 297)
    assert mm(s.top_margin) == pytest.approx(37, abs=0.1)
    assert mm(s.bottom_margin) == pytest.approx(35, abs=0.1)
    assert mm(s.left_margin) == pytest.approx(28, abs=0.1)
    assert mm(s.right_margin) == pytest.approx(26, abs=0.1)
    width = mm(s.page_width) - mm(s.left_margin) - mm(s.right_margin)
    height = mm(s.page_height) - mm(s.top_margin) - mm(s.bottom_margin)
    assert (width, height) == (pytest.approx(156, abs=0.2), pytest.approx(225, abs=0.2))
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    line = normal.paragraph_format.line_spacing.pt
    assert line == pytest.approx(28.95)
    assert int(height / 25.4 * 72 / line + 1e-6) == 22  # 22 lines fill the block, 23 do not fit
    # 28 characters of 3号 with the body's tracking fit on a line, 29 do not
    tracking = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    pitch = 16 + tracking
    assert 28 * pitch <= width / 25.4 * 72 < 29 * pitch
    assert document.styles[report_docx.TITLE].font.size == Pt(22)
    assert document.styles["Heading 1"].font.size == Pt(16)
    assert document.styles["Heading 1"].font.bold is False
    assert document.styles[report_docx.BODY].paragraph_format.first_line_indent == pytest.approx(Pt(2 * pitch), abs=2)


def test_page_numbers_alternate_right_and_left_with_the_page_field(cast, campaign, world):
    data, _content = build(campaign, cast.coordinator)
    document = docx.Document(io.BytesIO(data))
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        assert not footer.is_linked_to_previous
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == align
        assert getattr(paragraph.paragraph_format, side) == Pt(14)  # one 4号 character in
        assert paragraph.style.font.size == Pt(14)
        assert paragraph.text == "— 1 —"  # the field's cached value between the dashes
        instructions = [t.text for t in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == [" PAGE "]
        kinds = [f.get(qn("w:fldCharType")) for f in paragraph._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
    # the number's line (16 pt exactly, above the footer distance) starts 7 mm below the block
    line_mm = section.footer.paragraphs[0].style.paragraph_format.line_spacing.pt * 25.4 / 72
    assert section.footer_distance is not None
    number_top = 297 - section.footer_distance / Mm(1) - line_mm
    assert number_top - (297 - 35) == pytest.approx(7, abs=0.5)


def _fonts(style) -> dict[str, str]:
    el = style.element.rPr.find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in el.attrib.items()}


def test_the_fonts_are_named_as_the_pdf_names_them(cast, campaign, world, settings):
    settings.OFFICIAL_FONTS = {
        "title": ["方正小标宋简体", "Noto Serif CJK SC"],
        "body": ["仿宋_GB2312", "仿宋", "Noto Serif CJK SC"],
        "hei": ["黑体", "Noto Sans CJK SC"],
        "kai": ["楷体_GB2312", "AR PL UKai CN"],
    }
    data, _content = build(campaign, cast.coordinator)
    document = docx.Document(io.BytesIO(data))
    expected = {
        "Normal": "仿宋_GB2312",
        report_docx.BODY: "仿宋_GB2312",
        report_docx.TITLE: "方正小标宋简体",
        report_docx.ANNEX_TITLE: "方正小标宋简体",
        "Heading 1": "黑体",
        report_docx.ANNEX_LABEL: "黑体",
        "Heading 2": "楷体_GB2312",
        report_docx.PAGE_NUMBER: "仿宋_GB2312",
    }
    for style, face in expected.items():
        assert _fonts(document.styles[style]) == {"ascii": face, "hAnsi": face, "eastAsia": face, "cs": face}, style
    table = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode()
    assert '<w:font w:name="楷体_GB2312"><w:altName w:val="AR PL UKai CN"/>' in table
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="Noto Serif CJK SC"/>' in table
    # another organ's faces: whatever settings say
    settings.OFFICIAL_FONTS = {**settings.OFFICIAL_FONTS, "body": ["FangSong", "Noto Serif CJK SC"]}
    data, _content = build(campaign, cast.coordinator)
    assert _fonts(docx.Document(io.BytesIO(data)).styles[report_docx.BODY])["eastAsia"] == "FangSong"


def test_photos_come_from_print_copies_the_viewer_may_read(cast, campaign, world):
    first, second = world["photos"]
    storage = storages["default"]
    with storage.open(first.stored_file.print_copy.name) as fh:
        print_copy = fh.read()
    with storage.open(first.stored_file.file.name) as fh:
        original = fh.read()
    storage.delete(second.stored_file.print_copy.name)  # its print copy is lost
    stages = []
    data, _content = build(campaign, cast.coordinator, progress=lambda *a: stages.append(a))
    document = docx.Document(io.BytesIO(data))
    images = [rel.target_part.blob for rel in document.part.rels.values() if rel.reltype.endswith("/image")]
    assert images == [print_copy]
    assert original not in images
    assert len(document.inline_shapes) == 1
    width, height = document.inline_shapes[0].width, document.inline_shapes[0].height
    assert width <= Mm(76) + 1 and height <= Mm(57) + 1
    text = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert f"（{translation.gettext('The print copy is missing or damaged')}）" in text
    assert text.count("机关青年志愿者在阳光社区开展便民服务") == 2
    assert stages[0] == ("content", 0, 2)
    assert ("content", 2, 2) in stages
    assert stages[-1] == ("write", 1, 1)
    # drawn for someone who may not read the items (office B's head): the photos are not shown
    data, _content = build(campaign, cast.coordinator, viewer=cast.head_b)
    document = docx.Document(io.BytesIO(data))
    assert len(document.inline_shapes) == 0


def test_text_xml_cannot_hold_is_dropped_not_fatal(cast, campaign, world, tmp_path):
    content = report_content(campaign, user=cast.coordinator, on=datetime.date(2026, 3, 5))
    bad = "坏\x00字\x01符\x0b\x1f\ud800\udfff\ufffe：<w:t>&amp;</w:t>"
    content = dataclasses.replace(content, title=f"报告{bad}", intro=[f"导语{bad}", *content.intro])
    item = content.items[0]
    item.title = f"项目{bad}"
    item.indicators[0].explanation = f"说明{bad}\n第二段"
    content.task_rows[0].title = f"任务{bad}\n第二行"
    content.evidence_groups[0].rows[0].title = f"材料{bad}"
    content.veto_rows[0].note = bad
    content.evidence_groups[0].photos[0].caption = f"说明文字{bad}"
    data, _content = build(campaign, cast.coordinator, content=content)
    document = docx.Document(io.BytesIO(data))
    clean = "坏字符：<w:t>&amp;</w:t>"
    assert _paragraphs(document, report_docx.TITLE) == [f"报告{clean}"]
    assert f"导语{clean}" in _paragraphs(document, report_docx.BODY)
    assert f"说明{clean}" in _paragraphs(document, report_docx.BODY)
    assert _paragraphs(document, "Heading 1")[0] == f"一、项目{clean}"
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert f"任务{clean}\n第二行" in cells
    assert f"材料{clean}" in cells
    assert document.core_properties.title == f"报告{clean}"
    if SOFFICE:
        assert "坏字符" in _convert(data, tmp_path).text


def test_the_renderers_leave_pillow_refusing_truncated_images():
    """WeasyPrint turns LOAD_TRUNCATED_IMAGES on when first imported; the previews made in the same worker rely on
    it being off. In a fresh process, as a worker starts."""
    import sys

    code = (
        "import django; django.setup(); from civunit.reports.report import docx, pdf; "
        "from PIL import ImageFile; print(ImageFile.LOAD_TRUNCATED_IMAGES)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civunit.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env, timeout=120)  # noqa: S603
    assert done.stdout.decode().strip() == "False"


def test_rendering_reads_the_database_once(cast, campaign, world, django_assert_num_queries):
    content = report_content(campaign, user=cast.coordinator)
    with django_assert_num_queries(1):  # the print copies the viewer may read (pdf.allowed_print_copies)
        report_docx.render_report_docx(content, io.BytesIO(), user=cast.coordinator)


# --- Converted by LibreOffice ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Converted:
    pdf: Path
    text: str


def _fontconfig(tmp: Path) -> Path:
    """A fontconfig file that maps each official face (absent here) to the free face that ends its chain in
    settings, as an organ without the official fonts would set up LibreOffice."""
    from django.conf import settings

    aliases = []
    for role, chain in settings.OFFICIAL_FONTS.items():
        del role
        for family in chain[:-1]:
            aliases.append(
                f"<alias binding='same'><family>{family}</family><prefer><family>{chain[-1]}</family></prefer></alias>"
            )
    path = tmp / "fonts.conf"
    path.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
        "<include ignore_missing='yes'>/etc/fonts/fonts.conf</include>" + "".join(aliases) + "</fontconfig>",
        encoding="utf-8",
    )
    return path


def _convert(data: bytes, tmp: Path) -> Converted:
    """soffice --headless --convert-to pdf, with a profile of its own (two conversions at once would share one)."""
    work = Path(tmp) / f"lo-{os.getpid()}-{id(data)}"
    assert SOFFICE is not None
    work.mkdir(parents=True, exist_ok=True)
    source = work / "report.docx"
    source.write_bytes(data)
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(work)), "HOME": str(work)}
    subprocess.run(  # noqa: S603 - a fixed program converting our own file
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{work}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    pdf = work / "report.pdf"
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout.decode()
    return Converted(pdf=pdf, text=text)


HANGING = set("。，、；：？！）」』”’")


def _flat(text: str) -> str:
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


@pytest.fixture
def converted(cast, campaign, world, tmp_path):
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice is not installed (soffice not on PATH): scripts/setup installs libreoffice-writer-nogui"
        )
    data, content = build(campaign, cast.coordinator)
    return _convert(data, tmp_path), content


@pytest.mark.slow
def test_libreoffice_converts_it_keeping_its_content_and_the_grid(converted, tmp_path):
    """One conversion (about 5 s) for both checks."""
    result, content = converted
    _check_content(result, content)
    _check_grid(result, tmp_path)


def _check_content(result: Converted, content: ReportContent) -> None:
    """The PDF's text holds the title, every heading and explanation report and the attachments, in order."""
    text = _flat(result.text)
    body = [
        piece
        for item in content.items
        for piece in (item.heading, item.summary, *[p for i in item.indicators for p in (i.heading, *i.paragraphs)])
    ]
    expected = [
        content.title,
        "市文明办：",
        *body,
        "附件：1.自评表",
        "某市政协机关2026年3月5日",
        "附件1",
        "自评表",
        "附件2",
        "创建工作任务分解表",
        "附件3",
        "佐证材料目录",
        "附件4",
        "负面清单自查",
    ]
    position = 0
    for piece in expected:
        found = text.find(_flat(piece), position)
        assert found >= 0, piece
        position = found
    for indicator in content.indicators():
        for paragraph in indicator.paragraphs:
            assert _flat(paragraph) in text
    for row in content.task_rows:
        assert _flat(row.title) in text


def _check_grid(result: Converted, tmp_path: Path) -> None:
    """A4; the body from the binding margin, 28 characters a line, 22 lines a page; page numbers alternating."""
    import pdfplumber

    with pdfplumber.open(result.pdf) as pdf:
        pages = pdf.pages
        assert {(round(p.width), round(p.height)) for p in pages} == {(595, 842)}  # A4 in points
        assert len(pages) >= 6
        first = pages[0]
        pt = 72 / 25.4
        lines: dict[tuple[int, int], list[dict]] = {}
        body = []
        for number, page in enumerate(pages[:3]):
            for c in page.chars:
                if 15.5 < c["size"] < 16.5 and c["text"].strip():
                    lines.setdefault((number, round(c["top"])), []).append(c)
                    body.append(c)
        # the body's left edge is the binding margin, its right edge within the block but for closing punctuation,
        # which may hang past it (as in Word); full lines of Chinese text hold 28 characters besides
        assert min(c["x0"] for c in body) == pytest.approx(28 * pt, abs=1 * pt)
        edge = (28 + 156 + 0.5) * pt
        assert all(c["text"] in HANGING for c in body if c["x1"] > edge)
        text_lines = [[c for c in line if c["x1"] <= edge] for line in lines.values()]
        wide = [line for line in text_lines if all(ord(c["text"]) > 0x2E7F for c in line)]
        assert max(len(line) for line in wide) == 28
        # a page of body text holds 22 lines, the first of them 37 mm from the top
        page = pages[1]
        tops = sorted({round(c["top"]) for c in page.chars if 15.5 < c["size"] < 16.5 and c["text"].strip()})
        assert len(tops) == 22
        assert tops[-1] - tops[0] == pytest.approx(21 * 28.95, abs=2)
        # page numbers "— N —" in 4号: right on odd pages, left on even ones
        for number, p in enumerate(pages[:4], 1):
            digits = [c for c in p.chars if 13.5 < c["size"] < 14.5 and c["top"] > 255 * pt]
            assert "".join(c["text"] for c in digits).replace(" ", "") == f"—{number}—"
            if number % 2:
                assert max(c["x1"] for c in digits) == pytest.approx((210 - 26) * pt - 14, abs=3)
            else:
                assert min(c["x0"] for c in digits) == pytest.approx(28 * pt + 14, abs=3)
        title = [c for c in first.chars if c["size"] > 21.5]
        assert "".join(c["text"] for c in title).startswith("某市政协机关关于创建全国文明单位")
    subprocess.run(  # noqa: S603 - the first page as an image, to look at
        ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", str(result.pdf), str(tmp_path / "first")],  # noqa: S607
        check=True,
    )
    assert (tmp_path / "first.png").stat().st_size > 10_000
