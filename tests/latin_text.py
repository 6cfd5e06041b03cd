"""The words in Latin letters a page shows a reader: its text and the attributes people read (title,
placeholder, aria-label, alt, value of buttons), outside scripts, styles and code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]*[A-Za-z0-9]|[A-Za-z]")
# Not words of the interface: addresses, file names (the data's), and setting names (ROBOT_SECRET_KEY).
NOT_WORDS = re.compile(
    r"https?://\S+|__\w+|\bmanage\.py(?: \w+)?"
    r"|[\w.-]+\.(?:xlsx|xls|json|jpe?g|png|pdf|docx?|zip|txt|csv|mp4|mov|heic|db)\b"
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b",
    re.IGNORECASE,
)
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "svg", "template", "noscript"}


def words_of(text: str) -> list[str]:
    return WORD.findall(NOT_WORDS.sub(" ", text))


class LatinWords(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        a = dict(attrs)
        for name in READ_ATTRIBUTES:
            if a.get(name):
                self.words += words_of(a[name] or "")
        if tag == "input" and (a.get("type") or "") in ("submit", "button") and a.get("value"):
            self.words += words_of(a["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words += words_of(data)


def latin_words(html: str) -> list[str]:
    parser = LatinWords()
    parser.feed(html)
    return parser.words
