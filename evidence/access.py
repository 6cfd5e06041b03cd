"""The access rules of evidence and activities, and get-or-404 helpers: evidence a person may not read answers
404 exactly like missing evidence. The role predicates these rules build on live in the core (civunit.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from campaign.access import require_open
from civunit import access
from tasks.models import Task

from .models import Activity, ArchiveCheck, EvidenceItem

if TYPE_CHECKING:
    from civunit.accounts.models import User


# --- Who reads evidence -----------------------------------------------------------------------------------
# Evidence is read by: the office it belongs to (the uploader's office at upload time) and that office's
# head, the uploader, the lead and supporting offices of any task it is linked to, the coordinator,
# leadership and administrators. Every evidence page, list, count of items, download and search goes through
# evidence_visible_to() (a queryset filter) or can_read_evidence() (one object); organ-wide counts per
# standard are plan-level figures and do not reveal the items.


def _own_office_ids(user: User) -> set[int]:
    """The user's own office and every office they head."""
    ids = set(user.headed_office_ids)
    if user.office_id:
        ids.add(user.office_id)
    return ids


def evidence_visible_to(user: User, queryset=None):
    """The evidence rows `user` may read (every version; callers add .current().alive())."""
    qs = EvidenceItem.objects.all() if queryset is None else queryset
    if not access.is_active_user(user):
        return qs.none()
    if access.sees_everything(user):
        return qs
    office_ids = _own_office_ids(user)
    task_ids = Task.objects.filter(Q(lead_office_id__in=office_ids) | Q(supporting_offices__in=office_ids)).values("pk")
    linked = EvidenceItem.tasks.through.objects.filter(evidenceitem_id=OuterRef("pk"), task_id__in=task_ids)
    return qs.filter(Q(office_id__in=office_ids) | Q(uploader_id=user.pk) | Exists(linked))


def can_read_evidence(user: User, item) -> bool:
    if not access.is_active_user(user):
        return False
    if access.sees_everything(user) or item.uploader_id == user.pk or item.office_id in _own_office_ids(user):
        return True
    return evidence_visible_to(user, type(item).objects.filter(pk=item.pk)).exists()


def can_upload_evidence(user: User) -> bool:
    """Everyone with a working role; leadership alone reads only."""
    return access.has_working_role(user)


def can_change_evidence(user: User, item) -> bool:
    """Caption, links and new versions: the uploader, the head of the item's office, the coordinator."""
    if not can_upload_evidence(user):
        return False
    return item.uploader_id == user.pk or user.heads(item.office_id) or access.is_coordinator(user)


def can_link_into_campaign(user: User, item) -> bool:
    """File an item of an earlier campaign into the current one (evidence.services.evidence_link_into): the
    coordinator, or the item's own office (its staff and head), who know whether it still proves something."""
    if not can_upload_evidence(user):
        return False
    return access.is_coordinator(user) or user.office_id == item.office_id or user.heads(item.office_id)


# --- Review, recycle bin and activities -------------------------------------------------------------------
# The head of the item's office or the coordinator reviews a version; nobody reviews their own upload unless the
# campaign allows it. Staff and heads move items to the recycle bin (never hard-delete); only the coordinator
# restores or purges. Leadership reads the bin.


def is_evidence_reviewer(user: User, item) -> bool:
    if not can_upload_evidence(user):
        return False
    return user.heads(item.office_id) or access.is_coordinator(user)


def can_review_evidence(user: User, item, *, allow_self_review: bool) -> bool:
    """Accept or return a version of an item."""
    if not is_evidence_reviewer(user, item):
        return False
    return allow_self_review or item.uploader_id != user.pk


def evidence_review_office_ids(user: User) -> frozenset[int] | None:
    """The offices whose items the user reviews: None means every office (the coordinator)."""
    if not can_upload_evidence(user):
        return frozenset()
    if access.is_coordinator(user):
        return None
    return user.headed_office_ids


def can_delete_evidence(user: User, item) -> bool:
    """Move to the recycle bin: whoever may change the item."""
    return can_change_evidence(user, item)


def can_read_recycle_bin(user: User) -> bool:
    return access.sees_everything(user)


def can_manage_recycle_bin(user: User) -> bool:
    """Restore and purge."""
    return access.is_coordinator(user)


def can_create_activity(user: User) -> bool:
    return can_upload_evidence(user)


def can_change_activity(user: User, activity) -> bool:
    """Its creator, the head of its organiser office, the coordinator."""
    if not can_upload_evidence(user):
        return False
    return activity.created_by_id == user.pk or user.heads(activity.organiser_office_id) or access.is_coordinator(user)


def can_download_evidence_index(user: User) -> bool:
    """The evidence index (佐证材料目录) as a workbook: the coordinator and leadership (the whole archive) and
    office heads (what evidence_visible_to lets them read)."""
    return access.sees_everything(user) or access.is_office_head(user)


# --- The binder and the integrity check ------------------------------------------------------------------
# A binder holds every accepted item and a check names every stored file: the coordinator and administrators
# export binders and read the checks; everyone else gets 403 on the archive page and 404 on a check.


def can_export_binder(user: User) -> bool:
    return access.is_coordinator(user)


def can_read_archive_check(user: User, check=None) -> bool:
    return access.is_coordinator(user)


def register_read_rules() -> None:
    """Called by EvidenceConfig.ready(): an item by its own rule, an activity like the plan, an integrity check
    for the coordinator (the notification of a failed check names it)."""
    access.register_read_rule(EvidenceItem, can_read_evidence)
    access.register_read_rule(Activity, access.plan_level)
    access.register_read_rule(ArchiveCheck, can_read_archive_check)


# --- Get-or-404 -------------------------------------------------------------------------------------------


def get_evidence_for_user(user, pk: int, *, for_change: bool = False) -> EvidenceItem:
    """One version of an item the user may read. Items in the recycle bin are only for the coordinator. With
    `for_change`, 403 when the item's campaign is archived (campaign.access.require_open)."""
    qs = evidence_visible_to(user, EvidenceItem.objects.all()).select_related(
        "stored_file", "office", "uploader", "primary_standard", "campaign", "activity", "reviewed_by"
    )
    if not access.is_coordinator(user):
        qs = qs.alive()
    item = qs.filter(pk=pk).first()
    if item is None:
        raise Http404
    if for_change:
        require_open(item.campaign)
    return item


# --- Bringing an existing archive in ----------------------------------------------------------------------
# The coordinator imports a ZIP for any office; the import's job, its progress and its report are the
# coordinator's (every coordinator's: they share the work) and the administrators'.


def can_import_evidence(user: User) -> bool:
    return access.is_active_user(user) and access.is_coordinator(user)


def can_read_import_job(user, job) -> bool:
    if not access.is_active_user(user):
        return False
    return job.requested_by_id == user.pk or access.is_admin(user) or access.is_coordinator(user)


def get_archive_check_for_user(user, pk: int) -> ArchiveCheck:
    check = ArchiveCheck.objects.filter(pk=pk).first() if can_read_archive_check(user) else None
    if check is None:
        raise Http404
    return check


def get_activity_for_user(user, pk: int, *, for_change: bool = False) -> Activity:
    """Activities are plan-level (every signed-in person reads them); their evidence is filtered per item. With
    `for_change`, 403 when the activity's campaign is archived."""
    if not access.can_read_plan(user):
        raise Http404
    activity = (
        Activity.objects.select_related("organiser_office", "campaign", "created_by")
        .prefetch_related("standards")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    if for_change:
        require_open(activity.campaign)
    return activity
