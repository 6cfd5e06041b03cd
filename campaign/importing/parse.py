"""Reading the cells of a criteria table: codes in Chinese numbering, scores in titles, methods and evidence
requirements written as text."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .rows import CATEGORY_BY_NAME

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def clean(text) -> str:
    """Full-width digits, letters and spaces become half-width (NFKC on those only); whitespace collapsed.

    Chinese punctuation such as （ ） 、 is kept: it carries the numbering style.
    """
    if text is None:
        return ""
    text = str(text)
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A or ch == "．":
            out.append(unicodedata.normalize("NFKC", ch))
        elif ch in "\u3000\u00a0\t":
            out.append(" ")
        else:
            out.append(ch)
    return re.sub(r"[ ]+", " ", "".join(out).replace("\r\n", "\n")).strip()


def chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23; None when not a Chinese number up to 99."""
    if not text or any(ch not in CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        t = CN_DIGITS.get(tens) if tens else 1
        o = CN_DIGITS.get(ones) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    if len(text) == 1:
        return CN_DIGITS[text]
    return None


# Numbering at the start of a title, and what it tells: ("item", n), ("indicator", n), ("number", n) or
# ("code", "1.2.3").
_ITEM = re.compile(r"^(?:第)?([一二三四五六七八九十]{1,3})(?:[、.．:：]|部分|项|\s)\s*")
_INDICATOR = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]\s*")
_PAREN_NUMBER = re.compile(r"^[（(](\d{1,3})[）)]\s*")
_DOTTED = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)(?:[.、．\s]\s*|(?=[^\d.]))")
_NUMBER = re.compile(r"^(\d{1,3})(?:[.、．]\s*|\s+)(?=\D)")


def split_numbering(title: str) -> tuple[tuple[str, object] | None, str]:
    """Separate a leading number from a title: "（一）组织领导" → (("indicator", 1), "组织领导")."""
    for kind, pattern in (
        ("indicator", _INDICATOR),
        ("item", _ITEM),
        ("code", _DOTTED),
        ("paren", _PAREN_NUMBER),
        ("number", _NUMBER),
    ):
        m = pattern.match(title)
        if not m:
            continue
        value: object = m.group(1)
        if kind in ("item", "indicator"):
            value = chinese_number(m.group(1))
            if value is None:
                continue
        elif kind in ("number", "paren"):
            value = int(m.group(1))
        rest = title[m.end() :].strip()
        if not rest:
            continue
        return (kind, value), rest
    return None, title


_SCORE_IN_TITLE = re.compile(r"\s*[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*$")


def split_score(title: str) -> tuple[str, Decimal | None]:
    """ "组织领导（10分）" → ("组织领导", Decimal("10"))."""
    m = _SCORE_IN_TITLE.search(title)
    if not m:
        return title, None
    return title[: m.start()].strip(), Decimal(m.group(1))


class BadValue(ValueError):
    pass


def parse_score(value) -> Decimal | None:
    """A cell or JSON value → a non-negative score with at most 2 decimals; None when empty.

    Raises BadValue for anything else ("十分", "abc", -1).
    """
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise BadValue(str(value))
        return None
    if isinstance(value, (int, float, Decimal)):
        text = str(value)
    else:
        text = clean(value)
        text = re.sub(r"\s*分$", "", text)
    if text == "":
        return None
    shown = clean(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(shown) from None
    if not number.is_finite() or number < 0 or number >= Decimal(100000):
        raise BadValue(shown)
    if number != number.quantize(Decimal("0.01")):
        raise BadValue(shown)
    return number.quantize(Decimal("0.01"))


def parse_methods(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        parts = [clean(v) for v in value]
    else:
        parts = re.split(r"[、，,；;\n/](?![^()（）]*[)）])", clean(value))
    seen: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in seen:
            seen.append(p)
    return seen


_NAMES = sorted(CATEGORY_BY_NAME, key=len, reverse=True)
_REQUIREMENT = re.compile(
    r"(?P<name>" + "|".join(re.escape(n) for n in _NAMES) + r")"
    r"\s*(?:不少于|至少|≥|>=|：|:)?\s*(?P<count>\d{1,4})\s*(?:份|张|篇|次|个|条|组|套|段|本|幅|项)?"
)


def parse_requirements(text: str) -> list[tuple[str, int]]:
    """Structured rows from a requirement text where it can: "会议纪要2份、照片3张" → [(minutes, 2), (photo, 3)].

    Categories that appear without a count are not guessed; the text is kept as it is either way.
    """
    found: dict[str, int] = {}
    for m in _REQUIREMENT.finditer(clean(text)):
        category = CATEGORY_BY_NAME[m.group("name")]
        count = int(m.group("count"))
        if count >= 1:
            found[category] = max(found.get(category, 0), count)
    return list(found.items())


def format_requirements(requirements) -> str:
    """The structured rows as a table cell: "会议纪要≥2、照片≥3" (parse_requirements reads it back)."""
    from .rows import CATEGORY_EXPORT_NAME

    return "、".join(f"{CATEGORY_EXPORT_NAME[c]}≥{n}" for c, n in requirements)
