"""One audit trail over the histories the apps keep: task events, evidence events (downloads included), account
changes, campaign events and bulletin events, newest first.

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
from django.db.models import CharField, F, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaign.models import CampaignEvent
from civunit.accounts.models import AccountEvent, Office, User
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

    def object_url(self, event: Any) -> str:
        try:
            if self.key == "task" and event.task_id:
                return reverse("tasks:detail", args=[event.task_id])
            if self.key == "evidence" and event.item_id:
                return reverse("evidence:detail", args=[event.item_id])
            if self.key == "bulletin" and event.bulletin_id:
                return reverse("reports:bulletin", args=[event.bulletin_id])
        except NoReverseMatch:
            return ""
        return ""


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
    qs = source.model._default_manager.all()
    if f.person is not None:
        qs = qs.filter(actor_id=f.person)
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
            e_actor=F("actor_id"),
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

    @property
    def action(self) -> str:
        return str(self.event.get_action_display())


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
    row.object_url = row.source.object_url(e)


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
    for source_key, pks in wanted.items():
        source = SOURCES[source_key]
        found: Any
        for found in source.model._default_manager.filter(pk__in=pks).select_related(*source.related):
            events[(source_key, found.pk)] = found
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
        )
        _describe(row)
        rows.append(row)
    return rows


def person_choices() -> list[User]:
    return list(User.objects.select_related("office").order_by("office__ordering", "real_name", "username"))


def office_choices() -> list[Office]:
    return list(Office.objects.order_by("ordering", "name"))
