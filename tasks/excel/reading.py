"""Reading a task breakdown workbook into validated rows. Nothing here writes to the database.

Every row is checked before anything is imported; every problem is reported with its row number and a reason,
so that one upload shows everything the office has to fix.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Criterion
from civunit import xlsx
from civunit.accounts.models import Office
from civunit.utils import gc_paused
from tasks.models import TEXT_MAX, Recurrence, Task, split_names

from .columns import (
    CODE_SEPARATORS,
    COLLECTIVE_EXAMPLES,
    COLLECTIVE_OFFICES,
    COLLECTIVE_PREFIX,
    COLUMNS,
    OFFICE_SEPARATORS,
    PROGRESS_WORDS,
    RECURRENCE_WORDS,
    RETURNED_REASON,
    STATUS_WORDS,
)

CODE_RE = re.compile(r"\d+(?:\.\d+)*")
HEADING_RE = re.compile(r"^[一二三四五六七八九十百]+[、.．]")
CODE_MAX = 30
TITLE_MAX = 500
NAME_MAX = 50
NAMES_MAX = 500
MIN_YEAR, MAX_YEAR = 2000, 2100

# Which task fields each column feeds: a field is changed by a re-import only when its column is in the sheet.
FIELDS_BY_COLUMN = {
    "lead_office": "lead_office",
    "supporting_offices": "supporting_offices",
    "leader": "leader",
    "people": "responsible",
    "deadline": "deadline",
    "evidence": "evidence_requirement",
    "notes": "notes",
}


@dataclass
class Problem:
    """A row (or, with row None, the whole sheet) and what is wrong with it; `cell` names the cell (E12) when
    the problem is one cell's."""

    row: int | None
    message: str
    cell: str = ""

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.cell:
            return _("Row %(row)d, cell %(cell)s: %(message)s") % {
                "row": self.row,
                "cell": self.cell,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Expansion:
    """A collective name in a 牵头/配合 cell (各委室) and the offices it was read as."""

    row: int
    cell: str
    name: str
    offices: list[Office]


@dataclass
class TaskRow:
    row: int
    code: str
    parent_code: str | None = None
    title: str = ""
    measures: str = ""
    lead_office: Office | None = None
    supporting_offices: list[Office] = field(default_factory=list)
    leader: str = ""
    responsible: list[str] = field(default_factory=list)
    deadline: datetime.date | None = None
    recurrence: str = Recurrence.NONE
    evidence_requirement: str = ""
    notes: str = ""
    standards: list[Criterion] = field(default_factory=list)
    status: str | None = None  # None: the sheet says nothing about the state
    status_reason: str = ""
    progress_text: str = ""

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass
class Sheet:
    """What was read: the rows (valid or not), the problems, and what was skipped."""

    sheet_title: str
    columns: dict[str, str]  # logical key -> header text as found
    fields: frozenset[str]  # task fields the sheet speaks about
    rows: list[TaskRow]
    errors: list[Problem]
    warnings: list[Problem]
    skipped: list[Problem]
    expansions: list[Expansion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def expanded_names(self) -> list[dict]:
        """Each collective name the sheet uses, once: the offices it stands for and the cells that use it."""
        by_name: dict[str, dict] = {}
        for e in self.expansions:
            entry = by_name.setdefault(
                e.name, {"name": e.name, "offices": "、".join(o.name for o in e.offices), "cells": []}
            )
            entry["cells"].append(e.cell)
        return list(by_name.values())


# --- Matching offices and standards -----------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", xlsx.normalize(text))


class OfficeMatcher:
    """An office as people write it: its exact name, one of its other names (short_name), or the one office
    whose name contains the text or is contained in it (机关办公室 → 办公室)."""

    def __init__(self, offices):
        self.offices = list(offices)
        self.by_kind: dict[str, list[Office]] = {}
        for o in sorted(self.offices, key=lambda o: (o.ordering, o.name)):
            self.by_kind.setdefault(o.kind, []).append(o)
        self.by_name = {_squash(o.name): o for o in self.offices}
        self.by_short: dict[str, list[Office]] = {}
        self.names: list[tuple[Office, list[str]]] = []
        for o in self.offices:
            shorts = [_squash(s) for s in OFFICE_SEPARATORS.split(o.short_name or "") if _squash(s)]
            for s in shorts:
                self.by_short.setdefault(s, []).append(o)
            self.names.append((o, [_squash(o.name), *shorts]))

    def match(self, text: str) -> tuple[Office | None, list[Office]]:
        """(the office, []) when exactly one fits; (None, candidates) otherwise (no candidates: unknown)."""
        key = _squash(text)
        if key in self.by_name:
            return self.by_name[key], []
        shorts = self.by_short.get(key, [])
        if len(shorts) == 1:
            return shorts[0], []
        if len(shorts) > 1:
            return None, shorts
        candidates = [o for o, names in self.names if any(key in n or n in key for n in names)]
        if len(candidates) == 1:
            return candidates[0], []
        return None, candidates

    def of_kinds(self, kinds) -> list[Office]:
        """The offices of these kinds, in the organ's order."""
        return sorted((o for k in kinds for o in self.by_kind.get(k, [])), key=lambda o: (o.ordering, o.name))


class StandardMatcher:
    """A standard by its code, or (for tables that copy the criteria's words) by the code its text starts with
    or its exact title."""

    def __init__(self, criteria):
        self.by_code = {c.code: c for c in criteria}
        self.by_title: dict[str, list[Criterion]] = {}
        for c in criteria:
            self.by_title.setdefault(_squash(c.title), []).append(c)

    def by_text(self, text: str) -> Criterion | None:
        m = re.match(r"\s*(\d+(?:\.\d+)*)", text)
        if m and m.group(1) in self.by_code:
            return self.by_code[m.group(1)]
        found = self.by_title.get(_squash(text), [])
        return found[0] if len(found) == 1 else None


# --- Cells ------------------------------------------------------------------------------------------------


def clean_code(text: str) -> str:
    """序号 as displayed, full-width digits made ASCII, a trailing "." or "、" dropped (3、 → 3)."""
    return re.sub(r"[.、。．\s]+$", "", xlsx.normalize(text)).strip()


def parse_deadline(raw, text: str, *, not_before: datetime.date) -> tuple[datetime.date | None, str]:
    """(deadline, recurrence) from a 完成时限 cell. Raises ValueError when it is neither a date nor a rhythm."""
    words = _squash(text)
    if not words and raw in (None, ""):
        return None, Recurrence.NONE
    for word, recurrence in RECURRENCE_WORDS:
        if words.startswith(word):
            return None, recurrence
    value = raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and not 20000 < raw < 80000:
        value = text  # 2026.12 typed into a General cell is a number: read it as displayed
    elif isinstance(raw, str) or raw is None:
        value = text
    date = xlsx.parse_date(value, not_before=not_before)
    if date is None:
        return None, Recurrence.NONE
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise ValueError(text)
    return date, Recurrence.NONE


def cell_text(r: xlsx.Row, key: str) -> str:
    """Free text as written: xlsx's display text folds full-width punctuation (，（）：) into ASCII, which is
    right for numbers and names but would rewrite the office's sentences; strings are only trimmed here."""
    raw = r.raw.get(key)
    if isinstance(raw, str):
        return raw.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").strip()
    return r[key]


def _state_word(text: str, words: dict[str, str]) -> str | None:
    return words.get(re.sub(r"[。.！!\s]+$", "", _squash(text)))


# --- The sheet --------------------------------------------------------------------------------------------


class RowProblems:
    """A row's problems as they are found: `append` for the row, `at` for one of its cells (named E12)."""

    def __init__(self, number: int, letters: dict[str, str], formulas: dict[str, str]):
        self.number = number
        self.letters = letters  # logical key -> column letters
        self.formulas = formulas  # logical key -> cell of a formula without a value in this row
        self.found: list[Problem] = []

    def cell(self, key: str) -> str:
        return f"{self.letters[key]}{self.number}" if key in self.letters else ""

    def append(self, message: str) -> None:
        self.found.append(Problem(self.number, message))

    def at(self, key: str, message: str) -> None:
        self.found.append(Problem(self.number, message, cell=self.cell(key)))

    def empty(self, *keys: str) -> bool:
        """False when the cell is empty because it is a formula without a value (reported as such already)."""
        return not any(k in self.formulas for k in keys)


@gc_paused()
def read_sheet(data: bytes, *, filename: str, campaign) -> Sheet:
    """Open, find the table and validate every row. Raises xlsx.WorkbookError for a file that cannot be read at
    all (refused formats, bombs, missing columns); row problems are in Sheet.errors, all of them at once: formulas
    without a saved value are named by their cells beside the other bad rows."""
    book = xlsx.open_workbook(data, filename=filename)
    table = xlsx.find_table(
        book,
        COLUMNS,
        required={"code", "lead_office"},
        any_of=[("title", "measures")],
        refuse_formulas=False,
    )
    cols = table.header.columns
    letters = {key: xlsx.cell_ref(1, c)[:-1] for key, c in cols.items()}
    fields = {"title"} | {f for key, f in FIELDS_BY_COLUMN.items() if key in cols}
    if "title" in cols and "measures" in cols:
        fields.add("measures")
    if cols.keys() & {"standard_code", "standard", "indicator", "item"}:
        fields.add("standards")

    offices = OfficeMatcher(Office.objects.all())
    standards = StandardMatcher(Criterion.objects.filter(campaign=campaign).only("pk", "code", "title"))
    existing_codes = set(Task.objects.filter(campaign=campaign).values_list("code", flat=True))

    rows: list[TaskRow] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    skipped: list[Problem] = []
    expansions: list[Expansion] = []
    first_row_of: dict[str, int] = {}

    formulas = table.formulas_without_value()
    for number in sorted(formulas):
        for _key, ref in sorted(formulas[number].items(), key=lambda kv: cols[kv[0]]):
            errors.append(
                Problem(
                    number,
                    _(
                        "the cell holds a formula without a saved value: open the file in Excel or WPS, save it "
                        "and import again (formulas are never calculated here)."
                    ),
                    cell=ref,
                )
            )

    for raw_row in table.rows():
        if xlsx.is_note_row(raw_row):
            skipped.append(Problem(raw_row.number, _("a note below the table, skipped")))
            continue
        if _is_heading(raw_row):
            skipped.append(Problem(raw_row.number, _("a heading row (%(text)s), skipped") % {"text": _first(raw_row)}))
            continue
        problems = RowProblems(raw_row.number, letters, formulas.get(raw_row.number, {}))
        task = _read_row(raw_row, campaign, offices, standards, fields, problems, warnings, expansions)
        if task.code:
            if task.code in first_row_of:
                problems.at(
                    "code",
                    _("the number %(code)s is used again (first on row %(first)d).")
                    % {"code": task.code, "first": first_row_of[task.code]},
                )
            else:
                first_row_of[task.code] = raw_row.number
        errors.extend(problems.found)
        rows.append(task)

    for task in rows:
        if task.parent_code and task.parent_code not in first_row_of and task.parent_code not in existing_codes:
            errors.append(
                Problem(
                    task.row,
                    _("sub-task %(code)s has no parent task %(parent)s, neither in the table nor already imported.")
                    % {"code": task.code, "parent": task.parent_code},
                    cell=f"{letters['code']}{task.row}",
                )
            )
    if "standards" in fields and not standards.by_code and "standard_code" not in cols:
        warnings.insert(
            0,
            Problem(
                None,
                _(
                    "The campaign has no criteria yet, so the tasks are not linked to standards; import the criteria "
                    "first and then this table again to link them."
                ),
            ),
        )
    if not rows and not errors:
        errors.append(Problem(None, _("The table has no task rows below its header.")))
    errors.sort(key=lambda p: p.row or 0)
    return Sheet(
        sheet_title=table.header.sheet.title,
        columns=dict(table.header.labels),
        fields=frozenset(fields),
        rows=rows,
        errors=errors,
        warnings=warnings,
        skipped=skipped,
        expansions=expansions,
    )


def _first(raw_row: xlsx.Row) -> str:
    return next((v for v in raw_row.values.values() if v), "")


def _is_heading(raw_row: xlsx.Row) -> bool:
    """A section heading across the table (一、思想道德建设): one text, often merged over the whole row, and no
    number of the form 3 or 3.1."""
    filled = {v for v in raw_row.values.values() if v}
    if len(filled) != 1:
        return False
    text = next(iter(filled))
    return not CODE_RE.fullmatch(clean_code(raw_row["code"])) and (
        bool(HEADING_RE.match(text)) or raw_row["code"] == text
    )


# Translated only when a row has a problem to report (not 2,000 times for a clean sheet).
LEAD_OFFICE = gettext_lazy("lead office")
SUPPORTING_OFFICE = gettext_lazy("supporting office")
KIND_NAMES = dict(Office.Kind.choices)


def _read_row(raw_row, campaign, offices, standards, fields, errors: RowProblems, warnings, expansions) -> TaskRow:
    r = raw_row
    code = clean_code(r["code"])
    task = TaskRow(row=r.number, code=code)
    if not code:
        if errors.empty("code"):
            errors.at("code", _("the number (序号) is empty."))
    elif len(code) > CODE_MAX or not CODE_RE.fullmatch(code):
        errors.at("code", _("the number “%(code)s” is not like 3 or 3.1.") % {"code": code})
        task.code = ""
    elif "." in code:
        task.parent_code = code.rsplit(".", 1)[0]

    # 工作任务 and 具体措施: both when the table has both, else the one it has is the task's title.
    title, measures = cell_text(r, "title"), cell_text(r, "measures")
    if "measures" in fields:
        task.title, task.measures = title, measures
    else:
        task.title = title or measures
    if not task.title:
        if errors.empty("title", "measures"):
            errors.at("title" if "title" in errors.letters else "measures", _("the task (工作任务) is empty."))
    elif len(task.title) > TITLE_MAX:
        errors.at("title", _("the task text is longer than %(max)d characters.") % {"max": TITLE_MAX})

    lead_names = [n.strip() for n in OFFICE_SEPARATORS.split(r["lead_office"]) if n.strip()]
    if not lead_names and errors.empty("lead_office"):
        errors.at("lead_office", _("the lead office (牵头科室) is empty."))
    lead_found = _offices(lead_names, offices, errors, "lead_office", expansions)
    if lead_found:
        task.lead_office = lead_found[0]
        if len({o.pk for o in lead_found}) > 1:
            warnings.append(
                Problem(
                    r.number,
                    _("several lead offices: %(first)s leads, the others are counted as supporting offices.")
                    % {"first": lead_found[0].name},
                    cell=errors.cell("lead_office"),
                )
            )
    supporting = _offices(
        [n.strip() for n in OFFICE_SEPARATORS.split(r["supporting_offices"]) if n.strip()],
        offices,
        errors,
        "supporting_offices",
        expansions,
    )
    seen = {task.lead_office.pk} if task.lead_office else set()
    for office in lead_found[1:] + supporting:
        if office.pk not in seen:
            seen.add(office.pk)
            task.supporting_offices.append(office)

    task.leader = _squash(r["leader"])
    if len(task.leader) > NAME_MAX:
        errors.at("leader", _("the leader in charge is longer than %(max)d characters.") % {"max": NAME_MAX})
    task.responsible = list(dict.fromkeys(split_names(r["people"])))
    if len("、".join(task.responsible)) > NAMES_MAX:
        errors.at("people", _("the responsible people are longer than %(max)d characters.") % {"max": NAMES_MAX})

    try:
        task.deadline, task.recurrence = parse_deadline(
            r.raw.get("deadline"), r["deadline"], not_before=campaign.start_date
        )
    except ValueError:
        errors.at(
            "deadline",
            _("the deadline “%(text)s” is not a date (such as 2026-09-30 or 2026年6月底) nor 每月/每季度/每年/长期.")
            % {"text": r["deadline"]},
        )

    task.evidence_requirement = cell_text(r, "evidence")
    task.notes = cell_text(r, "notes")
    for key, text in (("measures", task.measures), ("evidence", task.evidence_requirement), ("notes", task.notes)):
        if len(text) > TEXT_MAX:
            errors.at(key, _("the text is longer than %(max)d characters.") % {"max": TEXT_MAX})
    _read_standards(r, task, standards, errors, warnings)
    _read_state(r, task, errors)
    if len(task.progress_text) > TEXT_MAX:
        errors.at("progress", _("the text is longer than %(max)d characters.") % {"max": TEXT_MAX})
    return task


def _offices(names, matcher: OfficeMatcher, errors: RowProblems, key: str, expansions) -> list[Office]:
    """The offices a 牵头 or 配合 cell names: each name an office (OfficeMatcher) or a collective name (各委室:
    COLLECTIVE_OFFICES), which stands for every office of its kinds and is kept in `expansions` for the preview."""
    role = LEAD_OFFICE if key == "lead_office" else SUPPORTING_OFFICE
    found = []
    for name in names:
        kinds = COLLECTIVE_OFFICES.get(_squash(name))
        if kinds is not None:
            group = matcher.of_kinds(kinds)
            if group:
                found.extend(group)
                expansions.append(Expansion(errors.number, errors.cell(key), name, group))
            else:
                errors.at(
                    key,
                    _("“%(name)s” stands for the offices of kind %(kinds)s, but there is no such office.")
                    % {"name": name, "kinds": "、".join(str(KIND_NAMES[k]) for k in kinds)},
                )
            continue
        office, candidates = matcher.match(name)
        if office is not None:
            found.append(office)
        elif candidates:
            errors.at(
                key,
                _("the %(role)s “%(name)s” could be any of %(candidates)s: write the full name.")
                % {"role": role, "name": name, "candidates": "、".join(o.name for o in candidates)},
            )
        elif COLLECTIVE_PREFIX.match(_squash(name)):
            errors.at(
                key,
                _(
                    "“%(name)s” reads as a group of offices, but not one this import knows (such as %(known)s): "
                    "write the offices' names."
                )
                % {"name": name, "known": COLLECTIVE_EXAMPLES},
            )
        else:
            errors.at(key, _("the %(role)s “%(name)s” is not a known office.") % {"role": role, "name": name})
    return found


def _read_standards(r, task, matcher, errors: RowProblems, warnings) -> None:
    codes = [c for c in CODE_SEPARATORS.split(xlsx.normalize(r["standard_code"])) if c]
    if codes:
        for code in codes:
            criterion = matcher.by_code.get(code)
            if criterion is None:
                errors.at(
                    "standard_code",
                    _("the standard code %(code)s is not in this campaign's criteria.") % {"code": code},
                )
            elif criterion not in task.standards:
                task.standards.append(criterion)
        return
    text = r["standard"] or r["indicator"] or r["item"]
    if not text or not matcher.by_code:
        return  # no criteria imported yet: read_sheet says so once for the whole sheet
    criterion = matcher.by_text(text)
    if criterion is None:
        warnings.append(
            Problem(
                r.number,
                _("“%(text)s” matches no standard of the criteria; the task is not linked to one.")
                % {"text": text[:40]},
            )
        )
    else:
        task.standards.append(criterion)


def _read_state(r, task, errors: RowProblems) -> None:
    status_text, progress = r["status"], cell_text(r, "progress")
    if status_text:
        status = _state_word(status_text, STATUS_WORDS)
        if status is None:
            errors.at(
                "status",
                _("the status “%(text)s” is not one of %(words)s.")
                % {"text": status_text, "words": "、".join(STATUS_WORDS)},
            )
        task.status = status
        if progress and _state_word(progress, PROGRESS_WORDS) is None:
            task.progress_text = progress
        return
    if not progress:
        return
    status = _state_word(progress, PROGRESS_WORDS)
    if status is None:
        task.progress_text = progress
        return
    task.status = status
    if status == Task.Status.RETURNED:
        task.status_reason = RETURNED_REASON
