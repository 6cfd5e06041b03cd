"""The report as a PDF in the official layout (GB/T 9704-2012), and the official layout for other documents
(published bulletins): Django templates under reports/official/, the print stylesheet reports/official.css, fonts
from settings, drawn by WeasyPrint.

WeasyPrint reads nothing but what `OfficialFetcher` hands it: the app's own static files, the font files named
in OFFICIAL_FONT_FILES, and the print copies of the photos the report shows, each checked again against what the
requesting user may read. Every other URL (file:, http(s):, data:, ftp:, a relative path) is refused and logged,
so user text — escaped by the templates anyway — can never make the renderer read a local file, reach the
network or embed an attachment, and no user CSS is ever applied.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from PIL import Image, ImageFile
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from civunit.reports import dashboard_charts
from civunit.utils import gc_frozen
from evidence import files
from evidence.access import evidence_visible_to
from evidence.models import EvidenceItem

from .content import EvidenceGroup, Photo, ReportContent

if TYPE_CHECKING:
    from civunit.accounts.models import User

log = logging.getLogger(__name__)

# Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process. The worker that renders
# reports also makes the evidence previews, which must refuse a truncated photo (evidence/previews.py): turn it
# back off. The photos the report shows are print copies checked before layout.
ImageFile.LOAD_TRUNCATED_IMAGES = False

Progress = Callable[[str, int, int], None]

STATIC_SCHEME = "civunit-static"
PRINT_COPY_SCHEME = "civunit-print-copy"
FONT_SCHEME = "civunit-font"
STYLESHEET_URL = f"{STATIC_SCHEME}:reports/official.css"

# What a static file may be to be handed to the renderer.
STATIC_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
FONT_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ttc": "font/collection",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
_SAFE_STATIC = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")
# A family name as it may appear quoted in CSS: no quote, backslash, angle bracket or control character.
_SAFE_FAMILY = re.compile(r"^[^\"'\\<>{};\x00-\x1f\x7f]{1,100}$")


class ReportRenderError(Exception):
    """The PDF could not be drawn (a message for the person who asked)."""


# --- Fonts ------------------------------------------------------------------------------------------------------

# Where each role's family goes. Headings 「一、」 are 黑体, 「（一）」 楷体, the title 小标宋, the rest 仿宋.
FONT_ROLES = {
    "body": ["body", "@page :right @bottom-right", "@page :left @bottom-left"],
    "title": [".od-title", ".od-annex-title", ".od-masthead-title"],
    "hei": [".od-h1", ".od-annex-label", ".od-group-item"],
    "kai": [".od-h2", ".od-group-heading"],
}


def font_families(role: str) -> list[str]:
    """The fallback chain of a role (OFFICIAL_FONTS), then OFFICIAL_FONT_FALLBACK, without repeats."""
    chain: list[str] = []
    for family in [*settings.OFFICIAL_FONTS.get(role, []), *settings.OFFICIAL_FONT_FALLBACK]:
        family = family.strip()
        if not _SAFE_FAMILY.match(family):
            log.warning("official fonts: ignoring the family name %r", family)
            continue
        if family not in chain:
            chain.append(family)
    return chain


def _font_files() -> list[tuple[str, Path]]:
    """OFFICIAL_FONT_FILES as (family, path) pairs, the unusable ones left out with a warning."""
    found = []
    for family, path in dict(settings.OFFICIAL_FONT_FILES).items():
        file = Path(path)
        if not _SAFE_FAMILY.match(family) or file.suffix.lower() not in FONT_TYPES or not file.is_file():
            log.warning("official fonts: ignoring the font file %s for %r", path, family)
            continue
        found.append((family, file))
    return found


def font_css() -> str:
    """The stylesheet that names the font families (from settings) on the official layout's classes."""
    rules = [
        f'@font-face {{ font-family: "{family}"; src: url("{FONT_SCHEME}:{i}"); }}'
        for i, (family, _path) in enumerate(_font_files())
    ]
    for role, selectors in FONT_ROLES.items():
        families = ", ".join(f'"{f}"' for f in font_families(role))
        for selector in selectors:
            if selector.startswith("@page"):
                page, box = selector.rsplit(" ", 1)
                rules.append(f"{page} {{ {box} {{ font-family: {families}; }} }}")
            else:
                rules.append(f"{selector} {{ font-family: {families}; }}")
    return "\n".join(rules)


