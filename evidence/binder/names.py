"""File and folder names inside a binder, safe on Windows, macOS and Linux file systems and unique in their folder.

A name is built from EVIDENCE_BINDER_NAME_PATTERN (`{standard}_{YYYYMMDD}_{title}_{nn}.{ext}` by default) and then:

- every character Windows refuses (`< > : " / \\ | ? *`) becomes its full-width twin (`：`, `／`, `？` …), which
  every file system takes and a Chinese reader reads the same; control characters and line breaks become a space,
  runs of spaces one space; the text is NFC-normalised (macOS shows decomposed names otherwise);
- leading spaces and dots and trailing spaces and dots are removed (Windows drops the trailing ones silently, so
  two names would meet; a leading dot hides a file on macOS);
- a name Windows reserves for a device (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9, also with an extension and
  with superscript digits) gets a leading underscore;
- it is cut, at a character boundary, to MAX_FILE_BYTES (MAX_FOLDER_BYTES for a folder) of UTF-8: the title is
  shortened first and the extension kept. APFS and ext4 allow 255 bytes per name and Windows Explorer 260
  characters per whole path, extraction folder included: a folder and a file name together stay under 210;
- it is unique in its folder without regard to case (NTFS and APFS ignore case by default): among names that are
  otherwise the same, {nn} counts 01, 02 …; a pattern without {nn} gets `_2`, `_3` … before the extension.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

MAX_FILE_BYTES = 120
MAX_FOLDER_BYTES = 80

PLACEHOLDERS = frozenset(
    {"standard", "YYYYMMDD", "YYYY", "MM", "DD", "title", "nn", "ext", "archive_number", "category", "office"}
)

_FULL_WIDTH = str.maketrans(
    {"<": "＜", ">": "＞", ":": "：", '"': "＂", "/": "／", "\\": "＼", "|": "｜", "?": "？", "*": "＊"}
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_SPACES = re.compile(r"\s+")
# The device names Windows reserves, with or without an extension (CON.txt is the console too).
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)


def clean_text(value: object) -> str:
    """One part of a name (a title, a code, an office) with nothing a file system refuses; may be empty."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = _CONTROL.sub(" ", text).translate(_FULL_WIDTH)
    return _SPACES.sub(" ", text).strip()


def cut_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: max(0, limit)].decode("utf-8", "ignore")


def _finish(name: str) -> str:
    """The rules for a whole name: no leading or trailing dots and spaces, no device name."""
    name = name.strip(" .")
    stem = name.split(".", 1)[0].strip(" ")
    if stem.upper() in WINDOWS_RESERVED:
        name = "_" + name
    return name


def safe_component(text: str, *, limit: int, fallback: str) -> str:
    """A folder (or file) name made of `text`, safe and at most `limit` bytes."""
    name = _finish(cut_bytes(_finish(clean_text(text)), limit))
    return name or fallback


def check_pattern(pattern: str) -> None:
    """Raise ImproperlyConfigured when the pattern has an unknown placeholder, a format spec, or no {ext}."""
    try:
        fields = [
            (name, spec, conv) for _text, name, spec, conv in string.Formatter().parse(pattern) if name is not None
        ]
    except ValueError as exc:
        raise ImproperlyConfigured(f"EVIDENCE_BINDER_NAME_PATTERN {pattern!r}: {exc}") from exc
    unknown = sorted({name for name, _spec, _conv in fields} - PLACEHOLDERS)
    if unknown:
        raise ImproperlyConfigured(
            f"EVIDENCE_BINDER_NAME_PATTERN {pattern!r}: unknown placeholder(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(PLACEHOLDERS))}"
        )
    if any(spec or conv for _name, spec, conv in fields):
        raise ImproperlyConfigured(f"EVIDENCE_BINDER_NAME_PATTERN {pattern!r}: no format specs or conversions")
    if not pattern.endswith(".{ext}"):
        raise ImproperlyConfigured(f"EVIDENCE_BINDER_NAME_PATTERN {pattern!r} must end with .{{ext}}")


def _key(name: str) -> str:
    """What two names must not share in one folder: NTFS and APFS compare names without case."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class Folder:
    """The names taken in one folder of the binder."""

    taken: set[str] = field(default_factory=set)

    def reserve(self, name: str) -> None:
        self.taken.add(_key(name))

    def take(self, name: str) -> bool:
        key = _key(name)
        if key in self.taken:
            return False
        self.taken.add(key)
        return True


class Namer:
    """Names the files of one binder from the pattern, folder by folder."""

    def __init__(self, pattern: str):
        check_pattern(pattern)
        self.pattern = pattern
        self.counts_nn = "{nn}" in pattern
        self._folders: dict[str, Folder] = {}

    def folder(self, folder: str) -> Folder:
        return self._folders.setdefault(_key(folder), Folder())

    def name(self, folder: str, values: Mapping[str, str], *, fallback_title: str) -> str:
        """A unique safe name in `folder` for a file described by `values` (the placeholders but nn)."""
        # Each part without dots and spaces at its ends: "报告 ." would leave " ._01" in the middle of the name.
        parts = {key: clean_text(values.get(key, "")).strip(" .") for key in PLACEHOLDERS}
        ext = re.sub(r"[^0-9a-z]", "", parts["ext"].lower())[:10] or "bin"
        parts["ext"] = ext
        parts["title"] = parts["title"] or fallback_title
        taken = self.folder(folder)
        n = 1
        while True:
            name = self._render(parts, n)
            if taken.take(name):
                return name
            n += 1

    def _render(self, parts: dict[str, str], n: int) -> str:
        nn = f"{n:02d}"
        suffix = "" if self.counts_nn or n == 1 else f"_{n}"
        ext = "." + parts["ext"]
        # The title gives way first: the name without it, then as much of the title as fits.
        fixed = self.pattern.format_map({**parts, "title": "", "nn": nn})
        budget = MAX_FILE_BYTES - len(fixed.encode("utf-8")) - len(suffix.encode("utf-8"))
        title = cut_bytes(parts["title"], budget).rstrip(" .")
        name = self.pattern.format_map({**parts, "title": title, "nn": nn})
        stem = name[: -len(ext)] if name.endswith(ext) else name
        stem = cut_bytes(stem, MAX_FILE_BYTES - len(ext.encode("utf-8")) - len(suffix.encode("utf-8")))
        stem = _finish(stem) or "_"
        return stem + suffix + ext
