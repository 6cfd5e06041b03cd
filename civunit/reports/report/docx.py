"""The report as an editable Word copy (.docx) in the layout of GB/T 9704-2012, from the same `ReportContent` as the
PDF: offices revise it in Word or WPS before the leadership signs it.

What the layout asks, as Word expresses it:
- A4, margins top 37 mm, bottom 35 mm, left (binding) 28 mm, right 26 mm: a text block of 156 × 225 mm holding
  22 lines of 28 characters: exact line spacing of 28.95 pt (225 mm / 22) and a character spacing of -0.25 pt
  (28 × 16 pt would be 2 mm wider than the block).
- Body 3号 (16 pt) 仿宋; title 2号 (22 pt) 小标宋, centred; headings 「一、」 黑体 and 「（一）」 楷体 (Word's Heading 1
  and 2, so that the navigation pane shows the structure); 「1.」 lines in the body face. The faces are the PDF's
  (settings.OFFICIAL_FONTS): the first of a role's chain, the official face, is named for East Asian and Latin
  text alike, and the font table names the chain's last face, the free one the setup installs, as its
  alternative, for programs that substitute by it where the official face is not installed.
- Page numbers "— N —" in 4号, 7 mm below the block: different odd and even footers with the PAGE field, odd pages
  on the right and even pages on the left, one character in.
- 附件说明 one line below the body, two characters in, the later names aligned with the first; the organ's name
  centred above the date, the date four characters in from the right; each attachment on a new page with
  「附件N」 flush left in 黑体 and its title centred in 2号; its content as tables (小四 and 五号) whose header row
  repeats on every page.
- Photos from the print copies only (never the originals), two to a row, each checked again against what the
  requesting user may read, and opened with Pillow before it goes in; a missing or damaged one is named instead.

Every text goes through civunit.utils.xml_safe: characters XML cannot hold (NUL, other control characters, lone
surrogates) are dropped rather than making the file unreadable. Table rows are written as XML directly: python-docx
walks a table's whole grid on each cell access, which is quadratic in the rows of a long attachment.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape

import docx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]  # python-docx's own XML library, without stubs
from PIL import Image

from civunit.utils import xml_safe
from evidence import files

from .content import EvidenceGroup, Photo, ReportContent
from .pdf import allowed_print_copies, font_families

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

    from civunit.accounts.models import User

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The grid (GB/T 9704-2012; the word-processor practice in ../shared/reference/DOMAIN.md).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
BODY_SIZE = 16  # 3号
TITLE_SIZE = 22  # 2号
PAGE_NUMBER_SIZE = 14  # 4号
TABLE_SIZE = 12  # 小四
SMALL_TABLE_SIZE = 10.5  # 五号
LINE = Pt(28.95)  # 225 mm / 22 lines
LINE_TWIPS = 579
# 28 characters a line: 156 mm is 442.2 pt, 28 × 16 pt is 448 pt. A character spacing of -0.25 pt puts 28 on a
# line (441 pt) and not 29, in Word and LibreOffice alike. (Word's own character grid, w:docGrid linesAndChars
# with charSpace -849, does the same in Word, but LibreOffice then gives each 16 pt character two cells of the
# 15.79 pt grid: 14 a line.)
TRACKING = -5  # twentieths of a point: -0.25 pt
CHAR = Pt(BODY_SIZE + TRACKING / 20)  # one character of the body, for indents
# The page number's line (4号, 16 pt exactly) ends 22 mm above the paper's edge, so it starts about 7 mm below the
# block, which ends 35 mm above it.
FOOTER_DISTANCE = Mm(22)
PHOTO_BOX = (Mm(76), Mm(57))  # two to a row

# Paragraph styles (document data, named in Chinese like the layout's own terms; Word shows them in its list).
BODY = "公文正文"
TITLE = "公文标题"
RECIPIENT = "主送机关"
ANNEX_NOTE = "附件说明"
SIGNATURE = "发文机关署名"
ANNEX_LABEL = "附件标识"
ANNEX_TITLE = "附件标题"
CAPTION = "图表说明"
TABLE_TEXT = "表格文字"
SMALL_TABLE_TEXT = "表格小字"
GROUP_HEADING = "材料分组"
PAGE_NUMBER = "页码"
HEADING_1 = "Heading 1"  # 「一、」
HEADING_2 = "Heading 2"  # 「（一）」


def _t(value: object) -> str:
    return xml_safe(str(value))


# --- Fonts ------------------------------------------------------------------------------------------------------


def font_name(role: str) -> str:
    """The face a role names in the document: the first of its chain (pdf.font_families), the official face."""
    return font_families(role)[0]


def alternative_font(role: str) -> str:
    """The free face that stands in for a role's official one: the last of its own chain in OFFICIAL_FONTS,
    which ends in faces the setup installs."""
    own = [f for f in font_families(role) if f in settings.OFFICIAL_FONTS.get(role, [])]
    return own[-1] if own else font_families(role)[-1]


def _set_fonts(rpr: Any, name: str) -> None:
    """Name `name` for Latin, East Asian and complex-script text alike, and drop the theme fonts that would win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _declare_fonts(doc: Document) -> None:
    """The faces the styles name, in the font table, each with its chain's free face as alternative name."""
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    known = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for role in ("title", "body", "hei", "kai"):
        name, alternative = font_name(role), alternative_font(role)
        if name in known:
            continue
        known.add(name)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if alternative != name:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alternative)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB 2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if role == "hei" else "roman")
    # python-docx keeps the font table as a plain part (it has no API for it): its bytes are replaced whole.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- The document and its styles --------------------------------------------------------------------------------