# --- What the renderer may read ---------------------------------------------------------------------------------


class OfficialFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint's class is untyped
    """Serves the app's static files, the configured font files and the allowed print copies; refuses the rest.

    `print_copies` maps a photo's evidence id to its print copy's storage name: only those, only by id.
    `fetched` and `refused` list the URLs asked for (the tests read them)."""

    def __init__(self, print_copies: dict[int, str] | None = None, *, checked: PrintCopies | None = None):
        # No protocol, no redirects: fetch() below never calls the opener WeasyPrint's class would use.
        super().__init__(allowed_protocols=frozenset(), allow_redirects=False, fail_on_errors=False)
        self.print_copies = dict(print_copies or {})
        # With `checked`, a print copy is served from the read that checked it (never read again), and only
        # while the part that shows it is drawn.
        self.checked = checked
        self.fetched: list[str] = []
        self.refused: list[str] = []
        self._fonts = _font_files()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme, _sep, rest = url.partition(":")
        try:
            if scheme == STATIC_SCHEME:
                response = self._static(url, rest)
            elif scheme == PRINT_COPY_SCHEME:
                response = self._print_copy(url, rest)
            elif scheme == FONT_SCHEME:
                response = self._font(url, rest)
            else:
                raise PermissionError("not a resource of the application")
        except Exception as exc:
            self.refused.append(url)
            log.warning("official document: refused to load %.200s (%s)", url, exc)
            raise
        self.fetched.append(url)
        return response

    def _static(self, url: str, path: str) -> URLFetcherResponse:
        suffix = Path(path).suffix.lower()
        if not _SAFE_STATIC.match(path) or ".." in path.split("/") or suffix not in STATIC_TYPES:
            raise PermissionError("not a static file")
        found = finders.find(path)
        if not found or isinstance(found, list):
            raise FileNotFoundError(path)
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": STATIC_TYPES[suffix]})

    def _font(self, url: str, index: str) -> URLFetcherResponse:
        if not index.isdigit() or int(index) >= len(self._fonts):
            raise PermissionError("not a configured font")
        _family, path = self._fonts[int(index)]
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": FONT_TYPES[path.suffix.lower()]})

    def _print_copy(self, url: str, evidence_id: str) -> URLFetcherResponse:
        name = self.print_copies.get(int(evidence_id)) if evidence_id.isdigit() else None
        if not name:
            raise PermissionError("not a print copy of this report")
        if self.checked is not None:
            data = self.checked.take(int(evidence_id))
            if data is None:
                raise PermissionError("not a checked print copy of the part being drawn")
            return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
        with files.open_stored(name) as stored:
            return URLFetcherResponse(url, stored.read(), {"Content-Type": "image/jpeg"})


def allowed_print_copies(photos: list[Photo], *, user: User) -> dict[int, str]:
    """{evidence id: print copy name} of the photos `user` may read now, as stored now (one query): a report's
    content never widens what its renderer may read."""
    return {pk: name for pk, (name, _digest) in _allowed_with_digests(photos, user=user).items()}


def _allowed_with_digests(photos: list[Photo], *, user: User) -> dict[int, tuple[str, dict[str, Any]]]:
    """allowed_print_copies() with the size and SHA-256 the previews recorded of each print copy ({} when none
    was recorded), from the same query."""
    wanted = {p.evidence_id: p.print_copy for p in photos if p.print_copy}
    if not wanted:
        return {}
    rows = evidence_visible_to(user, EvidenceItem.objects.filter(pk__in=list(wanted))).values_list(
        "pk", "stored_file__print_copy", "stored_file__preview_digests"
    )
    found = {}
    for pk, name, digests in rows:
        if name and wanted.get(pk) == name:
            recorded = digests.get("print_copy") if isinstance(digests, dict) else None
            found[pk] = (name, recorded if isinstance(recorded, dict) else {})
    return found


# --- The photos, checked before layout ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoView:
    photo: Photo
    src: str  # the URL the fetcher serves; "" when the photo cannot be shown
    problem: str  # why not, in words


