"""Reading the workbooks offices actually write, safely. Shared by the criteria and task-breakdown imports.

Usage::

    book = open_workbook(data, filename="分解表.xlsx")          # bytes; raises WorkbookError (Chinese message)
    table = find_table(book, COLUMNS, required={"title"})     # the sheet and header row that fit best
    for row in table.rows():                                  # hidden, blank rows skipped; merges filled down
        row.number, row["title"], row.get("code")             # texts as Excel displays them ("3.10" stays)

Before openpyxl parses anything the zip is checked: entry count, declared uncompressed size, compression ratio
(zip bombs), DOCTYPE/ENTITY declarations (XML bombs; openpyxl also parses through defusedxml), and formula
cells that have no cached value (named by cell; formulas are never evaluated). Legacy and other formats
(.xls, .et, .ods, password-protected workbooks) are refused with a message saying what to do.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all entries together
MAX_ENTRIES = 5_000
MAX_RATIO = 200  # uncompressed / compressed for a large entry; real sheets stay far below
HEADER_SCAN_ROWS = 15

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_VALUE_RE = re.compile(rb"<v>[^<]+</v>")


class WorkbookError(Exception):
    """A workbook that cannot be read; `messages` are user-facing (Chinese under zh-hans)."""

    def __init__(self, *messages: str):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


# --- Text normalisation ---------------------------------------------------------------------------------


def normalize(text: object) -> str:
    """NFKC (full-width digits, letters and spaces, U+3000 and no-break spaces become ASCII), line breaks as
    LF, trimmed."""
    if text is None:
        return ""
    s = str(text)
    # Most cells are already normalised; the check is much cheaper than the normalisation.
    if not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s.strip()


def header_key(text: object) -> str:
    """A header cell reduced for matching: no spaces, line breaks, asterisks or bracketed remarks."""
    s = normalize(text)
    s = re.sub(r"[\s*＊:：]", "", s)
    s = re.sub(r"[(（][^)）]*[)）]", "", s)
    return s


# --- Opening --------------------------------------------------------------------------------------------


def open_workbook(data: bytes, *, filename: str = "", data_only: bool = True):
    """Check `data` and open it with openpyxl (cached values for formulas). Raises WorkbookError."""
    name = filename.lower()
    if name.endswith((".xls", ".et", ".ods", ".wps", ".csv")):
        raise WorkbookError(
            _("Files of type “%(ext)s” are not accepted: please open the file and save it as .xlsx first.")
            % {"ext": name.rsplit(".", 1)[-1]}
        )
    if not data:
        raise WorkbookError(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(data):
            raise WorkbookError(
                _("The workbook is password-protected: please remove the password and save it as .xlsx.")
            )
        raise WorkbookError(_("This is an old Excel or WPS format: please save it as .xlsx first."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx)."))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        _check_zip(zf)
        names = set(zf.namelist())
        if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
            raise WorkbookError(_("This is an OpenDocument spreadsheet: please save it as .xlsx first."))
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise WorkbookError(_("The file is not an Excel workbook (.xlsx)."))
        for entry in zf.infolist():
            if entry.filename.endswith((".xml", ".rels")):
                _check_xml_header(zf, entry)
        layouts = {
            name: _sheet_layout(zf.read(name), data_only=data_only)
            for name in names
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }

    import openpyxl

    # Read-only mode streams the cells (much faster and leaner than a full load); the merged ranges, hidden
    # rows and formulas without a cached value come from the sheet XML read above.
    try:
        source = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, read_only=True)
        book = Book([_load_sheet(ws, layouts) for ws in source.worksheets])
        source.close()
    except WorkbookError:
        raise
    except Exception as exc:
        # openpyxl raises many kinds of errors for damaged files; none of them should reach the user raw.
        raise WorkbookError(
            _("The workbook could not be read; it may be damaged. (%(error)s)") % {"error": exc}
        ) from exc
    return book


@dataclass
class _Layout:
    merged: dict[tuple[int, int], tuple[int, int]]
    hidden_rows: set[int]
    formulas_without_value: list[str]


_MERGE_RE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_ROW_RE = re.compile(rb"<row\b([^>]*)>")
_ROW_NUM_RE = re.compile(rb'\br="([0-9]+)"')
_HIDDEN_RE = re.compile(rb'\bhidden="(1|true)"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _sheet_layout(xml: bytes, *, data_only: bool) -> _Layout:
    merged = {}
    for m in _MERGE_RE.finditer(xml):
        c1, r1, c2, r2 = _col_index(m[1]), int(m[2]), _col_index(m[3]), int(m[4])
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_ROWS * 4:
            raise WorkbookError(_("The workbook has a merged range too large to be a normal table."))
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    merged[(r, c)] = (r1, c1)
    hidden = set()
    if b"hidden=" in xml:
        for m in _ROW_RE.finditer(xml):
            if _HIDDEN_RE.search(m[1]):
                num = _ROW_NUM_RE.search(m[1])
                if num:
                    hidden.add(int(num[1]))
    return _Layout(merged, hidden, _formulas_without_value(xml) if data_only else [])


class _Empty:
    value = None
    number_format = "General"


_EMPTY = _Empty()


class Sheet:
    """One worksheet's cells held in memory as rows, with what a table reader needs."""

    def __init__(self, title: str, state: str, grid: list[tuple], layout: _Layout):
        self.title = title
        self.sheet_state = state
        self.grid = grid
        self.merged = layout.merged
        self.hidden_rows = layout.hidden_rows
        self.formulas_without_value = layout.formulas_without_value
        self.max_row = len(grid)
        self.max_column = max((len(r) for r in grid), default=0)

    def cell(self, row: int, column: int):
        """The cell at (row, column), 1-based; a merged cell reads as its range's top-left cell."""
        row, column = self.merged.get((row, column), (row, column))
        if row > len(self.grid):
            return _EMPTY
        cells = self.grid[row - 1]
        return cells[column - 1] if column <= len(cells) else _EMPTY


