"""Linking an item of an earlier campaign into the current one: the evidence is never copied when the next campaign
starts, but a photo or a document that still proves a standard this year is filed again under this year's standards
without uploading it again. The new item is a new lineage in the current campaign that names the same StoredFile
(the same bytes, no second copy: files are deduplicated by SHA-256), awaiting review like any new upload; the old
item is untouched, its history included (its campaign may be archived and so read-only). One transaction with the
new item's history entry, which names the old item."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.access import require_open
from campaign.models import Campaign, Criterion
from evidence import access
from tasks.models import Task

from ..models import EvidenceEvent, EvidenceItem, EvidenceStandard
from ._common import ReviewError
from .intake import allocate_archive_number


def already_linked(item: EvidenceItem, campaign: Campaign) -> EvidenceItem | None:
    """The current, live item of `campaign` that already holds the same file (or link), if any."""
    same = EvidenceItem.objects.filter(campaign=campaign, is_current=True, deleted_at__isnull=True)
    same = same.filter(stored_file_id=item.stored_file_id) if item.stored_file_id else same.filter(url=item.url)
    return same.order_by("pk").first()


@transaction.atomic
def evidence_link_into(*, user, item: EvidenceItem, campaign: Campaign) -> EvidenceItem:
    """File `item` (of another campaign) into `campaign`: a new item with the same stored file, its caption
    fields, its office, linked to the standards and tasks of `campaign` that carry the same codes (the copied
    criteria table and tasks keep them), awaiting review. Raises PermissionDenied, CampaignArchived (an archived
    target) or ReviewError (the item's own campaign, a deleted or superseded item, already there)."""
    if not access.can_link_into_campaign(user, item):
        raise PermissionDenied
    require_open(campaign)
    if item.campaign_id == campaign.pk:
        raise ReviewError(_("“%(title)s” is already in this campaign.") % {"title": item.title})
    if item.is_deleted or not item.is_current:
        raise ReviewError(_("Only the current version of an item outside the recycle bin can be linked."))
    if (there := already_linked(item, campaign)) is not None:
        raise ReviewError(
            _("The same file is already filed in “%(campaign)s” as “%(title)s”.")
            % {"campaign": campaign.title, "title": there.title}
        )
    old_codes = [link.criterion.code for link in item.standard_links.select_related("criterion").order_by("position")]
    by_code = {c.code: c for c in Criterion.objects.filter(campaign=campaign, code__in=old_codes, is_leaf=True)}
    standards = [by_code[code] for code in old_codes if code in by_code]
    task_codes = list(item.tasks.values_list("code", flat=True))
    tasks = list(Task.objects.filter(campaign=campaign, code__in=task_codes).order_by("code_key", "pk"))
    primary = standards[0] if standards else None
    new = EvidenceItem.objects.create(
        campaign=campaign,
        stored_file_id=item.stored_file_id,
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
        uploader=user,
        primary_standard=primary,
        archive_number=allocate_archive_number(primary) if primary else "",
    )
    EvidenceStandard.objects.bulk_create(
        EvidenceStandard(item=new, criterion=criterion, position=i) for i, criterion in enumerate(standards)
    )
    if tasks:
        new.tasks.set(tasks)
    EvidenceEvent.objects.create(
        lineage=new.lineage,
        item=new,
        actor=user,
        action=EvidenceEvent.Action.LINKED_IN,
        details={
            "from_item": item.pk,
            "from_campaign": item.campaign_id,
            "from_campaign_title": item.campaign.title,
            "standards": [c.code for c in standards],
            "task_codes": [t.code for t in tasks],
        },
    )
    return new
