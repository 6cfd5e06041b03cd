"""Changes after upload: edits of an item's caption fields and links, new versions, new files.

An item is the chain of versions sharing a lineage. Only the LATEST version is reviewed or changed. A change to an
accepted or returned version makes a new version in 待审核; while the item's current version is an accepted one,
the new version waits beside it (`is_current=False`) and takes its place only when accepted. A change to a version
still awaiting review edits it in place (a new file always makes a new version, so every file ever accepted or
returned stays viewable). Each function is one transaction with its history entry (EvidenceEvent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civunit.notifications.models import Notification
from civunit.notifications.services import notify
from evidence import access

from .. import files, uploads
from ..models import EvidenceEvent, EvidenceItem, EvidenceStandard, StoredFile
from ..sniffing import Refused
from ._common import ReviewError, _event, versions_url
from .intake import allocate_archive_number, check_received, save_received, stored_file_create

# Fields a person may change on an item; anything else is the system's.
EDITABLE_FIELDS = ("title", "category", "caption", "description", "taken_on", "place", "people", "activity")


def is_latest(item: EvidenceItem) -> bool:
    return not EvidenceItem.objects.filter(lineage=item.lineage, version__gt=item.version).exists()


def latest_version(item: EvidenceItem) -> EvidenceItem:
    return (
        EvidenceItem.objects.select_related("campaign", "office", "uploader", "stored_file")
        .filter(lineage=item.lineage)
        .latest("version")
    )


def _check_change(*, user, item: EvidenceItem) -> None:
    if not access.can_change_evidence(user, item):
        raise PermissionDenied
    if item.is_deleted:
        raise ReviewError(_("“%(title)s” is in the recycle bin.") % {"title": item.title})
    if not is_latest(item):
        raise ReviewError(_("“%(title)s” has a newer version; change that one.") % {"title": item.title})


def _changed_fields(item: EvidenceItem, changes: dict) -> list[str]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    return [name for name, value in changes.items() if getattr(item, name) != value]


def _shown(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)[:200]


def _old_and_new(item: EvidenceItem, changes: dict, fields: list[str]) -> dict[str, list[str]]:
    """What changed, for the history: {field: [before, after]} (text shortened, dates as ISO, objects by name)."""
    return {name: [_shown(getattr(item, name)), _shown(changes[name])] for name in fields}


def _links_differ(item: EvidenceItem, standards, tasks) -> tuple[bool, bool]:
    std_changed = standards is not None and [c.pk for c in standards] != list(
        item.standard_links.order_by("position").values_list("criterion_id", flat=True)
    )
    task_changed = tasks is not None and {t.pk for t in tasks} != set(item.tasks.values_list("pk", flat=True))
    return std_changed, task_changed


def _codes(objects) -> str:
    return "、".join(o.code for o in objects)


def _link_values(item: EvidenceItem, standards, tasks, *, std_changed: bool, task_changed: bool) -> dict:
    """The links before and after a change, for the history (who changed them is the entry's actor)."""
    values = {}
    if std_changed:
        before = [link.criterion for link in item.standard_links.order_by("position").select_related("criterion")]
        values["standards"] = [_codes(before), _codes(standards)]
    if task_changed:
        values["tasks"] = [_codes(item.tasks.order_by("code_key", "pk")), _codes(tasks)]
    return values


def _set_links(item: EvidenceItem, standards, tasks) -> None:
    if standards is not None:
        item.standard_links.all().delete()
        EvidenceStandard.objects.bulk_create(
            EvidenceStandard(item=item, criterion=c, position=i) for i, c in enumerate(standards)
        )
        item.primary_standard = standards[0] if standards else None
    if tasks is not None:
        item.tasks.set(tasks)


def _archive_number_for(item: EvidenceItem) -> str:
    if item.archive_number or item.primary_standard is None:
        return item.archive_number
    return allocate_archive_number(item.primary_standard)


@transaction.atomic
def evidence_edit(
    *, user, item: EvidenceItem, changes: dict, standards: Sequence | None = None, tasks: Iterable | None = None
) -> EvidenceItem:
    """Change an item's caption fields and links. A version awaiting review is edited in place; an accepted or
    returned one is locked, so the change makes a new version (see evidence_new_version). Returns the version
    that carries the change (the same one when nothing changed)."""
    _check_change(user=user, item=item)
    tasks = list(tasks) if tasks is not None else None
    fields = _changed_fields(item, changes)
    std_changed, task_changed = _links_differ(item, standards, tasks)
    if not fields and not std_changed and not task_changed:
        return item
    if item.status != EvidenceItem.Status.PENDING:
        return evidence_new_version(user=user, item=item, changes=changes, standards=standards, tasks=tasks)
    values = _old_and_new(item, changes, fields)
    values |= _link_values(item, standards, tasks, std_changed=std_changed, task_changed=task_changed)
    for name in fields:
        setattr(item, name, changes[name])
    _set_links(item, standards if std_changed else None, tasks if task_changed else None)
    item.archive_number = _archive_number_for(item)
    item.save()
    changed = fields + (["standards"] if std_changed else []) + (["tasks"] if task_changed else [])
    _event(
        item=item,
        lineage=item.lineage,
        user=user,
        action=EvidenceEvent.Action.UPDATED,
        changed=changed,
        values=values,
    )
    return item


@transaction.atomic
def evidence_new_version(
    *,
    user,
    item: EvidenceItem,
    changes: dict | None = None,
    standards: Sequence | None = None,
    tasks: Iterable | None = None,
    stored_file: StoredFile | None = None,
    original_name: str = "",
    url: str = "",
) -> EvidenceItem:
    """A new version of the item in 待审核, copied from `item` (its latest version) with the changes applied.

    While the item's current version is accepted, the new one waits beside it (not current) until accepted;
    otherwise (the current version is pending or returned) it becomes the current version at once.
    """
    _check_change(user=user, item=item)
    changes = changes or {}
    fields = _changed_fields(item, changes)
    values = _old_and_new(item, changes, fields)
    old_standards = list(item.standard_links.order_by("position").select_related("criterion"))
    old_tasks = list(item.tasks.all())
    current = EvidenceItem.objects.filter(lineage=item.lineage, is_current=True).only("pk", "status").first()
    waits = current is not None and current.status == EvidenceItem.Status.ACCEPTED

    new = EvidenceItem(
        campaign_id=item.campaign_id,
        lineage=item.lineage,
        version=item.version + 1,
        previous=item,
        is_current=not waits,
        stored_file=item.stored_file,
        url=item.url,
        original_name=item.original_name,
        kind=item.kind,
        category=item.category,
        title=item.title,
        caption=item.caption,
        description=item.description,
        taken_on=item.taken_on,
        place=item.place,
        people=item.people,
        office_id=item.office_id,
        uploader_id=item.uploader_id,
        activity_id=item.activity_id,
        primary_standard_id=item.primary_standard_id,
        archive_number=item.archive_number,
        status=EvidenceItem.Status.PENDING,
    )
    for name, value in changes.items():
        setattr(new, name, value)
    if stored_file is not None:
        new.stored_file, new.kind, new.url = stored_file, stored_file.kind, ""
        new.original_name = original_name or new.original_name
        fields.append("file")
    elif url:
        new.url, new.stored_file, new.original_name = url, None, ""
        fields.append("link")
    try:
        # A savepoint: of two people making a version from the same one at once, the second meets the unique
        # (lineage, version) constraint and is told so, instead of an error page.
        with transaction.atomic():
            if not waits and current is not None:
                EvidenceItem.objects.filter(pk=current.pk).update(is_current=False)
            new.save()
    except IntegrityError as exc:
        raise ReviewError(
            _("Someone else changed “%(title)s” in the meantime. Reload the page and try again.")
            % {"title": item.title}
        ) from exc
    _set_links(new, standards if standards is not None else [link.criterion for link in old_standards], None)
    new.tasks.set(list(tasks) if tasks is not None else old_tasks)
    new.archive_number = _archive_number_for(new)
    new.save(update_fields=["primary_standard", "archive_number", "updated_at"])
    if standards is not None and [c.pk for c in standards] != [link.criterion_id for link in old_standards]:
        fields.append("standards")
        values["standards"] = [_codes(link.criterion for link in old_standards), _codes(standards)]
    new_tasks = list(new.tasks.order_by("code_key", "pk"))
    if tasks is not None and {t.pk for t in new_tasks} != {t.pk for t in old_tasks}:
        fields.append("tasks")
        values["tasks"] = [_codes(sorted(old_tasks, key=lambda t: (t.code_key, t.pk))), _codes(new_tasks)]
    _event(
        item=new,
        lineage=new.lineage,
        user=user,
        action=EvidenceEvent.Action.NEW_VERSION,
        version=new.version,
        changed=fields,
        values=values,
        file=new.original_name if stored_file is not None else "",
    )
    _tell_reviewer(user=user, version=new)
    if stored_file is not None and stored_file.preview_status == StoredFile.PreviewStatus.PENDING:
        from ..jobs import make_previews

        pk = stored_file.pk
        transaction.on_commit(lambda: make_previews.enqueue(pk))
    return new


def _tell_reviewer(*, user, version: EvidenceItem) -> None:
    """The head of the item's office hears that a new version awaits review (not when they made it)."""
    head = version.office.head if version.office_id else None
    if head is None:
        return
    notify(
        recipient=head,
        kind=Notification.Kind.AWAITING_REVIEW,
        obj=version,
        text=_("Version %(n)d of “%(title)s” awaits your review.") % {"n": version.version, "title": version.title},
        actor=user,
        url=versions_url(version),
    )


def evidence_replace_file(
    *, user, item: EvidenceItem, received: uploads.ReceivedFile, changes: dict | None = None
) -> EvidenceItem:
    """A new version with a new file (a photo re-taken after a return, a corrected document).

    The file is checked like any upload (sniffed, size-limited). The same bytes already in the archive are
    shared, not stored twice. Raises Refused with the user's message."""
    _check_change(user=user, item=item)
    original_name, sniffed = check_received(received)
    existing = StoredFile.objects.filter(sha256=received.sha256).first()
    if existing is not None and existing.pk == item.stored_file_id:
        raise Refused(_("This is the same file as the present version."))
    name = ""
    try:
        if existing is None:
            # Saved before the transaction, deleted if it does not commit (see services.evidence_register).
            name = save_received(received, sniffed)
        with transaction.atomic():
            if existing is None:
                existing = stored_file_create(name=name, received=received, sniffed=sniffed)
            return evidence_new_version(
                user=user, item=item, changes=changes, stored_file=existing, original_name=original_name
            )
    except BaseException:
        files.delete_quietly([name])
        raise
