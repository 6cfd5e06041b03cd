"""ZIP files for the import tests, built on the fly with zipfile: ordinary ones, ones written as Windows writes GBK
names (no UTF-8 flag), and hostile ones (zip slip, absolute paths, links, lying sizes)."""

from __future__ import annotations

import io
import stat
import struct
import uuid
import zipfile


def build(entries: dict[str, bytes] | list[tuple[str | zipfile.ZipInfo, bytes]], *, compress: bool = True) -> bytes:
    """A ZIP of `entries` (name or ZipInfo → bytes), names as given (Python flags non-ASCII names as UTF-8)."""
    items = list(entries.items()) if isinstance(entries, dict) else entries
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return buf.getvalue()


def gbk(entries: dict[str, bytes]) -> bytes:
    """A ZIP whose names are GBK bytes with flag bit 11 clear, as Windows' compressor writes them in a Chinese
    locale: written under ASCII placeholders of the same length, then the names' bytes put in their place (in the
    local headers and the central directory)."""
    encoded = {name: name.encode("gbk") for name in entries}
    placeholders = {name: f"N{uuid.uuid4().hex}"[: len(raw)].ljust(len(raw), "x") for name, raw in encoded.items()}
    data = build([(placeholders[name], content) for name, content in entries.items()], compress=False)
    for name, raw in encoded.items():
        placeholder = placeholders[name].encode("ascii")
        assert data.count(placeholder) == 2, "the placeholder must be the name in both headers only"
        data = data.replace(placeholder, raw)
    return data


def link(name: str, target: str) -> zipfile.ZipInfo:
    """An entry that is a symbolic link (Unix mode in external_attr), as `zip --symlinks` writes it."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def special(name: str) -> zipfile.ZipInfo:
    """An entry that claims to be a device (a FIFO)."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return info


def lying_size(data: bytes, *, declared: int) -> bytes:
    """`data` (a ZIP of one entry) with the entry's uncompressed size claimed to be `declared` in both headers."""
    out = bytearray(data)
    local = out.index(b"PK\x03\x04")
    struct.pack_into("<I", out, local + 22, declared)
    central = out.index(b"PK\x01\x02")
    struct.pack_into("<I", out, central + 24, declared)
    return bytes(out)
