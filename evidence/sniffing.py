"""What an uploaded file really is, decided from its bytes; and safe file names.

The browser's content type and the file's extension are never trusted: the content decides the format, and an
extension that contradicts the content is refused (a PDF named .jpg). Only the formats in FORMATS are
accepted; Office files with macros, executables, markup, scripts and anything unknown are refused with a
message the user can act on.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
import olefile
from defusedxml import ElementTree
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from .models import EvidenceKind

register_heif_opener()


class Refused(Exception):
    """The file is not accepted; str(self) is the message for the user (already translated)."""


@dataclass(frozen=True)
class Format:
    kind: str
    content_type: str
    extensions: tuple[str, ...]  # the first is the one given to the stored file
    label: str


FORMATS: dict[str, Format] = {
    "jpeg": Format(EvidenceKind.PHOTO, "image/jpeg", ("jpg", "jpeg", "jpe", "jfif"), "JPEG"),
    "png": Format(EvidenceKind.PHOTO, "image/png", ("png",), "PNG"),
    "webp": Format(EvidenceKind.PHOTO, "image/webp", ("webp",), "WebP"),
    "heic": Format(EvidenceKind.PHOTO, "image/heic", ("heic", "heif"), "HEIC"),
    "pdf": Format(EvidenceKind.PDF, "application/pdf", ("pdf",), "PDF"),
    "ofd": Format(EvidenceKind.DOCUMENT, "application/ofd", ("ofd",), "OFD"),
    "docx": Format(
        EvidenceKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        "Word",
    ),
    "pptx": Format(
        EvidenceKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        "PowerPoint",
    ),
    "xlsx": Format(
        EvidenceKind.SPREADSHEET,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        "Excel",
    ),
    # Legacy OLE formats; WPS Office's .wps/.et/.dps share their structure.
    "doc": Format(EvidenceKind.DOCUMENT, "application/msword", ("doc", "wps"), "Word 97-2003 / WPS"),
    "ppt": Format(EvidenceKind.DOCUMENT, "application/vnd.ms-powerpoint", ("ppt", "dps"), "PowerPoint 97-2003"),
    "xls": Format(EvidenceKind.SPREADSHEET, "application/vnd.ms-excel", ("xls", "et"), "Excel 97-2003 / WPS"),
    "mp3": Format(EvidenceKind.AUDIO, "audio/mpeg", ("mp3",), "MP3"),
    "m4a": Format(EvidenceKind.AUDIO, "audio/mp4", ("m4a",), "M4A"),
    "wav": Format(EvidenceKind.AUDIO, "audio/wav", ("wav",), "WAV"),
    "mp4": Format(EvidenceKind.VIDEO, "video/mp4", ("mp4", "m4v"), "MP4"),
    "mov": Format(EvidenceKind.VIDEO, "video/quicktime", ("mov",), "MOV"),
}

# filetype's names for the audio, video and image formats we take as they are recognised.
_FILETYPE_FORMATS = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-wav": "wav",
    "video/mp4": "mp4",
    "video/x-m4v": "mp4",
    "video/quicktime": "mov",
}
_PILLOW_FORMATS = {"jpeg": {"JPEG", "MPO"}, "png": {"PNG"}, "webp": {"WEBP"}, "heic": {"HEIF"}}
_EXECUTABLE_MIMES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-deb",
    "application/x-rpm",
    "application/wasm",
    "application/x-shockwave-flash",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Markup or script inside an image means it is meant to be read as something else.
_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|body|object|embed)\b|<!doctype\s+html|javascript:", re.I)
_MACRO_STORAGES = {"macros", "_vba_project_cur", "vba", "_vba_project"}
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_ZIP_MAX_ENTRIES = 20_000
_ZIP_MAX_EXPANDED = 2 * 1024 * 1024 * 1024
_CONTENT_TYPES_MAX = 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    format: str
    kind: str
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    taken_at: datetime.datetime | None = None

    @property
    def label(self) -> str:
        return FORMATS[self.format].label


# --- file names ------------------------------------------------------------------------------------------

_UNSAFE_IN_NAMES = set("\"'`<>:|?*\\/")
MAX_NAME_LENGTH = 200


def clean_filename(name: str) -> str:
    """A file name safe to show and to put in a Content-Disposition header; stored only as text.

    Drops any path, NUL and control characters, line breaks, bidirectional overrides and other invisible
    format characters; replaces quotes and characters Windows forbids; keeps the extension when shortening.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            continue
        kept.append("_" if char in _UNSAFE_IN_NAMES else char)
    name = re.sub(r"\s+", " ", "".join(kept)).strip(" .")
    if not name:
        return _("unnamed")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- sniffing --------------------------------------------------------------------------------------------


def sniff(path: Path, *, original_name: str) -> Sniffed:
    """Decide the format of the file at `path` from its bytes, or raise Refused."""
    size = path.stat().st_size
    if size == 0:
        raise Refused(_("The file is empty (0 bytes)."))
    with path.open("rb") as fh:
        head = fh.read(8192)

    if head.startswith(_OLE_MAGIC):
        fmt = _sniff_ole(path)
        result = Sniffed(fmt, FORMATS[fmt].kind, FORMATS[fmt].content_type, "")
    elif head.startswith(b"PK\x03\x04"):
        fmt = _sniff_zip(path)
        result = Sniffed(fmt, FORMATS[fmt].kind, FORMATS[fmt].content_type, "")
    elif head.startswith(b"%PDF-"):
        result = Sniffed("pdf", EvidenceKind.PDF, "application/pdf", "")
    else:
        guess = filetype.guess(head)
        mime = guess.mime if guess else ""
        fmt = _FILETYPE_FORMATS.get(mime, "")
        if not fmt:
            raise Refused(_refusal_for(head, mime))
        result = Sniffed(fmt, FORMATS[fmt].kind, FORMATS[fmt].content_type, "")
        if result.kind == EvidenceKind.PHOTO:
            result = _verify_image(path, result)

    extension = _extension_for(result.format, original_name)
    return Sniffed(
        result.format,
        result.kind,
        result.content_type,
        extension,
        result.width,
        result.height,
        result.taken_at,
    )


