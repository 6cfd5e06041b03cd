"""The evidence archive's part of the offices' daily digest (civunit.notifications.robots): evidence of the office
that was returned and not yet replaced, with its uploader mentioned and the review note.

"Returned" is the latest version of an item (nothing replaces it), not in the recycle bin, of the current
campaign, whose review returned it: what the office still has to fix.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from campaign.models import Campaign
from civunit.notifications.robots import Item, Section, mobile

from .models import EvidenceItem

if TYPE_CHECKING:
    from civunit.accounts.models import Office

LIST_LIMIT = 10
NOTE_CHARACTERS = 60


def digest_sections(*, offices: Sequence[Office], today: datetime.date) -> dict[int, list[Section]]:
    """Per office: "Returned evidence". One query."""
    rows = (
        EvidenceItem.objects.filter(
            campaign__in=Campaign.objects.filter_current(),
            office__in=offices,
            status=EvidenceItem.Status.RETURNED,
            deleted_at__isnull=True,
            next_versions__isnull=True,
        )
        .select_related("uploader")
        .order_by("reviewed_at", "pk")
    )
    returned: dict[int, list[EvidenceItem]] = {}
    for item in rows:
        returned.setdefault(item.office_id, []).append(item)
    result: dict[int, list[Section]] = {}
    for office_id, items in returned.items():
        lines = []
        for item in items[:LIST_LIMIT]:
            uploader = item.uploader
            detail = _("uploaded by %(name)s") % {"name": uploader.display_name}
            if item.review_note:
                note = Truncator(item.review_note).chars(NOTE_CHARACTERS)
                detail = _("%(detail)s; reason: %(note)s") % {"detail": detail, "note": note}
            number = mobile(uploader.phone) if uploader.is_active else None
            lines.append(
                Item(
                    text=item.title,
                    url=reverse("evidence:detail", args=[item.pk]),
                    detail=detail,
                    mobiles=(number,) if number else (),
                )
            )
        result[office_id] = [
            Section(
                heading=_("Returned evidence (%(count)d)") % {"count": len(items)}, items=tuple(lines), total=len(items)
            )
        ]
    return result
