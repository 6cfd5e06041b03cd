"""Bringing an existing archive in (import_evidence, and the coordinator's ZIP import): every file of a folder or
ZIP (evidence/importing/sources.py) goes through the upload's intake — the same checks of its bytes
(intake.check_received: sniffing, refusals, size limits), the same duplicate check, the same stored file, row and
history entry (intake.register_rows), previews queued after the commit — under the standard its top folder names
(evidence/importing/folders.py).

All or nothing: files are checked and saved to the storage one by one, then every row is written in one
transaction; if anything fails before that transaction commits, every file this run saved is deleted again and
nothing is left (a killed process leaves stored files no row names, which clean_evidence_uploads removes). A file
refused, a duplicate or a file outside a standard's folder is reported and not taken; the others are.

Activities: the folder below a standard's folder names an activity. An activity of the campaign with that title
(and the folder's date, when it gives one) is linked, not changed; otherwise one is created for the importing
office, dated by the folder's name or else by the earliest camera date of its photos; with neither, its files are
filed without an activity (the report says so).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign, Criterion
from evidence import access

from .. import files, uploads
from ..browsing.activities import apply_activity_defaults
from ..importing import folders, report
from ..importing.sources import ArchiveRefused, ArchiveSource, Entry, EntryUnreadable, max_file_size, open_source
from ..models import Activity, EvidenceItem, StoredFile
from ..sniffing import Refused, Sniffed, human_size
from .intake import (
    EvidenceMeta,
    allocate_archive_numbers,
    check_received,
    find_duplicate,
    register_rows,
    save_received,
    stored_file_create,
)

if TYPE_CHECKING:
    from civunit.accounts.models import Office, User


class ImportFailed(Exception):
    """The run stopped and nothing was taken; str(self) is the message for the user."""


class Progress(Protocol):
    def stage(self, code: str, total: int = 0) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _NoProgress:
    def stage(self, code: str, total: int = 0) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass
class _Take:
    """A file that passed the intake, saved to the storage (not in a dry run), waiting for its rows; its temporary
    file is gone (only its size and hash are needed)."""

    entry: Entry
    line: report.Line
    received: uploads.ReceivedFile
    original_name: str
    sniffed: Sniffed
    standard: Criterion
    category: str
    activity_key: str | None
    stored_name: str = ""


@dataclass
class _ActivityPlan:
    folder: folders.ActivityFolder
    standards: list[Criterion] = field(default_factory=list)
    existing: Activity | None = None
    date: datetime.date | None = None
    activity: Activity | None = None


def import_archive(
    path: Path,
    *,
    user: User,
    office: Office,
    campaign: Campaign,
    dry_run: bool = False,
    label: str = "",
    progress: Progress | None = None,
    origin: dict[str, object] | None = None,
) -> report.ImportReport:
    """Import the folder or ZIP at `path`. Raises ArchiveRefused (a hostile or oversized archive: nothing read),
    ImportFailed (the run stopped: nothing taken) or PermissionDenied."""
    if not access.can_upload_evidence(user):
        raise PermissionDenied
    progress = progress or _NoProgress()
    progress.stage("check")
    with open_source(path, label=label) as source:
        return evidence_import(
            source=source,
            user=user,
            office=office,
            campaign=campaign,
            dry_run=dry_run,
            progress=progress,
            origin=origin,
        )


def evidence_import(
    *,
    source: ArchiveSource,
    user: User,
    office: Office,
    campaign: Campaign,
    dry_run: bool = False,
    progress: Progress | None = None,
    origin: dict[str, object] | None = None,
) -> report.ImportReport:
    progress = progress or _NoProgress()
    result = report.ImportReport(source=source.label, office=office.name, dry_run=dry_run, skipped=list(source.skipped))
    places = {entry.path: folders.placement(entry.parts) for entry in source.entries}
    standards = _standards(campaign, {p.code for p in places.values() if p.code})
    activities: dict[str, _ActivityPlan] = {}
    takes: list[_Take] = []
    seen: dict[str, str] = {}  # sha256 -> the path of the run's first file with these bytes
    try:
        progress.stage("read", total=len(source.entries))
        for entry in source.entries:
            take = _intake(entry, places[entry.path], standards, activities, seen, result, source, dry_run)
            if take is not None:
                takes.append(take)
            progress.advance()
        _plan_activities(campaign, activities, takes, result)
        if not dry_run:
            progress.stage("save", total=len(takes))
            _write(takes, activities, user=user, office=office, campaign=campaign, progress=progress, origin=origin)
    except BaseException as exc:
        files.delete_quietly([t.stored_name for t in takes])
        if isinstance(exc, IntegrityError):
            raise ImportFailed(
                _(
                    "A file of the archive was filed by someone else while it was being imported. Nothing was "
                    "imported; start the import again."
                )
            ) from exc
        raise
    return result


def _standards(campaign: Campaign, codes: set[str]) -> dict[str, Criterion]:
    return {c.code: c for c in Criterion.objects.filter(campaign=campaign, code__in=codes)}


def _intake(
    entry: Entry,
    place: folders.Placement,
    standards: dict[str, Criterion],
    activities: dict[str, _ActivityPlan],
    seen: dict[str, str],
    result: report.ImportReport,
    source: ArchiveSource,
    dry_run: bool,
) -> _Take | None:
    """One file through the upload's intake; reported, and returned when it is to be taken."""
    if place.code is None:
        reason = (
            _("Not in a folder named by a standard's code (e.g. “6.2.1 常态化志愿服务”).")
            if not place.top
            else _("The folder “%(folder)s” does not begin with a standard's code.") % {"folder": place.top}
        )
        result.add(report.NOT_FILED, entry.path, reason=reason)
        return None
    standard = standards.get(place.code)
    if standard is None:
        result.add(
            report.NOT_FILED,
            entry.path,
            standard=place.code,
            reason=_("There is no standard %(code)s in the current campaign.") % {"code": place.code},
        )
        return None
    if not standard.is_leaf:
        result.add(
            report.NOT_FILED,
            entry.path,
            standard=place.code,
            reason=_("%(code)s is an indicator, not a standard: file its material in its standards' folders.")
            % {"code": place.code},
        )
        return None
    activity_title = folders.activity_folder(place.activity).title if place.activity else ""
    line_fields = {"standard": standard.code, "activity": activity_title}
    if entry.refusal:
        result.add(report.REFUSED, entry.path, reason=entry.refusal, **line_fields)
        return None
    if entry.size > max_file_size():
        result.add(
            report.REFUSED,
            entry.path,
            reason=_("The file is too large: at most %(limit)s.") % {"limit": human_size(max_file_size())},
            **line_fields,
        )
        return None
    try:
        received = source.receive(entry)
    except EntryUnreadable as exc:
        result.add(report.REFUSED, entry.path, reason=str(exc), **line_fields)
        return None
    try:
        try:
            original_name, sniffed = check_received(received)
        except Refused as exc:
            result.add(report.REFUSED, entry.path, reason=str(exc), **line_fields)
            return None
        if (first := seen.get(received.sha256)) is not None:
            result.add(
                report.DUPLICATE,
                entry.path,
                reason=_("The same file as “%(path)s” of this import.") % {"path": first},
                **line_fields,
            )
            return None
        seen[received.sha256] = entry.path
        if (duplicate := find_duplicate(received.sha256)) is not None:
            result.add(report.DUPLICATE, entry.path, reason=_duplicate_reason(duplicate.items), **line_fields)
            return None
        line = result.add(report.TAKEN, entry.path, title=_title(original_name), **line_fields)
        take = _Take(
            entry=entry,
            line=line,
            received=received,
            original_name=original_name,
            sniffed=sniffed,
            standard=standard,
            category=place.category or "",
            activity_key=place.activity,
        )
        if place.activity:
            plan = activities.setdefault(place.activity, _ActivityPlan(folder=folders.activity_folder(place.activity)))
            if standard not in plan.standards:
                plan.standards.append(standard)
        if not dry_run:
            take.stored_name = save_received(received, sniffed)
        return take
    finally:
        # Renamed into place by the file system storage, copied by the others: not needed past this point.
        uploads.remove_quietly(received.temp_path)


