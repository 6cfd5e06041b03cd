"""Bad files built on the fly (nothing binary is committed): workbooks and JSON carrying NUL bytes, lone
surrogates, control characters, 200 KB cells and integers no column can hold, and files broken in transit."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

MARK = "HOSTILEMARK"
LONG = "长" + "a" * 200_000
HUGE_INTS = [10**30, -(2**63) - 1, 2**64]


def workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_raw_cell(data: bytes, raw: bytes) -> bytes:
    """The workbook with the text MARK replaced by raw bytes in whichever part holds it (openpyxl refuses to
    write what a hostile file may carry: NUL, lone surrogates, control characters)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info).replace(MARK.encode(), raw))
    return out.getvalue()


RAW_TEXTS = {
    "NUL byte": b"a\x00b",
    "NUL character reference": b"a&#0;b",
    "lone surrogate (UTF-8 bytes)": b"a\xed\xa0\x80b",
    "lone surrogate reference": b"a&#xD800;b",
    "control character": b"a\x01b",
    "invalid UTF-8": b"a\xff\xfeb",
}


def spoilt_workbooks(header: list[str], good_row: list, text_columns: list[int], number_columns: list[int]):
    """(what, bytes) for a one-row table whose cells are spoilt one way at a time."""
    for what, raw in RAW_TEXTS.items():
        for col in text_columns:
            row = list(good_row)
            row[col] = MARK
            yield f"{what} in {header[col]}", with_raw_cell(workbook([header, row]), raw)
    for col in text_columns:
        row = list(good_row)
        row[col] = LONG
        yield f"200 KB in {header[col]}", workbook([header, row])
    for col in number_columns:
        for huge in HUGE_INTS:
            row = list(good_row)
            row[col] = huge
            yield f"{huge} in {header[col]}", workbook([header, row])
    yield "a truncated workbook", workbook([header, good_row])[:-200]
    yield "a zip that is no workbook", _zip({"a.txt": b"hello"})
    yield "an empty file", b""


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def spoilt_json(good: dict, text_keys: list[str], number_keys: list[str]):
    """(what, bytes) for a JSON criteria list of one entry spoilt one way at a time."""
    encoded = json.dumps([good], ensure_ascii=False)
    for key in text_keys:
        for what, value in (("NUL", "a\x00b"), ("lone surrogate", "a\ud800b"), ("200 KB", LONG), ("control", "\x01")):
            yield f"{what} in {key}", json.dumps([{**good, key: value}]).encode()
    for key in number_keys:
        for huge in HUGE_INTS:
            yield f"{huge} in {key}", json.dumps([{**good, key: huge}]).encode()
        yield f"1e400 in {key}", encoded.replace(f'"{key}": {json.dumps(good[key])}', f'"{key}": 1e400').encode()
    yield "nested 100 000 deep", b"[" * 100_000 + b"]" * 100_000
    yield "a lone surrogate as raw bytes", encoded.replace(good["title"], "a\udc80b").encode("utf-8", "surrogatepass")
    yield "truncated", encoded[:-5].encode()
