"""A bulletin's figures: built from the dashboard's selectors (one source per figure), stored as JSON when the
bulletin is published, and read back for the page.

The draft's preview and the published bulletin take the same path: `build_snapshot()` computes the JSON document,
`load_snapshot()` turns it into the objects the template shows. A published bulletin stores that document and is
never recomputed, so it reads as it did the day it was published, whatever happens to the tasks afterwards.

The document carries a schema version (`SNAPSHOT_SCHEMA`, also stored in Bulletin.snapshot_schema). A change of
its shape gets a new version and `load_snapshot()` keeps reading every older version: published bulletins are
never migrated.

What it holds (schema 1):
- the campaign's standing as of the publication day: standards met, self score, tasks done and overdue, evidence
  accepted and awaiting review, the current stage, days to the inspection and the campaign's status;
- each office's figures (tasks led, done, done on time, overdue, awaiting review, done in the period, evidence
  accepted), ranked by performance or in the organ's order, as the coordinator chose;
- the period's highlights: activities held, tasks completed, evidence accepted (by category);
- the overdue tasks with their offices, the longest overdue first.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from civunit import charts
from civunit.reports import dashboard
from civunit.reports.models import Bulletin

if TYPE_CHECKING:
    from civunit.accounts.models import User

SNAPSHOT_SCHEMA = 1

# The office chart's width in SVG units: drawn at about this many CSS pixels (bulletin.css), so its 12-unit text stays
# legible when a phone scales it down to its width.
CHART_WIDTH = 420

# The bulletin lists every overdue task up to this many (a document, not a page: the total is stated beside).
OVERDUE_LIMIT = 300


class UnknownSnapshot(ValueError):
    """A stored document of a schema this code does not read."""


# --- Ranking ----------------------------------------------------------------------------------------------------


def performance_key(office: dict[str, Any]) -> tuple[int, int, int]:
    """Who did best: the higher share of their tasks done, then fewer overdue, then more done on time."""
    return (-office["done_percent"], office["overdue"], -office["done_on_time"])


def rank_offices(offices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Offices ranked by performance_key(); offices with equal figures share a rank (1, 2, 2, 4) and keep the
    organ's order among them."""
    ranked = sorted(offices, key=performance_key)  # stable: the organ's order breaks ties
    previous, rank = None, 0
    for position, office in enumerate(ranked, start=1):
        key = performance_key(office)
        if key != previous:
            rank, previous = position, key
        office["rank"] = rank
    return ranked


# --- Building the document -----------------------------------------------------------------------------------


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _office_row(figures: dashboard.OfficeFigures) -> dict[str, Any]:
    tasks = figures.tasks
    return {
        "id": figures.office.pk,
        "name": figures.office.name,
        "tasks": tasks.total,
        "done": tasks.done,
        "done_percent": tasks.done_percent,
        "done_on_time": figures.done_on_time,
        "done_late": figures.done_late,
        "overdue": tasks.overdue,
        "pending_review": tasks.pending_review,
        "done_in_period": figures.done_in_period,
        "evidence_accepted": figures.evidence.accepted,
        "evidence_accepted_in_period": figures.evidence.accepted_in_period,
    }


