"""The dashboard's charts, drawn by the core chart module (civunit.charts) from the figures of
civunit.reports.dashboard. Each chart is the picture of a table or text the page shows beside it.

Charts with labels come in two widths: an SVG scales with its box, so a chart drawn for a desktop card would
shrink its text to a few pixels on a phone. The page shows the wide one from 576 px up (and in print), the narrow
one below (Bootstrap's d-sm-* classes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypedDict

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civunit import charts
from civunit.charts import Segment
from tasks.models import Status
from tasks.selectors import TaskFigures

from .dashboard import Dashboard, OfficeFigures

# Task states in workflow order, with their colours (greyscale-distinct, as the chart module's palette).
STATE_COLOURS = {
    Status.DONE: charts.GOOD,
    Status.PENDING_REVIEW: charts.PALETTE[1],
    Status.IN_PROGRESS: charts.WARN,
    Status.NOT_STARTED: charts.MUTED,
    Status.RETURNED: charts.BAD,
}


class BarSize(TypedDict):
    width: int
    label_width: int


class LineSize(TypedDict):
    width: int
    height: int
    max_labels: int


NARROW_BARS: Final[BarSize] = {"width": 340, "label_width": 108}
NARROW_LINE: Final[LineSize] = {"width": 360, "height": 240, "max_labels": 5}


@dataclass(frozen=True)
class Responsive:
    wide: SafeString
    narrow: SafeString


def task_states(figures: TaskFigures) -> list[Segment]:
    return [
        Segment(str(status.label), getattr(figures, status.value), colour) for status, colour in STATE_COLOURS.items()
    ]


def tasks_donut(figures: TaskFigures) -> SafeString:
    return charts.donut(task_states(figures), title=_("Tasks by state"), centre=f"{figures.done_percent}%")


def _bars(rows: Sequence[tuple[str, Sequence[Segment]]], *, title: str) -> Responsive:
    return Responsive(
        wide=charts.stacked_bar_chart(rows, title=title),
        narrow=charts.stacked_bar_chart(rows, title=title, **NARROW_BARS),
    )


def coverage_bars(rows: Sequence[tuple[str, int, int]]) -> Responsive:
    """The coverage chart from (item title, standards with accepted evidence, without) rows, drawn by the report
    from its own figures (the dashboard draws each item's bar in its coverage table)."""
    return _bars(
        [
            (
                title,
                [
                    Segment(_("With accepted evidence"), evidenced, charts.GOOD),
                    Segment(_("Without accepted evidence"), without, charts.BAD),
                ],
            )
            for title, evidenced, without in rows
        ],
        title=_("Standards with accepted evidence, by evaluation item"),
    )


def offices_chart(offices: list[OfficeFigures]) -> Responsive:
    """Per office: tasks done on time, done late, awaiting review, open (not overdue), overdue."""
    rows: list[tuple[str, list[Segment]]] = []
    for o in offices:
        rows.append(
            (
                o.office.name,
                [
                    Segment(_("Done on time"), o.done_on_time, charts.GOOD),
                    Segment(_("Done late"), o.done_late, charts.PALETTE[3]),
                    Segment(str(Status.PENDING_REVIEW.label), o.tasks.pending_review, charts.PALETTE[1]),
                    Segment(pgettext("dashboard", "Open"), max(o.tasks.open - o.tasks.overdue, 0), charts.MUTED),
                    Segment(_("Overdue"), o.tasks.overdue, charts.BAD),
                ],
            )
        )
    return _bars(rows, title=_("Tasks by office"))


def weekly_chart(data: Dashboard) -> Responsive:
    weeks = data.weekly.weeks
    labels = [f"{w.start.month}/{w.start.day}" for w in weeks]
    series = [
        (_("Tasks completed"), [w.tasks_done for w in weeks], charts.PALETTE[0]),
        (_("Evidence accepted"), [w.evidence_accepted for w in weeks], charts.PALETTE[1]),
    ]
    markers = [(m.index, m.stage.name) for m in data.weekly.markers]
    title = _("Progress per week since the campaign started")
    return Responsive(
        wide=charts.line_chart(labels, series, markers=markers, title=title),
        narrow=charts.line_chart(labels, series, markers=markers, title=title, **NARROW_LINE),
    )


def dashboard_charts(data: Dashboard) -> dict[str, SafeString | Responsive]:
    h = data.headline
    width = 160  # the headline cards are narrow: a short bar keeps its percentage readable
    result: dict[str, SafeString | Responsive] = {
        "tasks": tasks_donut(h.tasks),
        "standards_met": charts.progress(h.standards_met, h.standards, title=_("Standards met"), width=width),
        "evidence": charts.progress(
            h.evidence.accepted, h.evidence.submitted, title=_("Evidence accepted"), width=width
        ),
        "tasks_done": charts.progress(h.tasks.done, h.tasks.total, title=_("Tasks done"), width=width),
        "weekly": weekly_chart(data),
    }
    if h.max_score:
        result["score"] = charts.progress(float(h.score or 0), float(h.max_score), title=_("Self score"), width=width)
    if len(data.offices) > 1:
        result["offices"] = offices_chart(data.offices)
    return result