@dataclass
class Book:
    worksheets: list[Sheet]


def _load_sheet(ws, layouts: dict[str, _Layout]) -> Sheet:
    path = getattr(ws, "_worksheet_path", "").lstrip("/")
    layout = layouts.get(path) or _Layout({}, set(), [])
    grid: list[tuple[Any, ...]] = []
    for cells in ws.iter_rows():
        if len(grid) >= MAX_ROWS + HEADER_SCAN_ROWS:
            raise WorkbookError(
                _("The sheet “%(sheet)s” has more than %(limit)d rows.") % {"sheet": ws.title, "limit": MAX_ROWS}
            )
        if len(cells) > MAX_COLUMNS and any(c.value is not None for c in cells[MAX_COLUMNS:]):
            raise WorkbookError(
                _("The sheet “%(sheet)s” has %(cols)d columns, more than the %(limit)d allowed.")
                % {"sheet": ws.title, "cols": len(cells), "limit": MAX_COLUMNS}
            )
        # Read-only rows start at the sheet's first used row; empty rows above it still count.
        first = getattr(cells[0], "row", None) if cells else None
        while first and len(grid) < first - 1:
            grid.append(())
        grid.append(tuple(cells[:MAX_COLUMNS]))
    return Sheet(ws.title, ws.sheet_state, grid, layout)


def _is_encrypted_ooxml(data: bytes) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo")
    except Exception:  # not a readable compound file: treat as a legacy workbook
        return False