@dataclass(frozen=True)
class GroupView:
    group: EvidenceGroup
    photos: list[PhotoView]

    @property
    def more(self) -> int:
        return max(self.group.photos_total - len(self.group.photos), 0)


def _checked_image(name: str, recorded: dict[str, Any]) -> bytes | None:
    """The print copy's bytes, read once, when they are what the previews recorded (size and SHA-256, where
    recorded) and Pillow recognises them as an image (its header only: no decoding); None otherwise."""
    try:
        with files.open_stored(name) as stored:
            data = stored.read()
        size, sha256 = recorded.get("size"), recorded.get("sha256")
        if isinstance(size, int) and len(data) != size:
            raise ValueError(f"{len(data)} bytes, {size} recorded")
        if isinstance(sha256, str) and hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError("not the SHA-256 recorded")
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except Exception as exc:  # a missing file, a storage error, bytes that are no image: the photo is left out
        log.warning("report: print copy %s is missing or unreadable (%s: %s)", name, type(exc).__name__, exc)
        return None
    return bytes(data)


class PrintCopies:
    """The print copies of a report's photos, each read from the storage once: checked just before the part
    that shows it is laid out (`views`), then handed to the renderer from that read (`take`, through the
    fetcher). Only the photos of the part being drawn are held (WeasyPrint holds them meanwhile anyway)."""

    def __init__(self, allowed: dict[int, tuple[str, dict[str, Any]]]):
        self.allowed = allowed
        self._held: dict[int, bytes] = {}

    def names(self) -> dict[int, str]:
        return {pk: name for pk, (name, _digest) in self.allowed.items()}

    def view(self, photo: Photo, *, keep: bool = True) -> PhotoView:
        allowed = self.allowed.get(photo.evidence_id)
        if not photo.print_copy:
            return PhotoView(photo, "", _("No print copy of this photo yet"))
        if allowed is None or allowed[0] != photo.print_copy:
            return PhotoView(photo, "", _("Not shown"))
        data = _checked_image(*allowed)
        if data is None:
            return PhotoView(photo, "", _("The print copy is missing or damaged"))
        if keep:
            self._held[photo.evidence_id] = data
        return PhotoView(photo, f"{PRINT_COPY_SCHEME}:{photo.evidence_id}", "")

    def views(self, groups: list[EvidenceGroup]) -> list[GroupView]:
        """The views of a part's groups, its photos read and checked; what the part before left unread is let
        go."""
        self._held.clear()
        return [GroupView(group, [self.view(photo) for photo in group.photos]) for group in groups]

    def take(self, evidence_id: int) -> bytes | None:
        """The checked bytes of a photo of the part being drawn (given once), or None."""
        return self._held.pop(evidence_id, None)

    def clear(self) -> None:
        self._held.clear()


def photo_views(content: ReportContent, allowed: dict[int, str], progress: Progress | None = None) -> list[GroupView]:
    """Every photo of the report checked at once (each print copy read), for a look at what the report will
    show; `render_report_pdf` checks them a part at a time instead (PrintCopies)."""
    copies = PrintCopies({pk: (name, {}) for pk, name in allowed.items()})
    total = len(content.photos())
    done = 0
    groups = []
    for group in content.evidence_groups:
        views = []
        for photo in group.photos:
            views.append(copies.view(photo, keep=False))
            done += 1
            if progress and (done % 25 == 0 or done == total):
                progress("content", done, total)
        groups.append(GroupView(group, views))
    return groups


# --- Progress from WeasyPrint's own steps ------------------------------------------------------------------------


class _PageCounter(logging.Handler):
    """Counts the pages WeasyPrint lays out (its progress log, "Step 5 - Creating layout - Page N"), for the
    thread that renders only; `offset` is the pages of the parts drawn before."""

    def __init__(self, callback: Progress, estimate: int, offset: int):
        super().__init__(logging.INFO)
        self.callback, self.estimate, self.offset = callback, estimate, offset
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread or not str(record.msg).startswith("Step 5 - Creating layout - Page"):
            return
        page = cast(int, record.args[0]) if isinstance(record.args, tuple) and record.args else 0
        done = self.offset + page
        self.callback("layout", done, max(self.estimate, done))


