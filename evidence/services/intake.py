"""Intake: an uploaded file or a web link registered as an evidence item, an existing item linked instead of a
duplicate, archive numbers. Each write is one transaction with its history entry; a file is saved to the storage
just before its transaction (not inside it: a large object going to a bucket must not hold the database's write
lock) and deleted again if the transaction does not commit (evidence/files.py); previews are queued after commit."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign, Criterion, EvidenceCategory
from evidence import access
from tasks.models import Task

from .. import files, uploads
from ..models import Activity, ArchiveSequence, EvidenceEvent, EvidenceItem, EvidenceKind, EvidenceStandard, StoredFile
from ..sniffing import Refused, Sniffed, check_size, clean_filename, sniff

DEFAULT_CATEGORY: dict[str, str] = {
    EvidenceKind.PHOTO: EvidenceCategory.PHOTO,
    EvidenceKind.AUDIO: EvidenceCategory.AUDIO_VIDEO,
    EvidenceKind.VIDEO: EvidenceCategory.AUDIO_VIDEO,
    EvidenceKind.SPREADSHEET: EvidenceCategory.TABLE,
    EvidenceKind.LINK: EvidenceCategory.MEDIA_REPORT,
}


@dataclass
class EvidenceMeta:
    """What the uploader says about the file (validated by the form)."""

    title: str = ""
    category: str = ""
    caption: str = ""
    description: str = ""
    taken_on: datetime.date | None = None
    place: str = ""
    people: str = ""
    standards: Sequence[Criterion] = field(default_factory=list)  # the first is the primary standard
    tasks: Sequence[Task] = field(default_factory=list)
    activity: Activity | None = None


class DuplicateFound(Exception):
    """The same bytes are already in the archive; `items` are the current items that hold them."""

    def __init__(self, stored_file: StoredFile, items: list[EvidenceItem]):
        super().__init__(_("This file is already in the archive."))
        self.stored_file = stored_file
        self.items = items


def find_duplicate(sha256: str) -> DuplicateFound | None:
    """The archive's copy of these bytes (with the current items that hold them), or None."""
    stored = StoredFile.objects.filter(sha256=sha256).first()
    if stored is None:
        return None
    items = list(
        EvidenceItem.objects.filter(stored_file=stored, is_current=True)
        .select_related("office", "uploader")
        .order_by("pk")
    )
    return DuplicateFound(stored, items)


def _stem(name: str) -> str:
    stem, dot, _ext = name.rpartition(".")
    return (stem if dot and stem else name)[:200]


def allocate_archive_number(criterion: Criterion) -> str:
    """The next number under a standard, e.g. 6.2.1-007. Must run inside the registering transaction: the
    UPDATE locks the sequence row until commit, so concurrent registrations take turns."""
    return allocate_archive_numbers(criterion, 1)[0]


def allocate_archive_numbers(criterion: Criterion, count: int) -> list[str]:
    """The next `count` numbers under a standard in one UPDATE (an import files many items at once); inside the
    registering transaction, as allocate_archive_number."""
    if count <= 0:
        return []
    try:
        with transaction.atomic():
            ArchiveSequence.objects.get_or_create(criterion=criterion)
    except IntegrityError:
        pass  # created concurrently: it exists now
    ArchiveSequence.objects.filter(pk=criterion.pk).update(last_number=F("last_number") + count)
    last = ArchiveSequence.objects.values_list("last_number", flat=True).get(pk=criterion.pk)
    return [f"{criterion.code}-{number:03d}" for number in range(last - count + 1, last + 1)]


def _link(item: EvidenceItem, meta: EvidenceMeta) -> None:
    EvidenceStandard.objects.bulk_create(
        EvidenceStandard(item=item, criterion=criterion, position=i) for i, criterion in enumerate(meta.standards)
    )
    if meta.tasks:
        item.tasks.set(meta.tasks)


def _links_made(meta: EvidenceMeta) -> dict:
    """The links an upload made, for its history entry (who made them is the entry's actor)."""
    return {"standards": [c.code for c in meta.standards], "task_codes": [t.code for t in meta.tasks]}


