"""One audit trail over the histories the apps keep, newest first: task events, evidence events (evidence
downloads included), account changes, campaign events, bulletin events, the django-simple-history records of
the self-assessments, explanation reports, veto conditions and plans (who changed which field of the criteria's
work), and the downloads of generated files (a job's result such as the binder; a kept report's PDF or Word).

The page is one UNION ALL query of the filtered histories (a handful of columns each), sliced by the database;
the rows of a page are then read whole, one query per history that has rows on it, with their person, office and
object. However many events there are, a page costs the same few queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import Assessment, CampaignEvent, Explanation, Plan, VetoCondition
from civunit.accounts.models import AccountEvent, Office, User
from civunit.jobs import registry as job_registry
from civunit.jobs.models import FileDownload
from civunit.reports.models import BulletinEvent
from evidence.models import EvidenceEvent
from tasks.models import TaskEvent


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    model: type[models.Model]
    at: str  # the time field
    object: str  # the object's id (the object-filter column)
    office: str  # the office the event belongs to: the object's, else the actor's
    related: tuple[str, ...]  # select_related when the page's rows are read
    actor: str = "actor_id"  # the person's id (the person filter's column)
    scope: tuple[tuple[str, Any], ...] = ()  # the rows of `model` that are this history (a filter)
    history: bool = False  # a django-simple-history model: a change is shown against the record before it

    def object_url(self, event: Any) -> str:
        try:
            if self.key == "task" and event.task_id:
                return reverse("tasks:detail", args=[event.task_id])
            if self.key == "evidence" and event.item_id:
                return reverse("evidence:detail", args=[event.item_id])
            if self.key == "bulletin" and event.bulletin_id:
                return reverse("reports:bulletin", args=[event.bulletin_id])
            if self.key in ("assessment", "explanation"):
                return reverse("campaign:criterion", args=[event.criterion_id])
            if self.key == "veto":
                return reverse("campaign:veto")
            if self.key == "plan":
                return reverse("campaign:plan")
            if self.key == "job_file":
                return reverse("jobs:detail", args=[event.object_id])
            if self.key == "report_file":
                return reverse("reports:report_record", args=[event.object_id])
        except NoReverseMatch:
            return ""
        return ""

    def action(self, event: Any) -> str:
        if self.history:
            return str(HISTORY_ACTIONS.get(event.history_type, event.history_type))
        return str(event.get_action_display())


# with a context: the catalogs share one namespace, and evidence's "Deleted" is a column (删除时间)
HISTORY_ACTIONS = {
    "+": pgettext_lazy("audit action", "Created"),
    "~": pgettext_lazy("audit action", "Changed"),
    "-": pgettext_lazy("audit action", "Deleted"),
}
HISTORY_USER = "history_user_id"
HISTORY_OFFICE = "history_user__office_id"  # the office of the person who made the change


SOURCES = {
    s.key: s
    for s in (
        Source("task", _("Task"), TaskEvent, "created_at", "task_id", "task__lead_office_id", ("task",)),
        Source("evidence", _("Evidence"), EvidenceEvent, "at", "item_id", "item__office_id", ("item",)),
        Source(
            "account",
            _("People and offices"),
            AccountEvent,
            "created_at",
            "person_id",
            "office_id",
            ("person", "office"),
        ),
        Source(
            "campaign", _("Campaign"), CampaignEvent, "created_at", "campaign_id", "actor__office_id", ("campaign",)
        ),
        Source(
            "bulletin", _("Bulletin"), BulletinEvent, "created_at", "bulletin_id", "actor__office_id", ("bulletin",)
        ),
        # the criteria's work, as django-simple-history keeps it; the object is the standard (or the condition,
        # the campaign of the plan)
        Source(
            "assessment",
            _("Self-assessment"),
            Assessment.history.model,
            "history_date",
            "criterion_id",
            HISTORY_OFFICE,
            ("criterion",),
            actor=HISTORY_USER,
            history=True,
        ),
        Source(
            "explanation",
            _("Explanation report"),
            Explanation.history.model,
            "history_date",
            "criterion_id",
            HISTORY_OFFICE,
            ("criterion",),
            actor=HISTORY_USER,
            history=True,
        ),
        Source(
            "veto",
            _("Negative list"),
            VetoCondition.history.model,
            "history_date",
            "id",
            HISTORY_OFFICE,
            (),
            actor=HISTORY_USER,
            history=True,
        ),
        Source(
            "plan",
            _("Implementation plan"),
            Plan.history.model,
            "history_date",
            "campaign_id",
            HISTORY_OFFICE,
            ("campaign",),
            actor=HISTORY_USER,
            history=True,
        ),
        # downloads of generated files (evidence downloads are in the evidence history)
        Source(
            "job_file",
            _("Generated file"),
            FileDownload,
            "at",
            "object_id",
            "actor__office_id",
            (),
            scope=(("source", FileDownload.Source.JOB),),
        ),
        Source(
            "report_file",
            _("Kept report"),
            FileDownload,
            "at",
            "object_id",
            "actor__office_id",
            (),
            scope=(("source", FileDownload.Source.REPORT),),
        ),
    )
}
COLUMNS = ("e_source", "e_id", "e_at", "e_actor", "e_office", "e_object")


@dataclass
class AuditFilter:
    person: int | None = None
    office: int | None = None
    source: str = ""  # a key of SOURCES, or "" for every history
    object: int | None = None  # with a source: one object's history
    start: datetime.date | None = None
    end: datetime.date | None = None

    def sources(self) -> list[Source]:
        return [SOURCES[self.source]] if self.source in SOURCES else list(SOURCES.values())


def _branch(source: Source, f: AuditFilter) -> Any:
    qs = source.model._default_manager.filter(**dict(source.scope))
    if f.person is not None:
        qs = qs.filter(**{source.actor: f.person})
    if f.office is not None:
        qs = qs.filter(**{source.office: f.office})
    if f.object is not None and f.source == source.key:
        qs = qs.filter(**{source.object: f.object})
    tz = timezone.get_current_timezone()
    if f.start is not None:
        start = datetime.datetime.combine(f.start, datetime.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{source.at}__gte": start})
    if f.end is not None:
        end = datetime.datetime.combine(f.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{source.at}__lt": end})
    return (
        qs.order_by()
        .annotate(
            e_source=Value(source.key, output_field=CharField()),
            e_id=F("pk"),
            e_at=F(source.at),
            e_actor=F(source.actor),
            e_office=F(source.office),
            e_object=F(source.object),
        )
        .values_list(*COLUMNS)
    )


def timeline(f: AuditFilter) -> Any:
    """The filtered events as (source, id, at, actor id, office id, object id), newest first: one query."""
    branches = [_branch(source, f) for source in f.sources()]
    first, *rest = branches
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-e_at", "-e_source", "-e_id")


@dataclass
class AuditRow:
    source: Source
    at: datetime.datetime
    event: Any
    actor: User | None
    office_id: int | None
    object_id: int | None
    ip: str = ""
    office_name: str = ""
    object_label: str = ""
    object_url: str = ""
    details: list[str] = field(default_factory=list)
    previous: Any = None  # a history record's predecessor (what it changed)

    @property
    def action(self) -> str:
        return self.source.action(self.event)


def _describe(row: AuditRow) -> None:
    e = row.event
    key = row.source.key
    if key == "task":
        row.object_label = f"{e.task.code} {e.task.title}" if e.task_id else ""
        if e.from_status or e.to_status:
            row.details.append(f"{e.get_from_status_display() or '—'} → {e.get_to_status_display() or '—'}")
        if e.note:
            row.details.append(e.note)
        row.details.append(str(e.get_source_display()))
    elif key == "evidence":
        row.object_label = e.item.title if e.item_id else str(_("(purged)"))
        variant = (e.details or {}).get("variant")
        if variant:
            row.details.append(str(_("print copy")) if variant == "print" else str(_("original file")))
        if reason := (e.details or {}).get("reason"):
            row.details.append(str(reason))
    elif key == "account":
        parts = [p.real_name or p.username for p in (e.person,) if p is not None]
        if e.office_id:
            parts.append(e.office.name)
        row.object_label = " · ".join(parts)
        row.details.extend(f"{c['field']}: {c['old']} → {c['new']}" for c in e.change_rows)
    elif key == "campaign":
        row.object_label = str(e.campaign)
        row.details.append(str(e.get_source_display()))
    elif key == "bulletin":
        row.object_label = str(e.bulletin)
        if e.note:
            row.details.append(e.note)
    elif key in ("assessment", "explanation"):
        row.object_label = str(e.criterion) if e.criterion_id else ""
    elif key == "veto":
        row.object_label = f"{e.code} {e.title}"
    elif key == "plan":
        row.object_label = str(e.campaign) if e.campaign_id else ""
    elif key == "job_file":
        row.object_label = e.file_name
        kind = job_registry.get(e.variant)
        row.details.append(str(kind.label) if kind else e.variant)
    elif key == "report_file":
        row.object_label = e.file_name
        row.details.append({"pdf": "PDF", "docx": "Word"}.get(e.variant, e.variant))
    if row.source.history:
        row.details.extend(_changes(e, row.previous))
    row.object_url = row.source.object_url(e)


# what a history row's change says nothing about: the row's identity and bookkeeping
_NOT_SHOWN = {"id", "created_at", "updated_at", "updated_by", "criterion", "campaign", "parent"}
_LONGEST = 80


def _shown(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    text = str(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def _changes(record: Any, previous: Any) -> list[str]:
    """'field: old → new' for each tracked field a change touched (every non-empty one for a creation)."""
    if record.history_type == "-":
        return []
    lines = []
    for model_field in record.tracked_fields:
        if model_field.name in _NOT_SHOWN:
            continue
        new = getattr(record, model_field.attname)
        if previous is None:
            if new not in (None, ""):
                lines.append(f"{model_field.verbose_name}: {_shown(model_field, new)}")
            continue
        old = getattr(previous, model_field.attname)
        if old != new:
            lines.append(f"{model_field.verbose_name}: {_shown(model_field, old)} → {_shown(model_field, new)}")
    return lines


def _with_previous(source: Source, qs: Any) -> Any:
    """A history's rows with the id of the record before each (of the same object): one subquery, no extra
    round trip per row."""
    before = (
        source.model._default_manager.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return qs.annotate(previous_id=Subquery(before))


def hydrate(page_rows: Iterable[tuple[Any, ...]]) -> list[AuditRow]:
    """The rows of a page, read whole: one query per history on the page, one for the people, one for the offices."""
    page_rows = list(page_rows)
    wanted: dict[str, list[int]] = {}
    actor_ids, office_ids = set(), set()
    for source_key, pk, _at, actor_id, office_id, _object in page_rows:
        wanted.setdefault(source_key, []).append(pk)
        if actor_id:
            actor_ids.add(actor_id)
        if office_id:
            office_ids.add(office_id)
    events: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for source_key, pks in wanted.items():
        source = SOURCES[source_key]
        qs = source.model._default_manager.filter(pk__in=pks)
        if source.related:
            qs = qs.select_related(*source.related)
        found: Any
        for found in _with_previous(source, qs) if source.history else qs:
            events[(source_key, found.pk)] = found
        if source.history:  # the records before them, for what changed: one query for the page
            before = {e.previous_id for key, e in events.items() if key[0] == source_key and e.previous_id}
            for record in source.model._default_manager.filter(pk__in=before) if before else ():
                previous[(source_key, record.pk)] = record
    actors = User.objects.select_related("office").in_bulk(actor_ids) if actor_ids else {}
    offices = dict(Office.objects.filter(pk__in=office_ids).values_list("pk", "name")) if office_ids else {}
    rows = []
    for source_key, pk, at, actor_id, office_id, object_id in page_rows:
        event: Any = events.get((source_key, pk))
        if event is None:
            continue
        row = AuditRow(
            source=SOURCES[source_key],
            at=at,
            event=event,
            actor=actors.get(actor_id),
            office_id=office_id,
            object_id=object_id,
            ip=event.ip_address or "",
            office_name=offices.get(office_id, ""),
            previous=previous.get((source_key, getattr(event, "previous_id", None) or 0)),
        )
        _describe(row)
        rows.append(row)
    return rows


def person_choices() -> list[User]:
    return list(User.objects.select_related("office").order_by("office__ordering", "real_name", "username"))


def office_choices() -> list[Office]:
    return list(Office.objects.order_by("ordering", "name"))