# What may follow w:spacing in a run's properties (the schema's order, which Word enforces).
_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def _tracking(rpr: Any, twentieths: int) -> None:
    """Character spacing (w:spacing in a run's properties), in twentieths of a point."""
    el = rpr.find(qn("w:spacing"))
    if el is None:
        el = OxmlElement("w:spacing")
        rpr.insert_element_before(el, *_AFTER_SPACING)
    el.set(qn("w:val"), str(twentieths))


def _paragraph_format(
    style: Any,
    *,
    size: float,
    line: Length,
    role: str,
    align: Any = None,
    indent: Length | None = None,
    tracking: int = 0,
) -> Any:
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    _set_fonts(rpr, font_name(role))
    _tracking(rpr, tracking)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.first_line_indent = indent
    if align is not None:
        fmt.alignment = align
    return fmt


def _style(doc: Document, name: str, *, base: str = "Normal") -> Any:
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        pass
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def _defaults(doc: Document) -> None:
    """Document defaults: the body face and size, Chinese as the East Asian language, exact 28.95 pt lines."""
    styles_el = doc.styles.element
    rpr = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, font_name("body"))
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), str(BODY_SIZE * 2))
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")


def _styles(doc: Document) -> None:
    _defaults(doc)
    styles = doc.styles
    # Body text is aligned left, not justified: its lines of 28 full-width characters end flush anyway, and
    # LibreOffice (7.4) drops a 。 or ， that hangs past the margin at the end of a justified line (Word and
    # LibreOffice both let closing punctuation hang, and LibreOffice ignores w:overflowPunct).
    centre, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    body: dict[str, Any] = {"size": BODY_SIZE, "line": LINE, "tracking": TRACKING}
    _paragraph_format(styles["Normal"], role="body", align=left, **body)
    _paragraph_format(_style(doc, BODY), role="body", align=left, indent=Emu(CHAR * 2), **body)
    _paragraph_format(_style(doc, RECIPIENT), role="body", align=left, **body)
    for name, role in ((HEADING_1, "hei"), (HEADING_2, "kai")):
        fmt = _paragraph_format(styles[name], role=role, align=left, indent=Emu(CHAR * 2), **body)
        fmt.keep_with_next = True
    fmt = _paragraph_format(_style(doc, ANNEX_NOTE), role="body", align=left, **body)
    fmt.left_indent = Emu(CHAR * 5)  # two characters, then 「附件：」: the later names align with the first
    fmt = _paragraph_format(_style(doc, SIGNATURE), role="body", align=WD_ALIGN_PARAGRAPH.RIGHT, **body)
    fmt.keep_with_next = True
    fmt = _paragraph_format(_style(doc, ANNEX_LABEL), role="hei", align=left, **body)
    fmt.page_break_before = True
    fmt.keep_with_next = True
    # The title (a blank line below it) and the attachments' titles: 2号, centred.
    fmt = _paragraph_format(_style(doc, TITLE), size=TITLE_SIZE, line=Pt(36), role="title", align=centre)
    fmt.space_after = LINE
    fmt = _paragraph_format(_style(doc, ANNEX_TITLE), size=TITLE_SIZE, line=Pt(36), role="title", align=centre)
    fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(14), Pt(14), True
    # Tables (小四, 五号), captions, the evidence groups' headings, page numbers: off the body's tracking.
    _paragraph_format(_style(doc, CAPTION), size=TABLE_SIZE, line=Pt(18), role="body", align=centre)
    _paragraph_format(_style(doc, TABLE_TEXT), size=TABLE_SIZE, line=Pt(17), role="body", align=left)
    _paragraph_format(_style(doc, SMALL_TABLE_TEXT), size=SMALL_TABLE_SIZE, line=Pt(15), role="body", align=left)
    fmt = _paragraph_format(_style(doc, GROUP_HEADING), size=14, line=Pt(22), role="kai", align=left)
    fmt.space_before, fmt.keep_with_next = Pt(8), True
    _paragraph_format(_style(doc, PAGE_NUMBER, base="Footer"), size=PAGE_NUMBER_SIZE, line=Pt(16), role="body")


