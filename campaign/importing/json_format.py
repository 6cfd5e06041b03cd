"""The project's JSON criteria format (fixtures/criteria-example.json): a list of entries with code, level,
parent_code, title, guidance, methods, max_score, veto, and on standards requirements and requirement_text;
optionally kind (scored, bonus, deduction)."""

from __future__ import annotations

import json
import re

from django.utils.translation import gettext as _

from campaign.models import Criterion

from .parse import BadValue, clean, parse_methods, parse_requirements, parse_score
from .rows import CriterionRow, Issue, TableError, category_for

KIND_NAMES = {
    "scored": Criterion.Kind.SCORED,
    "bonus": Criterion.Kind.BONUS,
    "deduction": Criterion.Kind.DEDUCTION,
    "加分项": Criterion.Kind.BONUS,
    "扣分项": Criterion.Kind.DEDUCTION,
}


def read_json(data: bytes) -> tuple[list[CriterionRow], list[Issue]]:
    """Rows and the problems of single entries; raises TableError when the file is not readable at all."""
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested beyond the parser's depth
        raise TableError([Issue(None, _("The file is not valid JSON (UTF-8)."))]) from None
    if _holds_unwritable_text(payload):
        # \u0000 or a lone \ud800 decode to text no database column can hold (PostgreSQL refuses NUL; neither
        # database encodes a lone surrogate): refused before any row is read.
        message = _("The file holds characters no text may contain (NUL, control characters or lone surrogates).")
        raise TableError([Issue(None, message)])
    if isinstance(payload, dict) and isinstance(payload.get("criteria"), list):
        payload = payload["criteria"]
    if not isinstance(payload, list):
        raise TableError([Issue(None, _("The JSON file must contain a list of criteria."))])
    rows: list[CriterionRow] = []
    issues: list[Issue] = []
    for n, entry in enumerate(payload, start=1):
        if not isinstance(entry, dict):
            issues.append(Issue(n, _("The entry is not an object.")))
            continue
        row, entry_issues = _entry(n, entry)
        issues.extend(entry_issues)
        if row:
            rows.append(row)
    return rows, issues


# C0 controls but tab, line feed and carriage return (NUL included), and lone surrogates.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _holds_unwritable_text(value) -> bool:
    """Whether any string in the parsed JSON (keys included) holds a character no text column can store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNWRITABLE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _text(entry: dict, key: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "code":
        return clean(str(value))
    if not isinstance(value, str):
        return None
    return clean(value)


def _entry(n: int, entry: dict) -> tuple[CriterionRow | None, list[Issue]]:
    issues = []
    code = entry.get("code")
    if not isinstance(code, str) or not clean(code):
        return None, [Issue(n, _('The code must be written as text, e.g. "6.2.1".'))]
    code = clean(code)
    parent = entry.get("parent_code")
    if parent is not None and not isinstance(parent, str):
        issues.append(Issue(n, _("The parent code of %(code)s must be text or null.") % {"code": code}))
        parent = None
    texts: dict[str, str] = {}
    for key in ("title", "guidance", "requirement_text", "explanation"):
        text = _text(entry, key)
        if text is None:
            issues.append(Issue(n, _("The field %(field)s of %(code)s must be text.") % {"field": key, "code": code}))
            text = ""
        texts[key] = text
    try:
        max_score = parse_score(entry.get("max_score"))
    except BadValue as e:
        issues.append(
            Issue(n, _("The score “%(value)s” of %(code)s is not a number of points.") % {"value": e, "code": code})
        )
        max_score = None
    methods = entry.get("methods", [])
    if not isinstance(methods, (list, str)) or (
        isinstance(methods, list) and not all(isinstance(m, str) for m in methods)
    ):
        issues.append(Issue(n, _("The methods of %(code)s must be a list of texts.") % {"code": code}))
        methods = []
    veto = entry.get("veto", False)
    if not isinstance(veto, bool):
        issues.append(Issue(n, _("The field veto of %(code)s must be true or false.") % {"code": code}))
        veto = False
    kind = KIND_NAMES.get(str(entry.get("kind") or "scored"))
    if kind is None:
        issues.append(
            Issue(
                n,
                _("The kind “%(kind)s” of %(code)s is not scored, bonus or deduction.")
                % {"kind": entry.get("kind"), "code": code},
            )
        )
        kind = Criterion.Kind.SCORED
    level = entry.get("level")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool) or level < 1):
        issues.append(Issue(n, _("The level of %(code)s must be a whole number from 1.") % {"code": code}))
        level = None
    requirements: list[tuple[str, int]] = []
    raw_requirements = entry.get("requirements")
    if raw_requirements is None:
        requirements = parse_requirements(texts["requirement_text"])
    elif not isinstance(raw_requirements, list):
        issues.append(Issue(n, _("The requirements of %(code)s must be a list.") % {"code": code}))
    else:
        for req in raw_requirements:
            category = category_for(str(req.get("category", ""))) if isinstance(req, dict) else None
            count = req.get("min_count") if isinstance(req, dict) else None
            if category is None:
                issues.append(
                    Issue(
                        n,
                        _("Unknown evidence category “%(category)s” for %(code)s.")
                        % {"category": req.get("category") if isinstance(req, dict) else req, "code": code},
                    )
                )
            elif not isinstance(count, int) or isinstance(count, bool) or count < 1:
                issues.append(
                    Issue(n, _("The minimum count for %(code)s must be a whole number from 1.") % {"code": code})
                )
            else:
                requirements.append((category, count))
    row = CriterionRow(
        row=n,
        code=code,
        parent_code=clean(parent) if parent else None,
        title=texts["title"],
        guidance=texts["guidance"],
        methods=parse_methods(methods),
        max_score=max_score,
        kind=kind,
        veto=veto,
        requirement_text=texts["requirement_text"],
        requirements=requirements,
        declared_level=level,
        explanation=entry.get("explanation") or None if isinstance(entry.get("explanation"), str) else None,
    )
    return row, issues