@contextmanager
def _count_pages(progress: Progress | None, estimate: int, offset: int = 0) -> Iterator[None]:
    if progress is None:
        yield
        return
    handler = _PageCounter(progress, estimate, offset)
    logger = logging.getLogger("weasyprint.progress")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


# --- Drawing ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A template drawn as a document of its own; the parts of a report are joined, page numbers running on."""

    template: str
    context: dict[str, Any]
    # What is added to the context just before the part is drawn (the photos of an evidence part, read then).
    prepare: Callable[[], dict[str, Any]] | None = None


def _continuation_css(first_page: int) -> str:
    """A part that starts on page N > 1: its page numbers start at N and its first page has N's side (odd pages
    are right-hand pages), so that the joined document reads as one."""
    if first_page == 1:
        return ""
    side = "right" if first_page % 2 else "left"
    return f"@page :first {{ counter-set: page {first_page}; }}\nhtml {{ break-before: {side}; }}"


def _draw(
    part: Part,
    *,
    fetcher: OfficialFetcher,
    title: str,
    first_page: int,
    progress: Progress | None,
    estimate: int,
) -> tuple[bytes, int]:
    """One part as PDF bytes, and its number of pages. WeasyPrint's boxes are dropped before the next part."""
    return draw_html(
        part_html(part, title=title), fetcher=fetcher, first_page=first_page, progress=progress, estimate=estimate
    )


def part_html(part: Part, *, title: str) -> str:
    """The HTML of a part, as the renderer reads it."""
    context = {**part.context, **part.prepare()} if part.prepare else part.context
    return render_to_string(part.template, {**context, "stylesheet_url": STYLESHEET_URL, "document_title": title})


def draw_html(
    html: str,
    *,
    fetcher: OfficialFetcher,
    first_page: int = 1,
    progress: Progress | None = None,
    estimate: int = 1,
) -> tuple[bytes, int]:
    """An official-layout document's HTML (from `part_html`) as PDF bytes, and its number of pages."""
    font_config = FontConfiguration()
    stylesheets = [CSS(string=font_css() + _continuation_css(first_page), font_config=font_config, url_fetcher=fetcher)]
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    with _count_pages(progress, estimate, first_page - 1):
        rendered = document.render(stylesheets=stylesheets, font_config=font_config, presentational_hints=False)
    buffer = io.BytesIO()
    # No attachments, no forms: the PDF carries the pages only.
    rendered.write_pdf(buffer, attachments=None, pdf_forms=False)
    return buffer.getvalue(), len(rendered.pages)


def render_official_pdf(
    parts: list[Part],
    out: BinaryIO,
    *,
    fetcher: OfficialFetcher,
    title: str,
    author: str = "",
    progress: Progress | None = None,
    pages_estimate: int = 1,
    on_part: Callable[[int, int], None] | None = None,
) -> int:
    """Draw official-layout templates to `out` as one PDF; returns the number of pages.

    Each part is laid out on its own and written before the next is begun, so that memory holds one part's
    layout at a time (WeasyPrint keeps every box of a document until it is written: a 400-page report held
    whole takes over 600 MB); pypdf joins the parts. A single part is written as WeasyPrint wrote it.
    `on_part(index, count)` is told before each part is drawn (the report's job names its stages by it)."""
    if progress:
        progress("layout", 0, pages_estimate)
    drawn: list[bytes] = []
    pages = 0
    # What the process held before (Django, the content) is left out of the collector's passes while WeasyPrint
    # makes and drops its millions of objects: each full pass walked it again (about 0.1 s of CPU a pass).
    with gc_frozen():
        for index, part in enumerate(parts):
            if on_part:
                on_part(index, len(parts))
            data, count = _draw(
                part, fetcher=fetcher, title=title, first_page=pages + 1, progress=progress, estimate=pages_estimate
            )
            drawn.append(data)
            pages += count
    if progress:
        progress("layout", pages, pages)
        progress("write", 0, 1)
    if len(drawn) == 1:
        out.write(drawn[0])
    else:
        writer = PdfWriter()
        for data in drawn:
            writer.append(PdfReader(io.BytesIO(data)), import_outline=True)
        writer.add_metadata({"/Title": title, "/Author": author, "/Creator": "civunit", "/Producer": "WeasyPrint"})
        writer.write(out)
    if progress:
        progress("write", 1, 1)
    return pages