def _page_setup(doc: Document) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    section.footer_distance = FOOTER_DISTANCE
    # No character grid (see TRACKING); the line pitch is the layout's, for Word's page setup dialog.
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.attrib.clear()
        grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph._p.style = style_id(PAGE_NUMBER)
        paragraph.alignment = align
        setattr(paragraph.paragraph_format, f"{side}_indent", Pt(PAGE_NUMBER_SIZE))  # one character in
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph: Paragraph) -> None:
    """The PAGE field: begin, instruction, separate, a cached "1", end."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run("1")
    char("end")


def new_document(*, title: str, author: str) -> Document:
    """An empty document in the official layout: page setup, grid, styles, page numbers, fonts declared."""
    doc = docx.Document()
    _styles(doc)
    for name in (BODY, TITLE, RECIPIENT, ANNEX_NOTE, SIGNATURE, ANNEX_LABEL, ANNEX_TITLE, CAPTION, TABLE_TEXT,
                 SMALL_TABLE_TEXT, GROUP_HEADING, HEADING_1, HEADING_2):  # fmt: skip
        if doc.styles[name].style_id != style_id(name):
            raise ImproperlyConfigured(f"the style {name!r} has the id {doc.styles[name].style_id!r}")
    _page_setup(doc)
    _declare_fonts(doc)
    props = doc.core_properties
    props.title = _t(title)[:255]
    props.author = _t(author)[:255]
    props.comments = "civunit"
    return doc


# --- Paragraphs and tables --------------------------------------------------------------------------------------


def style_id(name: str) -> str:
    """The id of one of the styles above (python-docx finds a style by name in a walk over all ~170 styles of
    its template, 10 ms a paragraph: the ids are known). new_document() checks that they are right."""
    return {HEADING_1: "Heading1", HEADING_2: "Heading2"}.get(name, name)


def _runs(text: str) -> str:
    """Runs of `text`, a line break for each new line."""
    return "<w:r><w:br/></w:r>".join(
        f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in _t(text).split("\n")
    )


def _para(doc: Document, text: str, style: str) -> Paragraph:
    """A paragraph of `style` at the end of the body (before the section's properties), parsed from text: a
    tenth of the time python-docx's add_paragraph takes."""
    el = parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{style_id(style)}"/></w:pPr>{_runs(text)}</w:p>')
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is None:
        body.append(el)
    else:
        sect.addprevious(el)
    return Paragraph(el, doc._body)


@dataclass(frozen=True)
class Col:
    header: str
    width_mm: float
    centre: bool = False


def _tc(text: str, *, width: int, style: str, centre: bool, fill: str) -> str:
    """A table cell's XML: its width, shading, one paragraph of the table style, a line break per new line."""
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    jc = '<w:jc w:val="center"/>' if centre else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr>{_runs(text)}</w:p></w:tc>'
    )


