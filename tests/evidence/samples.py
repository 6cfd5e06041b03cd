"""Bytes of sample files for the evidence tests, made on the fly (no binary fixtures in the repository)."""

import io
import struct
import zipfile
import zlib

from PIL import Image

from tests.evidence.olegen import build_ole


def _exif(*, date: str | None = None, orientation: int | None = None, gps: bool = False) -> Image.Exif:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if date:
        exif[0x0132] = date
        exif.get_ifd(0x8769)[0x9003] = date
    if gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    return exif


def jpeg(
    width: int = 64, height: int = 48, *, date=None, orientation=None, gps=False, color=(200, 30, 30), quality=90
) -> bytes:
    im = Image.new("RGB", (width, height), color)
    # A marker in the top-left corner shows which way is up after rotation.
    im.paste((0, 0, 255), (0, 0, max(1, width // 4), max(1, height // 4)))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, exif=_exif(date=date, orientation=orientation, gps=gps))
    return buf.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 10, 128)).save(buf, "PNG")
    return buf.getvalue()


def webp() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(buf, "WEBP")
    return buf.getvalue()


def heic() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (100, 150, 200)).save(buf, "HEIF")
    return buf.getvalue()


def pdf() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(buf, "PDF")
    return buf.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _content_types(main: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    ).encode()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(DOCX_MAIN), "word/document.xml": b"<w:document/>"})


def docm() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _content_types(DOCM_MAIN),
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\x00" * 100,
        }
    )


def docx_with_vba_part() -> bytes:
    """Declares itself a plain .docx but carries a VBA project."""
    return _zip(
        {
            "[Content_Types].xml": _content_types(DOCX_MAIN),
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\x00" * 100,
        }
    )


def xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws["A1"] = "名册"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ofd() -> bytes:
    return _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"hello"})


def doc() -> bytes:
    return build_ole([("WordDocument",), ("1Table",)])


def doc_with_macros() -> bytes:
    return build_ole([("WordDocument",), ("Macros", "VBA", "dir")])


def xls() -> bytes:
    return build_ole([("Workbook",)])


def xls_with_macros() -> bytes:
    return build_ole([("Workbook",), ("_VBA_PROJECT_CUR", "VBA", "dir")])


def mp3() -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 15 + b"\xff\xfb\x90\x00" + b"\x00" * 400


def wav() -> bytes:
    data = b"\x00\x00" * 100
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def _ftyp(brand: bytes) -> bytes:
    return struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"isom" + b"\x00" * 200


def mp4() -> bytes:
    return _ftyp(b"isom")


def mov() -> bytes:
    return struct.pack(">I", 20) + b"ftypqt  " + b"\x00\x00\x02\x00" + b"qt  " + b"\x00" * 200


def m4a() -> bytes:
    return _ftyp(b"M4A ")


def svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def script() -> bytes:
    return b"#!/bin/sh\nrm -rf /\n"


def png_header_then_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + html()


def jpeg_with_html() -> bytes:
    """A valid JPEG carrying an HTML page in a comment."""
    data = jpeg()
    comment = b"<html><script>alert(1)</script></html>"
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def exe() -> bytes:
    return b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x00" * 200


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def pixel_flood_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header declares an enormous image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = jpeg(400, 300, color=(10, 120, 200), quality=95)
    return data[: len(data) // 2]


PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def pptx() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(PPTX_MAIN), "ppt/presentation.xml": b"<p:presentation/>"})


def ppt() -> bytes:
    return build_ole([("PowerPoint Document",), ("Current User",)])


def docx_expanding(size: int = 2_000_000) -> bytes:
    """A small .docx whose parts expand to `size` bytes (zeros compress well)."""
    return _zip(
        {
            "[Content_Types].xml": _content_types(DOCX_MAIN),
            "word/document.xml": b"<w:document/>",
            "word/media/blob.bin": b"\x00" * size,
        }
    )