# The evidence attachment is drawn a 测评项目 at a time past this many index lines and photos.
EVIDENCE_PART_SIZE = 300


def report_parts(
    content: ReportContent, groups: list[GroupView] | None = None, *, checked: PrintCopies | None = None
) -> list[Part]:
    """The body, then each attachment; a large evidence attachment a 测评项目 at a time (each on a new page).
    The photos are those of `groups` (checked already, `photo_views`), or are checked by `checked` as each
    evidence part is about to be drawn."""
    common = {"content": content}
    parts = [Part("reports/official/report.html", {**common, "coverage_chart": coverage_svg(content)})]
    evidence = content.evidence_groups
    for annex in content.attachments:
        chunks: list[list[EvidenceGroup]] = [evidence]
        if annex.kind == "evidence" and sum(len(g.rows) + len(g.photos) for g in evidence) > EVIDENCE_PART_SIZE:
            chunks = []
            for group in evidence:
                if not chunks or chunks[-1][-1].item_heading != group.item_heading:
                    chunks.append([])
                chunks[-1].append(group)
        for n, chunk in enumerate(chunks):
            context = {**common, "annex": annex, "first_part": n == 0}
            prepare = None
            if annex.kind == "evidence" and checked is not None:
                prepare = partial(lambda chunk: {"evidence_groups": checked.views(chunk)}, chunk)
            elif annex.kind == "evidence":
                views = {id(view.group): view for view in groups or []}
                context["evidence_groups"] = [views.get(id(g)) or GroupView(g, []) for g in chunk]
            parts.append(Part("reports/official/annex.html", context, prepare))
    return parts


def _pages_estimate(content: ReportContent) -> int:
    rows = len(content.assessment_rows) + len(content.task_rows) + len(content.veto_rows)
    rows += sum(len(g.rows) + 2 for g in content.evidence_groups)
    return 3 + len(content.indicators()) * 2 + rows // 18 + len(content.photos()) // 6


_VIEWBOX = re.compile(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)" width="100%"')


def sized_svg(svg: SafeString, width_mm: float) -> SafeString:
    """A chart of civunit.charts (width 100%, no height) given its printed size: WeasyPrint would otherwise give
    its box a default height, not the one its drawing takes."""
    match = _VIEWBOX.search(svg)
    if not match:
        return svg
    height_mm = width_mm * float(match[2]) / float(match[1])
    sized = f'viewBox="0 0 {match[1]} {match[2]}" width="{width_mm:.1f}mm" height="{height_mm:.1f}mm"'
    return SafeString(svg[: match.start()] + sized + svg[match.end() :])


def coverage_svg(content: ReportContent) -> SafeString:
    """The dashboard's coverage chart, drawn from the report's own figures, on the text block's width."""
    chart = dashboard_charts.coverage_bars(
        [(line.title, line.evidenced, line.without_evidence) for line in content.coverage]
    ).wide
    return sized_svg(chart, 156)


def render_report_pdf(
    content: ReportContent,
    out: BinaryIO,
    *,
    user: User,
    progress: Progress | None = None,
    on_part: Callable[[int, int], None] | None = None,
) -> int:
    """Write the report as PDF to `out`; returns its number of pages. `progress(stage, done, total)` is told of
    each stage: "content" (the photos' print copies checked), "layout" (pages laid out, against an estimate until
    the end), "write"; `on_part(index, count)` of each part (0: the body, then the attachments)."""
    photos = content.photos()
    if progress:
        progress("content", 0, len(photos))
    # Each print copy is read once, as the part that shows it is about to be drawn: checked (the size and
    # SHA-256 the previews recorded, an image Pillow recognises), then served to WeasyPrint from that read.
    checked = PrintCopies(_allowed_with_digests(photos, user=user))
    if progress:
        progress("content", len(photos), len(photos))
    try:
        return render_official_pdf(
            report_parts(content, checked=checked),
            out,
            fetcher=OfficialFetcher(checked.names(), checked=checked),
            title=content.title,
            author=content.organ,
            progress=progress,
            pages_estimate=_pages_estimate(content),
            on_part=on_part,
        )
    finally:
        checked.clear()