def _table(
    doc: Document,
    cols: Sequence[Col],
    rows: Iterable[Sequence[object]],
    *,
    style: str,
    fills: Callable[[int], str] | None = None,
) -> Table:
    """A ruled table, the header row repeated on every page and rows never split across pages. `fills` gives a
    row's background colour (or "")."""
    table: Table = doc.add_table(rows=0, cols=len(cols))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [int(Mm(c.width_mm).twips) for c in cols]
    grid = table._tbl.tblGrid
    for gc, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        gc.set(qn("w:w"), str(width))
    cell_style = style_id(style)
    tbl = table._tbl

    def add(values: Sequence[object], *, header: bool = False, fill: str = "") -> None:
        # One row parsed from text: building it element by element costs five times as much.
        cells = "".join(
            _tc(
                "" if value is None else str(value),
                width=width,
                style=cell_style,
                centre=col.centre or header,
                fill=fill,
            )
            for col, value, width in zip(cols, values, widths, strict=True)
        )
        head = "<w:tblHeader/>" if header else ""
        tbl.append(parse_xml(f"<w:tr {nsdecls('w')}><w:trPr><w:cantSplit/>{head}</w:trPr>{cells}</w:tr>"))

    add([c.header for c in cols], header=True, fill="F2F2F2")
    for i, row in enumerate(rows):
        add(row, fill=fills(i) if fills else "")
    return table


# --- The body ---------------------------------------------------------------------------------------------------


def _text_width(text: str) -> float:
    """Width in points in 3号: full-width characters take one character, ASCII half of one."""
    return sum(BODY_SIZE if ord(ch) > 0x7F else BODY_SIZE / 2 for ch in text)


def _body(doc: Document, content: ReportContent) -> None:
    _para(doc, content.title, TITLE)
    _para(doc, f"{content.recipient}：", RECIPIENT)
    for paragraph in content.intro:
        _para(doc, paragraph, BODY)
    if content.coverage:
        _table(
            doc,
            [
                Col(_("Evaluation item"), 76),
                Col(_("Number of standards"), 26, True),
                Col(_("With accepted evidence"), 27, True),
                Col(_("Without accepted evidence"), 27, True),
            ],
            [(line.title, line.standards, line.evidenced, line.without_evidence) for line in content.coverage],
            style=TABLE_TEXT,
        )
        _para(doc, _("Standards with accepted evidence, by evaluation item"), CAPTION)
    for item in content.items:
        _para(doc, item.heading, HEADING_1)
        _para(doc, item.summary, BODY)
        for indicator in item.indicators:
            _para(doc, indicator.heading, HEADING_2)
            paragraphs = indicator.paragraphs or [_("(No explanation report has been written for this indicator yet.)")]
            for text in paragraphs:
                _para(doc, text, BODY)
            _para(doc, indicator.assessment_text, BODY)
            for standard in indicator.standards:
                _para(doc, f"{standard.number}{standard.text}", BODY)
    _para(doc, content.closing, BODY)
    _annex_note(doc, content)
    _signature(doc, content)


def _annex_note(doc: Document, content: ReportContent) -> None:
    """「附件：1. 自评表」 one line below the body, two characters in; the later names aligned with the first."""
    for i, annex in enumerate(content.attachments):
        prefix = "附件：" if i == 0 else ""
        paragraph = _para(doc, f"{prefix}{annex.number}. {annex.title}", ANNEX_NOTE)
        if i == 0:
            paragraph.paragraph_format.first_line_indent = Emu(-CHAR * 3)
            paragraph.paragraph_format.space_before = LINE


