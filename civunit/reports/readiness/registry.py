"""The registry of readiness rules and what a rule finds.

A rule is a small function of the check (`Check`, readiness/check.py: the campaign, the day and the reads the
rules share) that yields findings; `@rule(name, severity=..., title=...)` registers it. Each finding names the
standard it is about (or none), the office responsible (or none: the leadership group's office), what an
inspector would say, the suggested measure and the items (evidence, tasks, requirements) it is about. Adding a
rule is writing one such function in rules.py (or any module imported by readiness/__init__.py) and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from civunit.reports.models import Severity

if TYPE_CHECKING:
    from campaign.models import Criterion
    from civunit.accounts.models import Office

    from .check import Check

#: A finding names at most this many items (with how many there are in all).
MENTION_LIMIT = 20
#: Severities, most serious first (the page's and the export's order).
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.NOTICE: 2}


class MentionKind:
    EVIDENCE = "evidence"
    TASK = "task"
    VETO = "veto"
    TEXT = "text"


@dataclass(frozen=True)
class Mention:
    """Something a finding names: an evidence item, a task, a veto condition (with its id) or plain text; for a
    copy of a photo, the item it copies (`other_*`: an evidence item that the reader may not be allowed to see,
    shown only to those who may)."""

    kind: str
    label: str
    pk: int | None = None
    # what the rule says about it, after its name: （缺：地点）, （逾期 3 天）
    detail: str = ""
    other_label: str = ""
    other_pk: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "pk": self.pk,
            "detail": self.detail,
            "other_label": self.other_label,
            "other_pk": self.other_pk,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mention:
        return cls(
            kind=str(data.get("kind", MentionKind.TEXT)),
            label=str(data.get("label", "")),
            pk=data.get("pk"),
            detail=str(data.get("detail", "")),
            other_label=str(data.get("other_label", "")),
            other_pk=data.get("other_pk"),
        )


@dataclass(frozen=True)
class Finding:
    """One thing a rule found. `key` stays the same from one check to the next as long as the rule finds the
    same thing about the same standard and office, so that its rectification task stays attached to it."""

    text: str
    criterion: Criterion | None = None
    office: Office | None = None
    measure: str = ""
    mentions: Sequence[Mention] = ()
    # more than the mentions, when the rule found more items than it names
    mention_total: int | None = None
    # what tells two findings of one rule, standard and office apart (e.g. a veto condition's id)
    about: str = ""
    # set by the runner from the rule, unless the rule decides per finding
    severity: str = ""
    rule: str = ""

    @property
    def key(self) -> str:
        criterion = self.criterion.pk if self.criterion is not None else 0
        office = self.office.pk if self.office is not None else 0
        key = f"{self.rule}:{criterion}:{office}"
        return f"{key}:{self.about}" if self.about else key

    @property
    def total(self) -> int:
        return self.mention_total if self.mention_total is not None else len(self.mentions)


def mentions_of[T](rows: Sequence[T], describe: Callable[[T], Mention]) -> tuple[tuple[Mention, ...], int]:
    """The first MENTION_LIMIT of `rows` as mentions, and how many there are."""
    return tuple(describe(row) for row in rows[:MENTION_LIMIT]), len(rows)


RuleFunction = Callable[["Check"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    title: str | Promise  # what the rule checks, in a few words (the page's legend)
    description: str | Promise  # what makes it fire
    function: RuleFunction = field(repr=False)
    # whether its findings can become rectification tasks (the days to the inspection cannot)
    rectifiable: bool = True

    def run(self, check: Check) -> list[Finding]:
        return [
            replace(finding, rule=self.name, severity=finding.severity or self.severity)
            for finding in self.function(check)
        ]


RULES: dict[str, Rule] = {}


def rule(
    name: str,
    *,
    severity: str,
    title: str | Promise,
    description: str | Promise,
    rectifiable: bool = True,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule under `name` (a stable identifier: it is part of the findings' keys)."""
    if len(name) > 40:
        raise ValueError(f"rule name {name!r} is longer than 40 characters")

    def register(function: RuleFunction) -> RuleFunction:
        if name in RULES:
            raise ValueError(f"a readiness rule is already registered as {name!r}")
        RULES[name] = Rule(name, severity, title, description, function, rectifiable)
        return function

    return register