def _queue_previews(stored_file_id: int) -> None:
    from ..jobs import make_previews

    transaction.on_commit(lambda: make_previews.enqueue(stored_file_id))


def stored_file_create(*, name: str, received: uploads.ReceivedFile, sniffed) -> StoredFile:
    """Inside the caller's transaction: the StoredFile row of a checked upload already saved to the storage
    under `name`, and its previews queued for after the commit. The caller deletes the stored file if its
    transaction does not commit."""
    stored = StoredFile.objects.create(
        sha256=received.sha256,
        size=received.size,
        kind=sniffed.kind,
        format=sniffed.format,
        content_type=sniffed.content_type,
        file=name,
        width=sniffed.width,
        height=sniffed.height,
        taken_at=sniffed.taken_at,
        preview_status=StoredFile.PreviewStatus.PENDING,
    )
    _queue_previews(stored.pk)
    return stored


def check_received(received: uploads.ReceivedFile) -> tuple[str, Sniffed]:
    """Every upload's checks of its bytes: the cleaned file name (with the extension of what the file is) and what
    sniffing found. Raises Refused with the user's message (not accepted, too large)."""
    original_name = clean_filename(received.name)
    sniffed: Sniffed = sniff(received.temp_path, original_name=original_name)
    check_size(sniffed, received.size)
    if not original_name.lower().endswith("." + sniffed.extension):
        original_name = f"{original_name}.{sniffed.extension}"
    return original_name, sniffed


def save_received(received: uploads.ReceivedFile, sniffed: Sniffed) -> str:
    """Save a checked upload to the storage under a generated name, before the transaction that records it; the
    caller deletes it (files.delete_quietly) if that transaction does not commit."""
    return files.save_local_file(received.temp_path, files.evidence_file_name(sniffed.extension))


def register_rows(
    *,
    user,
    office,
    campaign: Campaign,
    stored: StoredFile,
    original_name: str,
    kind: str,
    meta: EvidenceMeta,
    archive_number: str | None = None,
    details: dict | None = None,
) -> EvidenceItem:
    """Inside the caller's transaction: the item of a stored file with its links and its history entry.
    `archive_number` None allocates the next one under the primary standard."""
    taken_on = meta.taken_on
    if taken_on is None and stored.taken_at is not None:
        taken_on = timezone.localtime(stored.taken_at).date()
    primary = meta.standards[0] if meta.standards else None
    if archive_number is None:
        archive_number = allocate_archive_number(primary) if primary else ""
    item = EvidenceItem.objects.create(
        campaign=campaign,
        stored_file=stored,
        original_name=original_name,
        kind=kind,
        category=meta.category or DEFAULT_CATEGORY.get(kind, EvidenceCategory.OTHER),
        title=meta.title or _stem(original_name),
        caption=meta.caption,
        description=meta.description,
        taken_on=taken_on,
        place=meta.place,
        people=meta.people,
        office=office,
        uploader=user,
        activity=meta.activity,
        primary_standard=primary,
        archive_number=archive_number,
    )
    _link(item, meta)
    EvidenceEvent.objects.create(
        lineage=item.lineage,
        item=item,
        actor=user,
        action=EvidenceEvent.Action.UPLOADED,
        details={
            "file": original_name,
            "sha256": stored.sha256,
            "size": stored.size,
            **_links_made(meta),
            **(details or {}),
        },
    )
    return item


def evidence_register(*, user, campaign: Campaign, received: uploads.ReceivedFile, meta: EvidenceMeta) -> EvidenceItem:
    """Register an uploaded file as a new evidence item.

    Raises Refused (not accepted, with the user's message) or DuplicateFound. The temporary file is the
    caller's to discard; the stored copy is deleted here whenever the rows are not committed.
    """
    if user.office_id is None:
        raise Refused(_("Your account belongs to no office; ask an administrator to set your office."))
    original_name, sniffed = check_received(received)
    if duplicate := find_duplicate(received.sha256):
        raise duplicate

    name = ""
    try:
        name = save_received(received, sniffed)
        # Durable: the outermost transaction, so that "the block ended without error" means "committed" and
        # the saved file is deleted whenever the rows are not there.
        with transaction.atomic(durable=True):
            stored = stored_file_create(name=name, received=received, sniffed=sniffed)
            item = register_rows(
                user=user,
                office=user.office,
                campaign=campaign,
                stored=stored,
                original_name=original_name,
                kind=sniffed.kind,
                meta=meta,
            )
    except IntegrityError as exc:
        files.delete_quietly([name])
        if duplicate := find_duplicate(received.sha256):
            raise duplicate from exc  # the same file arrived twice at the same moment
        raise
    except BaseException:
        files.delete_quietly([name])
        raise
    return item