def _signature(doc: Document, content: ReportContent) -> None:
    """The date four characters in from the right, the organ's name centred on it, two lines above it for the
    seal (GB/T 9704 7.3.5.1)."""
    date_width = _text_width(content.date_text)
    organ_width = _text_width(content.signature_organ)
    date_indent = Pt(BODY_SIZE * 4)
    organ_indent = Pt(max(0.0, BODY_SIZE * 4 + (date_width - organ_width) / 2))
    organ = _para(doc, content.signature_organ, SIGNATURE)
    organ.paragraph_format.right_indent = organ_indent
    organ.paragraph_format.space_before = Pt(LINE.pt * 2)
    date = _para(doc, content.date_text, SIGNATURE)
    date.paragraph_format.right_indent = date_indent


# --- The attachments --------------------------------------------------------------------------------------------


def _attachments(doc: Document, content: ReportContent, photos: PhotoSource, progress: Progress | None) -> None:
    for annex in content.attachments:
        _para(doc, annex.label, ANNEX_LABEL)
        _para(doc, annex.title, ANNEX_TITLE)
        if annex.kind == "assessment":
            _assessment(doc, content)
        elif annex.kind == "tasks":
            _tasks(doc, content)
        elif annex.kind == "evidence":
            _evidence(doc, content, photos, progress)
        elif annex.kind == "veto":
            _veto(doc, content)


def _empty(doc: Document, text: str) -> None:
    _para(doc, text, BODY)


def _assessment(doc: Document, content: ReportContent) -> None:
    if not content.assessment_rows:
        _empty(doc, _("The campaign has no evaluation table yet."))
        return
    indent = "　"  # a full-width space per level below the first, as the PDF indents its rows
    rows = content.assessment_rows
    _table(
        doc,
        [
            Col(_("Code"), 18),
            Col(_("Evaluation item, indicator, standard"), 82),
            Col(_("Points"), 16, True),
            Col(_("Self score"), 16, True),
            Col(_("Self-assessment"), 24, True),
        ],
        [(r.code, indent * (r.level - 1) + r.title, r.max_score_text, r.score_text, r.status_label) for r in rows],
        style=TABLE_TEXT,
        fills=lambda i: "F2F2F2" if rows[i].level == 1 else "",
    )


def _tasks(doc: Document, content: ReportContent) -> None:
    if not content.task_rows:
        _empty(doc, _("The breakdown has no tasks yet."))
        return
    _table(
        doc,
        [
            Col(_("No."), 12, True),
            Col(_("Task"), 32),
            Col(_("Standards"), 15),
            Col(_("Lead office"), 19),
            Col(_("Supporting offices"), 19),
            Col(_("Responsible"), 16),
            Col(_("Deadline"), 24),
            Col(_("Progress"), 19),
        ],
        [
            (
                r.code,
                r.title,
                r.standards,
                r.lead_office,
                r.supporting_offices,
                r.responsible,
                r.deadline,
                r.status_label,
            )
            for r in content.task_rows
        ],
        style=SMALL_TABLE_TEXT,
    )


def _veto(doc: Document, content: ReportContent) -> None:
    if not content.veto_rows:
        _empty(doc, _("The campaign has no negative list."))
        return
    rows = content.veto_rows
    _table(
        doc,
        [Col(_("Code"), 16), Col(_("Veto condition"), 82), Col(_("Self-check"), 24, True), Col(_("Note"), 34)],
        [(r.code, r.title, r.status_label, r.note) for r in rows],
        style=TABLE_TEXT,
        fills=lambda i: "F2F2F2" if rows[i].is_group else "",
    )


