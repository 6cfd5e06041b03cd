"""Counting characters the way the explanation report limit means them, identically in Python and in
static/js/campaign-explanation.js: Unicode code points after CRLF (and a lone CR) become LF.

JavaScript's `String.length` counts UTF-16 code units, so an emoji or an Extension-B character (𠀀) would count
twice there; the script counts with `Array.from(text).length` instead, which is code points like `len()` here.
"""


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def count_chars(text: str) -> int:
    return len(normalize_newlines(text or ""))