def _title(original_name: str) -> str:
    stem, dot, _ext = original_name.rpartition(".")
    return (stem if dot and stem else original_name)[:200]


def _duplicate_reason(items: list[EvidenceItem]) -> str:
    alive = [i for i in items if not i.is_deleted]
    if alive:
        item = alive[0]
        return _("Already in the archive as “%(title)s” (%(number)s, %(office)s).") % {
            "title": item.title,
            "number": item.archive_number or _("no archive number"),
            "office": item.office.name,
        }
    if items:
        return _("Already in the archive, in the recycle bin as “%(title)s”.") % {"title": items[0].title}
    return _("Already in the archive.")


def _plan_activities(
    campaign: Campaign, activities: dict[str, _ActivityPlan], takes: list[_Take], result: report.ImportReport
) -> None:
    """Match each activity folder to an activity of the campaign, or date the one to create."""
    if not activities:
        return
    titles = {plan.folder.title for plan in activities.values()} | set(activities)
    existing: dict[str, list[Activity]] = {}
    for activity in Activity.objects.filter(campaign=campaign, title__in=titles).order_by("-date", "-pk"):
        existing.setdefault(activity.title, []).append(activity)
    for key, plan in activities.items():
        candidates = existing.get(plan.folder.title) or existing.get(key) or []
        if plan.folder.date is not None:
            candidates = [a for a in candidates if a.date == plan.folder.date]
        if candidates:
            plan.existing = candidates[0]
            result.activities_linked.append(plan.existing.title)
            continue
        plan.date = plan.folder.date or _earliest_photo_date(t for t in takes if t.activity_key == key)
        if plan.date is None:
            for take in takes:
                if take.activity_key == key:
                    take.line.activity = ""
                    take.line.reason = _(
                        "Filed without an activity: the folder “%(folder)s” gives no date and its photos none."
                    ) % {"folder": key}
            continue
        result.activities_created.append(f"{plan.folder.title}（{plan.date:%Y-%m-%d}）")