def _evidence(doc: Document, content: ReportContent, photos: PhotoSource, progress: Progress | None) -> None:
    if not content.evidence_groups:
        _empty(doc, _("No accepted evidence yet."))
        return
    for group in content.evidence_groups:
        _para(doc, f"{group.code} {group.title}" if group.code else group.title, GROUP_HEADING)
        if not group.rows:
            _para(doc, _("No accepted evidence yet."), SMALL_TABLE_TEXT)
            continue
        _table(
            doc,
            [
                Col(_("Archive number"), 24),
                Col(_("Title"), 50),
                Col(_("Category"), 18, True),
                Col(_("Office"), 30),
                Col(_("Date"), 34, True),
            ],
            [(r.archive_number, r.title, r.category_label, r.office, r.date) for r in group.rows],
            style=SMALL_TABLE_TEXT,
        )
        if group.photos:
            _photos(doc, group, photos, progress)
        more = max(group.photos_total - len(group.photos), 0)
        if more:
            text = ngettext("and %(n)s more photo in the archive", "and %(n)s more photos in the archive", more)
            _para(doc, text % {"n": more}, SMALL_TABLE_TEXT)


# --- Photos -----------------------------------------------------------------------------------------------------


class PhotoSource:
    """The print copies the report may show `user`, checked again now (pdf.allowed_print_copies, one query): a
    report's content never widens what its renderer reads. `image(photo)` gives the bytes and size of a
    readable one, or the reason it is not shown."""

    def __init__(self, photos: list[Photo], *, user: User):
        self.total = len(photos)
        self.done = 0
        self.allowed = allowed_print_copies(photos, user=user)

    def image(self, photo: Photo) -> tuple[bytes, tuple[int, int]] | str:
        self.done += 1
        if not photo.print_copy:
            return _("No print copy of this photo yet")
        if self.allowed.get(photo.evidence_id) != photo.print_copy:
            return _("Not shown")
        try:
            with files.open_stored(photo.print_copy) as stored:
                data = stored.read()
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
                size = im.size
            if Image.MIME.get(im.format or "") not in ("image/jpeg", "image/png"):
                raise ValueError(f"not a JPEG or PNG: {im.format}")
        except Exception:  # missing, a storage error, bytes that are no image: the photo is named instead
            log.warning("report: print copy %s is missing or unreadable", photo.print_copy, exc_info=True)
            return _("The print copy is missing or damaged")
        return data, size


def _fit(size: tuple[int, int]) -> tuple[Emu, Emu]:
    """The photo's size within the box, its proportions kept."""
    box_w, box_h = PHOTO_BOX
    w, h = size
    if w * box_h >= h * box_w:
        return Emu(box_w), Emu(int(box_w * h / w))
    return Emu(int(box_h * w / h)), Emu(box_h)


def _photos(doc: Document, group: EvidenceGroup, photos: PhotoSource, progress: Progress | None) -> None:
    """Two to a row in a table without rules, each captioned with its archive number."""
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for start in range(0, len(group.photos), 2):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a photo stays with its caption
        cells = row.cells
        for cell, photo in zip(cells, group.photos[start : start + 2], strict=False):
            cell.width = Mm(78)
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id(SMALL_TABLE_TEXT)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.keep_with_next = True
            found = photos.image(photo)
            if isinstance(found, str):
                paragraph.add_run(_t(f"（{found}）"))
            else:
                data, size = found
                width, height = _fit(size)
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                paragraph.add_run().add_picture(io.BytesIO(data), width=width, height=height)
            caption = cell.add_paragraph()
            caption._p.style = style_id(SMALL_TABLE_TEXT)
            caption.add_run(_t(" ".join(p for p in (photo.archive_number, photo.caption) if p)))
            if progress and (photos.done % 25 == 0 or photos.done == photos.total):
                progress("content", photos.done, photos.total)


# --- The whole report -------------------------------------------------------------------------------------------


def render_report_docx(content: ReportContent, out: BinaryIO, *, user: User, progress: Progress | None = None) -> None:
    """Write the report as .docx to `out`. `progress(stage, done, total)` is told of each stage, as the PDF's is:
    "content" (the photos' print copies read and checked), then "write"."""
    photos = PhotoSource(content.photos(), user=user)
    if progress:
        progress("content", 0, photos.total)
    doc = new_document(title=content.title, author=content.organ)
    _body(doc, content)
    _attachments(doc, content, photos, progress)
    if progress:
        progress("write", 0, 1)
    doc.save(out)
    if progress:
        progress("write", 1, 1)