def check_size(sniffed: Sniffed, size: int) -> None:
    limit = settings.EVIDENCE_MAX_SIZE.get(sniffed.kind)
    if limit is not None and size > limit:
        raise Refused(
            _("The file is too large: %(kind)s files may be at most %(limit)s.")
            % {"kind": EvidenceKind(sniffed.kind).label, "limit": human_size(limit)}
        )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def _extension_for(fmt: str, original_name: str) -> str:
    allowed = FORMATS[fmt].extensions
    ext = extension_of(original_name)
    if not ext:
        return allowed[0]
    if ext not in allowed:
        raise Refused(
            _("The file name ends in .%(ext)s but the file is %(format)s. Rename it or choose the right file.")
            % {"ext": ext, "format": FORMATS[fmt].label}
        )
    return ext


def _refusal_for(head: bytes, mime: str) -> str:
    if mime in _EXECUTABLE_MIMES or head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return _("Programs cannot be uploaded.")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<", b"#!")) or _MARKUP.search(head):
        return _("Web pages, SVG drawings and scripts cannot be uploaded.")
    return _(
        "This kind of file is not accepted. Accepted: PDF, OFD, Word, Excel, PowerPoint, WPS, JPEG, PNG, WebP, "
        "HEIC photos, MP3, M4A, WAV audio and MP4, MOV video."
    )


def _verify_image(path: Path, sniffed: Sniffed) -> Sniffed:
    """Open the image with Pillow (headers only), check its declared size, verify it, read its EXIF date."""
    not_image = _("The file claims to be an image but is not a valid %(format)s image.") % {
        "format": FORMATS[sniffed.format].label
    }
    max_pixels = settings.EVIDENCE_MAX_IMAGE_PIXELS
    try:
        with Image.open(path) as im:
            if im.format not in _PILLOW_FORMATS[sniffed.format]:
                raise Refused(not_image)
            width, height = im.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise Refused(_pixel_flood(width, height))
            taken_at = _exif_taken_at(im)
        with Image.open(path) as im:
            im.verify()
    except Image.DecompressionBombError as exc:
        raise Refused(_pixel_flood(0, 0)) from exc
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        # A truncated JPEG still opens and verifies (it gets "cannot preview" later); a broken PNG does not.
        raise Refused(not_image) from exc
    _refuse_markup(path)
    return Sniffed(sniffed.format, sniffed.kind, sniffed.content_type, "", width, height, taken_at)


def _pixel_flood(width: int, height: int) -> str:
    if width and height:
        return _("The image declares %(w)s × %(h)s pixels, more than the archive accepts.") % {
            "w": width,
            "h": height,
        }
    return _("The image declares more pixels than the archive accepts.")


def _refuse_markup(path: Path) -> None:
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            if _MARKUP.search(tail + chunk):
                raise Refused(_("The image contains web page or script code and is not accepted."))
            tail = chunk[-64:]


def _exif_taken_at(im: Image.Image) -> datetime.datetime | None:
    try:
        exif = im.getexif()
        value = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, else DateTime
    except Exception:  # (broken EXIF is common and must not stop an upload)
        return None
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _macro_refusal() -> Refused:
    return Refused(_("Office files with macros are not accepted. Save the file without macros and try again."))


def _sniff_zip(path: Path) -> str:
    not_office = _("This ZIP file is not a Word, Excel, PowerPoint or OFD document and is not accepted.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > _ZIP_MAX_ENTRIES or sum(i.file_size for i in infos) > _ZIP_MAX_EXPANDED:
                raise Refused(_("The document expands to an unreasonable size and is not accepted."))
            names = {i.filename.lower(): i for i in infos}
            if any(n.rsplit("/", 1)[-1] in {"vbaproject.bin", "vbadata.xml"} for n in names):
                raise _macro_refusal()
            if "ofd.xml" in names:
                return "ofd"
            info = names.get("[content_types].xml")
            if info is None:
                raise Refused(not_office)
            if info.file_size > _CONTENT_TYPES_MAX:
                raise Refused(not_office)
            root = ElementTree.fromstring(zf.read(info))
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, ValueError, OSError) as exc:
        raise Refused(_("The document is damaged and cannot be read.")) from exc
    except Exception as exc:  # (defusedxml refuses entities with its own exceptions)
        raise Refused(_("The document is damaged and cannot be read.")) from exc
    content_types = [el.attrib.get("ContentType", "").lower() for el in root]
    if any("macroenabled" in ct or "vbaproject" in ct for ct in content_types):
        raise _macro_refusal()
    for ct in content_types:
        if ct in _OOXML_MAIN:
            return _OOXML_MAIN[ct]
    raise Refused(not_office)


def _sniff_ole(path: Path) -> str:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            entries = ole.listdir(streams=True, storages=True)
            for entry in entries:
                if any(part.lower() in _MACRO_STORAGES for part in entry):
                    raise _macro_refusal()
            if ole.exists("WordDocument"):
                return "doc"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
            if ole.exists("PowerPoint Document"):
                return "ppt"
    except Refused:
        raise
    except Exception as exc:  # (olefile raises assorted errors on damaged files)
        raise Refused(_("The document is damaged and cannot be read.")) from exc
    raise Refused(_("This kind of file is not accepted."))