def _earliest_photo_date(takes: Iterable[_Take]) -> datetime.date | None:
    dates = [timezone.localtime(t.sniffed.taken_at).date() for t in takes if t.sniffed.taken_at is not None]
    return min(dates) if dates else None


def _write(
    takes: list[_Take],
    activities: dict[str, _ActivityPlan],
    *,
    user: User,
    office: Office,
    campaign: Campaign,
    progress: Progress,
    origin: dict[str, object] | None,
) -> None:
    """Every row of the run in one transaction (durable: when it ends without error, it committed)."""
    with transaction.atomic(durable=True):
        for plan in activities.values():
            if plan.existing is not None:
                plan.activity = plan.existing
            elif plan.date is not None:
                plan.activity = Activity.objects.create(
                    campaign=campaign,
                    title=plan.folder.title,
                    date=plan.date,
                    organiser_office=office,
                    created_by=user,
                )
                plan.activity.standards.set(plan.standards)
        numbers: dict[int, list[str]] = {}
        for standard in {t.standard.pk: t.standard for t in takes}.values():
            count = sum(1 for t in takes if t.standard.pk == standard.pk)
            numbers[standard.pk] = allocate_archive_numbers(standard, count)[::-1]
        for take in takes:
            stored: StoredFile = stored_file_create(name=take.stored_name, received=take.received, sniffed=take.sniffed)
            activity = activities[take.activity_key].activity if take.activity_key else None
            defaults = apply_activity_defaults(
                {"taken_on": None if stored.taken_at is None else timezone.localtime(stored.taken_at).date()},
                activity,
            )
            meta = EvidenceMeta(
                category=take.category,
                caption=defaults.get("caption", ""),
                taken_on=defaults.get("taken_on"),
                place=defaults.get("place", ""),
                people=defaults.get("people", ""),
                standards=[take.standard],
                activity=activity,
            )
            item = register_rows(
                user=user,
                office=office,
                campaign=campaign,
                stored=stored,
                original_name=take.original_name,
                kind=take.sniffed.kind,
                meta=meta,
                archive_number=numbers[take.standard.pk].pop(),
                details={"import": {**(origin or {}), "path": take.entry.path}},
            )
            take.line.item_id = item.pk
            take.line.archive_number = item.archive_number
            take.line.title = item.title
            progress.advance()


__all__ = ["ArchiveRefused", "ImportFailed", "evidence_import", "import_archive", "register_rows"]
