"""Writes of the evidence archive. Each is one transaction with its history entry; files are moved into place
inside the transaction and removed again if it does not commit; previews are queued after commit."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign, Criterion, EvidenceCategory

from . import uploads
from .models import Activity, ArchiveSequence, EvidenceEvent, EvidenceItem, EvidenceKind, EvidenceStandard, StoredFile
from .sniffing import Refused, Sniffed, check_size, clean_filename, sniff

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
    tasks: Sequence = field(default_factory=list)
    activity: Activity | None = None


class DuplicateFound(Exception):
    """The same bytes are already in the archive; `items` are the current items that hold them."""

    def __init__(self, stored_file: StoredFile, items: list[EvidenceItem]):
        super().__init__(_("This file is already in the archive."))
        self.stored_file = stored_file
        self.items = items


def _duplicate(sha256: str) -> DuplicateFound | None:
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
    try:
        with transaction.atomic():
            ArchiveSequence.objects.get_or_create(criterion=criterion)
    except IntegrityError:
        pass  # created concurrently: it exists now
    ArchiveSequence.objects.filter(pk=criterion.pk).update(last_number=F("last_number") + 1)
    number = ArchiveSequence.objects.values_list("last_number", flat=True).get(pk=criterion.pk)
    return f"{criterion.code}-{number:03d}"


def _link(item: EvidenceItem, meta: EvidenceMeta) -> None:
    EvidenceStandard.objects.bulk_create(
        EvidenceStandard(item=item, criterion=criterion, position=i) for i, criterion in enumerate(meta.standards)
    )
    if meta.tasks:
        item.tasks.set(meta.tasks)


def _queue_previews(stored_file_id: int) -> None:
    from .jobs import make_previews

    transaction.on_commit(lambda: make_previews.enqueue(stored_file_id))


def stored_file_create(*, received: uploads.ReceivedFile, sniffed) -> tuple[StoredFile, Path]:
    """Inside the caller's transaction: the StoredFile row of a checked upload, the file moved into place under
    a generated name, and its previews queued for after the commit. Returns the row and the final path, which
    the caller removes if its transaction fails."""
    storage_name = f"evidence/files/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{sniffed.extension}"
    stored = StoredFile.objects.create(
        sha256=received.sha256,
        size=received.size,
        kind=sniffed.kind,
        format=sniffed.format,
        content_type=sniffed.content_type,
        file=storage_name,
        width=sniffed.width,
        height=sniffed.height,
        taken_at=sniffed.taken_at,
        preview_status=StoredFile.PreviewStatus.PENDING,
    )
    final = uploads.move_into_place(received.path, storage_name)
    _queue_previews(stored.pk)
    return stored, final


def evidence_register(*, user, campaign: Campaign, received: uploads.ReceivedFile, meta: EvidenceMeta) -> EvidenceItem:
    """Register an uploaded file as a new evidence item.

    Raises Refused (not accepted, with the user's message) or DuplicateFound. The temporary file is the
    caller's to discard if anything goes wrong before it is moved; once moved, a failure removes it here.
    """
    if user.office_id is None:
        raise Refused(_("Your account belongs to no office; ask an administrator to set your office."))
    original_name = clean_filename(received.name)
    sniffed: Sniffed = sniff(received.path, original_name=original_name)
    check_size(sniffed, received.size)
    if duplicate := _duplicate(received.sha256):
        raise duplicate
    if not original_name.lower().endswith("." + sniffed.extension):
        original_name = f"{original_name}.{sniffed.extension}"

    final: Path | None = None
    try:
        # Durable: the outermost transaction, so that "the block ended without error" means "committed" and
        # the file moved into place is removed whenever the rows are not there.
        with transaction.atomic(durable=True):
            stored, final = stored_file_create(received=received, sniffed=sniffed)
            taken_on = meta.taken_on
            if taken_on is None and sniffed.taken_at is not None:
                taken_on = timezone.localtime(sniffed.taken_at).date()
            primary = meta.standards[0] if meta.standards else None
            item = EvidenceItem.objects.create(
                campaign=campaign,
                stored_file=stored,
                original_name=original_name,
                kind=sniffed.kind,
                category=meta.category or DEFAULT_CATEGORY.get(sniffed.kind, EvidenceCategory.OTHER),
                title=meta.title or _stem(original_name),
                caption=meta.caption,
                description=meta.description,
                taken_on=taken_on,
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
                details={"file": original_name, "sha256": received.sha256, "size": received.size},
            )
    except IntegrityError as exc:
        uploads.remove_quietly(final)
        if duplicate := _duplicate(received.sha256):
            raise duplicate from exc  # the same file arrived twice at the same moment
        raise
    except BaseException:
        uploads.remove_quietly(final)
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
            lineage=item.lineage, item=item, actor=user, action=EvidenceEvent.Action.UPLOADED, details={"url": url}
        )
    return item


@transaction.atomic
def evidence_link(*, user, item: EvidenceItem, standards: Sequence[Criterion], tasks: Sequence) -> EvidenceItem:
    """Add standards and tasks to an existing item (used when an upload turns out to be a duplicate)."""
    have = set(item.standard_links.values_list("criterion_id", flat=True))
    position = item.standard_links.count()
    added_standards = []
    for criterion in standards:
        if criterion.pk in have:
            continue
        EvidenceStandard.objects.create(item=item, criterion=criterion, position=position)
        position += 1
        added_standards.append(criterion.code)
        have.add(criterion.pk)
    if item.primary_standard_id is None and added_standards:
        first = next(c for c in standards if c.code == added_standards[0])
        item.primary_standard = first
        item.archive_number = allocate_archive_number(first)
        item.save(update_fields=["primary_standard", "archive_number", "updated_at"])
    existing_tasks = set(item.tasks.values_list("pk", flat=True))
    new_tasks = [t for t in tasks if t.pk not in existing_tasks]
    item.tasks.add(*new_tasks)
    if added_standards or new_tasks:
        EvidenceEvent.objects.create(
            lineage=item.lineage,
            item=item,
            actor=user,
            action=EvidenceEvent.Action.LINKED,
            details={"standards": added_standards, "tasks": [t.pk for t in new_tasks]},
        )
    return item


def refused_message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, Refused) else _("The file could not be stored. Please try again.")