def _check_zip(zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise WorkbookError(_("The workbook has too many parts to be a normal table."))
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise WorkbookError(
            _("The workbook expands to %(size)d MB, more than the %(limit)d MB allowed.")
            % {"size": total // (1024 * 1024), "limit": MAX_UNCOMPRESSED // (1024 * 1024)}
        )
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise WorkbookError(_("The workbook is compressed suspiciously much and was refused (zip bomb)."))


def _check_xml_header(zf: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    with zf.open(entry) as fh:
        head = fh.read(4096)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise WorkbookError(_("The workbook contains XML declarations that are not allowed (DOCTYPE/ENTITY)."))


def _formulas_without_value(xml: bytes) -> list[str]:
    """References of the cells with a formula (<f>) but no cached value (<v>)."""
    found: list[str] = []
    if b"<f" not in xml:
        return found
    for match in _CELL_RE.finditer(xml):
        body = match.group(2) or b""
        has_formula = b"<f>" in body or b"<f " in body or b"<f/>" in body
        if has_formula and not _VALUE_RE.search(body):
            ref = _REF_RE.search(match.group(1))
            found.append(ref.group(1).decode() if ref else "?")
    return found


# --- Cell text as displayed -----------------------------------------------------------------------------


def display_text(cell) -> str:
    """The cell's text as Excel shows it: 3.1 formatted 0.00 is "3.10"; 12.0 in General is "12"."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return format_number(value, cell.number_format or "General")
    return normalize(value)


def format_number(value: float | int | Decimal, number_format: str) -> str:
    fmt = number_format.split(";")[0]
    fmt_clean = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt)
    if fmt_clean in ("General", "@", ""):
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value))
            return f"{value:.10g}"
        return str(value)
    match = re.search(r"0(?:\.(0+))?", fmt_clean)
    if match and "%" not in fmt_clean and "E" not in fmt_clean.upper():
        decimals = len(match.group(1) or "")
        return f"{Decimal(str(value)):.{decimals}f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Finding the table -----------------------------------------------------------------------------------


@dataclass
class Header:
    sheet: Any  # an openpyxl worksheet (read-only or not) with our `hidden_rows` and `formulas_without_value`
    row: int  # the last header row (data starts below it)
    columns: dict[str, int]  # logical key -> 1-based column index
    labels: dict[str, str]  # logical key -> header text as found


@dataclass
class Row:
    number: int
    values: dict[str, str]
    raw: dict[str, object] = field(default_factory=dict)  # key -> the cell's value (dates stay dates)

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default) or default

    @property
    def is_blank(self) -> bool:
        return not any(self.values.values())


def split_ref(ref: str) -> tuple[int, int] | None:
    """ "E12" -> (row 12, column 5); None for anything else."""
    m = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", ref)
    return (int(m[2]), _col_index(m[1].encode())) if m else None


def cell_ref(row: int, column: int) -> str:
    """(12, 5) -> "E12"."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


@dataclass
class Table:
    header: Header

    def formulas_without_value(self) -> dict[int, dict[str, str]]:
        """The data rows' formula cells that have no saved value, in the columns the table reads, hidden rows
        left out: row number -> {logical key: cell reference}."""
        ws = self.header.sheet
        keys = {c: key for key, c in self.header.columns.items()}
        found: dict[int, dict[str, str]] = {}
        for ref in ws.formulas_without_value:
            where = split_ref(ref)
            if where is None:
                continue
            row, column = where
            if row > self.header.row and column in keys and row not in ws.hidden_rows:
                found.setdefault(row, {})[keys[column]] = ref
        return found

    def rows(self) -> Iterator[Row]:
        ws = self.header.sheet
        cols = list(self.header.columns.items())
        for r in range(self.header.row + 1, ws.max_row + 1):
            if r in ws.hidden_rows:
                continue
            values, raw = {}, {}
            for key, c in cols:
                cell = ws.cell(r, c)
                values[key] = display_text(cell)
                raw[key] = cell.value
            row = Row(number=r, values=values, raw=raw)
            if row.is_blank:
                continue
            yield row


def _match(text: str, synonyms: Mapping[str, list[str]], taken: set[str]) -> str | None:
    """The logical key a header text stands for: an exact synonym first, then the longest contained one.
    `synonyms` holds header keys already (see find_table)."""
    if not text:
        return None
    best, best_len = None, 0
    for key, words in synonyms.items():
        if key in taken:
            continue
        for wk in words:
            if text == wk:
                return key
            if len(wk) >= 2 and wk in text and len(wk) > best_len:
                best, best_len = key, len(wk)
    return best


def find_table(
    book,
    synonyms: Mapping[str, Iterable[str]],
    *,
    required: Iterable[str] = (),
    any_of: Iterable[Iterable[str]] = (),
    refuse_formulas: bool = True,
) -> Table:
    """Find the sheet and header row (one row, or two rows under merged group headings) that name the most
    of `synonyms`' columns; raises WorkbookError naming what is missing. `any_of` lists groups of keys of
    which at least one must be present (e.g. a code column or the item/indicator/standard columns).
    Formulas without a saved value refuse the sheet, unless `refuse_formulas` is False: the caller then
    reports them with the sheet's other problems (Table.formulas_without_value)."""
    required = set(required)
    keyed = {key: [header_key(w) for w in words] for key, words in synonyms.items()}
    best = None  # (score, -rows_used, Header)
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue

        def text_at(r, c, ws=ws):
            return header_key(ws.cell(r, c).value)

        last = min(ws.max_row, HEADER_SCAN_ROWS)
        width = ws.max_column
        for r in range(1, last + 1):
            for span in (1, 2):
                if r + span - 1 > ws.max_row:
                    continue
                taken: set[str] = set()
                columns, labels = {}, {}
                for c in range(1, width + 1):
                    texts = [text_at(r + i, c) for i in range(span)]
                    # Below a merged group heading the lower cell names the column; else the upper one does.
                    candidates = [t for t in reversed(texts) if t]
                    for t in candidates:
                        key = _match(t, keyed, taken)
                        if key:
                            taken.add(key)
                            columns[key] = c
                            labels[key] = t
                            break
                score = len(columns)
                if not score:
                    continue
                cand = (score, -span, -r)
                if best is None or cand > best[0]:
                    best = (cand, Header(sheet=ws, row=r + span - 1, columns=columns, labels=labels))
    if best is None:
        raise WorkbookError(_("No header row was found: the first rows name none of the expected columns."))
    _cand, header = best
    missing = [k for k in required if k not in header.columns]
    for group in any_of:
        group = list(group)
        if not any(k in header.columns for k in group):
            missing.append(" / ".join(group))
    if missing:
        names = "、".join(_first_synonym(synonyms, k) for k in missing)
        raise WorkbookError(_("The header row lacks required columns: %(names)s.") % {"names": names})
    refs = header.sheet.formulas_without_value
    if refs and refuse_formulas:
        raise WorkbookError(
            *[
                _(
                    "Cell %(ref)s holds a formula without a saved value: open the file in Excel or WPS, save it, "
                    "and import again (formulas are never calculated here)."
                )
                % {"ref": ref}
                for ref in refs[:20]
            ]
        )
    return Table(header=header)


def _first_synonym(synonyms: Mapping[str, Iterable[str]], key: str) -> str:
    if " / " in key:
        return " / ".join(_first_synonym(synonyms, k) for k in key.split(" / "))
    words = list(synonyms.get(key, [key]))
    return words[0] if words else key


NOTE_PREFIXES = ("注", "备注", "说明", "合计", "总计", "小计", "填表", "制表", "审核人", "附")


def is_note_row(row: Row, text_keys: Iterable[str] = ()) -> bool:
    """A trailing note, total or signature line rather than data: its first filled cell starts like one and
    the row fills at most two columns."""
    filled = [v for v in row.values.values() if v]
    if not filled or len(filled) > 2:
        return False
    return filled[0].lstrip().startswith(NOTE_PREFIXES)


# --- Numbers and dates in cells --------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | None:
    """'10', '10.5', '１０分' -> Decimal; '' -> None; raises ValueError for anything else."""
    s = normalize(text).removesuffix("分").strip()
    if not s:
        return None
    try:
        return Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(s) from exc


_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value: object, *, not_before: datetime.date | None = None) -> datetime.date | None:
    """A date as people put it in a cell: a real date, an Excel serial number, or text such as 2026-09-30,
    2026/9/30, 2026.12 (end of month), 2026年6月底, 2026年6月, 6月30日前 (the first such date on or after
    `not_before`). Returns None for empty; raises ValueError when it cannot be a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(str(value))
    s = normalize(value)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"(之?前|以前|截止|为止|止|完成)$", "", s)
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return parse_date(float(s))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    if m:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(底|末)?", s)
    if m:
        return _month_end(int(m[1]), int(m[2]))
    m = re.fullmatch(r"(\d{4})年(上半年|年中)", s)
    if m:
        return datetime.date(int(m[1]), 6, 30)
    m = re.fullmatch(r"(\d{4})年(下半年|年底|年末|底)?", s)
    if m:
        return datetime.date(int(m[1]), 12, 31)
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})日", s)
    if m:
        return _next_occurrence(int(m[1]), int(m[2]), not_before)
    m = re.fullmatch(r"(\d{1,2})月(底|末|份)?", s)
    if m:
        month = int(m[1])
        start = not_before or datetime.date.today()  # noqa: DTZ011 (only without a campaign start)
        year = start.year
        if _month_end(year, month) < start:
            year += 1
        return _month_end(year, month)
    raise ValueError(s)


def _month_end(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValueError(f"{year}-{month}")
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def _next_occurrence(month: int, day: int, not_before: datetime.date | None) -> datetime.date:
    start = not_before or datetime.date.today()  # noqa: DTZ011 (only without a campaign start)
    candidate = datetime.date(start.year, month, day)
    if candidate < start:
        candidate = datetime.date(start.year + 1, month, day)
    return candidate


# --- Writing --------------------------------------------------------------------------------------------


def set_text(cell, value: object) -> None:
    """Write `value` so that Excel can never run it as a formula: text beginning with = + - @ is stored as a
    string with Excel's quote prefix (shown as typed, kept as text when edited) and reads back unchanged."""
    cell.value = value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"
        cell.quotePrefix = True