def build_snapshot(bulletin: Bulletin, *, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """The bulletin's figures now, as a JSON-ready document, read as `user` (the coordinator) reads them."""
    today = today or timezone.localdate()
    campaign = bulletin.campaign
    start, end = bulletin.period_start, bulletin.period_end
    head = dashboard.headline_figures(campaign=campaign, user=user, today=today)
    offices = [
        _office_row(f)
        for f in dashboard.office_figures(campaign=campaign, user=user, today=today, start=start, end=end)
    ]
    if bulletin.office_order == Bulletin.OfficeOrder.RANKED:
        offices = rank_offices(offices)
    highlights = dashboard.highlights(campaign=campaign, user=user, start=start, end=end)
    overdue = dashboard.overdue_tasks(campaign=campaign, user=user, today=today, limit=OVERDUE_LIMIT)
    tasks, evidence, status = head.tasks, head.evidence, head.status
    return {
        "schema": SNAPSHOT_SCHEMA,
        "as_of": today.isoformat(),
        "computed_at": timezone.now().isoformat(),
        "campaign": {"title": campaign.title, "organ_name": campaign.organ_name},
        "period": {"kind": bulletin.period_kind, "start": start.isoformat(), "end": end.isoformat()},
        "office_order": bulletin.office_order,
        "headline": {
            "standards": head.standards,
            "standards_met": head.standards_met,
            "standards_basically_met": head.standards_basically_met,
            "standards_without_evidence": head.standards_without_evidence,
            "score": _decimal(head.score),
            "max_score": _decimal(head.max_score),
            "tasks": tasks.total,
            "tasks_done": tasks.done,
            "tasks_done_percent": tasks.done_percent,
            "tasks_overdue": tasks.overdue,
            "tasks_pending_review": tasks.pending_review,
            "tasks_open": tasks.open,
            "evidence_accepted": evidence.accepted,
            "evidence_pending_review": evidence.pending_review,
            "current_stage": head.current_stage.name if head.current_stage else None,
            "next_stage": head.next_stage.name if head.next_stage else None,
            "days_to_next_stage": head.days_to_next_stage,
            "inspection_date": _date(head.inspection_date),
            "days_to_inspection": head.days_to_inspection,
            "status": {"level": status.level, "label": status.label, "reasons": [str(r) for r in status.reasons]},
        },
        "offices": offices,
        "highlights": {
            "activities": [
                {"id": a.pk, "date": a.date.isoformat(), "title": a.title, "office": a.organiser_office.name}
                for a in highlights.activities
            ],
            "tasks_done": highlights.tasks_done,
            "evidence_accepted": highlights.evidence_accepted,
            "evidence_by_category": [[label, count] for _category, label, count in highlights.evidence_by_category],
        },
        "overdue": {
            "total": overdue.total,
            "rows": [
                {
                    "id": t.pk,
                    "code": t.code,
                    "title": t.title,
                    "office": t.lead_office.name,
                    "due": _date(t.due),  # type: ignore[attr-defined]  # annotated by with_flags()
                    "days": (today - t.due).days if t.due else None,  # type: ignore[attr-defined]  # annotated by with_flags()
                }
                for t in overdue.rows
            ],
        },
    }


# --- Reading it back ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What the bulletin template shows: the stored document with its dates parsed."""

    as_of: datetime.date
    campaign: dict[str, Any]
    period_start: datetime.date
    period_end: datetime.date
    ranked: bool
    headline: dict[str, Any]
    offices: list[dict[str, Any]]
    highlights: dict[str, Any]
    overdue: dict[str, Any]

    @property
    def overdue_more(self) -> int:
        total: int = self.overdue["total"]
        return max(total - len(self.overdue["rows"]), 0)

    @property
    def completion_chart(self) -> SafeString:
        """Each office's share of its tasks done, as drawn bars (the table beside it has the numbers)."""
        return charts.bar_chart(
            [(o["name"], o["done_percent"]) for o in self.offices],
            title=_("Share of tasks done by office"),
            maximum=100,
            unit="%",
            colour=charts.GOOD,
            width=CHART_WIDTH,
        )


def _parse(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def load_snapshot(data: object) -> Content:
    """The stored document read back; UnknownSnapshot for anything but a document of a schema read here."""
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise UnknownSnapshot(f"bulletin figures of schema {data.get('schema') if isinstance(data, dict) else '?'}")
    headline = dict(data["headline"], inspection_date=_parse(data["headline"]["inspection_date"]))
    highlights = dict(
        data["highlights"],
        activities=[dict(a, date=_parse(a["date"])) for a in data["highlights"]["activities"]],
    )
    overdue = dict(data["overdue"], rows=[dict(r, due=_parse(r["due"])) for r in data["overdue"]["rows"]])
    return Content(
        as_of=datetime.date.fromisoformat(data["as_of"]),
        campaign=data["campaign"],
        period_start=datetime.date.fromisoformat(data["period"]["start"]),
        period_end=datetime.date.fromisoformat(data["period"]["end"]),
        ranked=data["office_order"] == Bulletin.OfficeOrder.RANKED,
        headline=headline,
        offices=data["offices"],
        highlights=highlights,
        overdue=overdue,
    )


def bulletin_content(bulletin: Bulletin, *, user: User, today: datetime.date | None = None) -> Content:
    """The published figures of a published bulletin; the live figures (the preview) of a draft."""
    if bulletin.is_published:
        return load_snapshot(bulletin.snapshot)
    # through JSON, as publishing stores it: the preview shows exactly what publishing would freeze
    return load_snapshot(json.loads(json.dumps(build_snapshot(bulletin, user=user, today=today))))