def evidence_register_link(*, user, campaign: Campaign, url: str, meta: EvidenceMeta) -> EvidenceItem:
    """Register a media report that lives on the web (a URL instead of a file)."""
    if user.office_id is None:
        raise Refused(_("Your account belongs to no office; ask an administrator to set your office."))
    if not url.lower().startswith(("http://", "https://")):
        raise Refused(_("Only http and https links are accepted."))
    with transaction.atomic():
        primary = meta.standards[0] if meta.standards else None
        item = EvidenceItem.objects.create(
            campaign=campaign,
            url=url,
            kind=EvidenceKind.LINK,
            category=meta.category or EvidenceCategory.MEDIA_REPORT,
            title=meta.title or url[:200],
            caption=meta.caption,
            description=meta.description,
            taken_on=meta.taken_on,
            place=meta.place,
            people=meta.people,
            office=user.office,
            uploader=user,
            activity=meta.activity,
            primary_standard=primary,
            archive_number=allocate_archive_number(primary) if primary else "",
        )
        _link(item, meta)
        EvidenceEvent.objects.create(
            lineage=item.lineage,
            item=item,
            actor=user,
            action=EvidenceEvent.Action.UPLOADED,
            details={"url": url, **_links_made(meta)},
        )
    return item


def _add_links(version: EvidenceItem, standards: Sequence[Criterion], tasks: Sequence) -> tuple[list, list]:
    """Add to one version the standards and tasks it lacks; returns what was added."""
    have = set(version.standard_links.values_list("criterion_id", flat=True))
    position = version.standard_links.count()
    added_standards = [c for c in dict.fromkeys(standards) if c.pk not in have]
    EvidenceStandard.objects.bulk_create(
        EvidenceStandard(item=version, criterion=c, position=position + i) for i, c in enumerate(added_standards)
    )
    have_tasks = set(version.tasks.values_list("pk", flat=True))
    added_tasks = [t for t in dict.fromkeys(tasks) if t.pk not in have_tasks]
    version.tasks.add(*added_tasks)
    return added_standards, added_tasks


@transaction.atomic
def evidence_link(*, user, item: EvidenceItem, standards: Sequence[Criterion], tasks: Sequence) -> bool:
    """Add standards and tasks to an existing item (used when an upload turns out to be a duplicate).

    A task's offices read the evidence linked to it, so linking widens who reads the item: it takes the right to
    change the item (evidence.access.can_change_evidence). The links go to the current version and to any newer
    version awaiting review, so that they survive its acceptance. Returns whether anything was added; what was
    added is recorded in the item's history with who added it."""
    if not access.can_change_evidence(user, item):
        raise PermissionDenied
    added_standards, added_tasks = _add_links(item, standards, tasks)
    if not (added_standards or added_tasks):
        return False
    newer = EvidenceItem.objects.filter(lineage=item.lineage, version__gt=item.version).order_by("version")
    for version in [item, *newer]:
        if version is not item:
            _add_links(version, added_standards, added_tasks)
        if version.primary_standard_id is None and added_standards:
            # the first standard gives the archive number; a newer version carries the same number
            version.primary_standard = added_standards[0]
            version.archive_number = item.archive_number or allocate_archive_number(added_standards[0])
            version.save(update_fields=["primary_standard", "archive_number", "updated_at"])
    EvidenceEvent.objects.create(
        lineage=item.lineage,
        item=item,
        actor=user,
        action=EvidenceEvent.Action.LINKED,
        details={
            "standards": [c.code for c in added_standards],
            "tasks": [t.pk for t in added_tasks],
            "task_codes": [t.code for t in added_tasks],
        },
    )
    return True


def refused_message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, Refused) else _("The file could not be stored. Please try again.")
