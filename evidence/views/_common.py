"""What the evidence pages share: the page size, the tabs a person gets, where an action returns to."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from evidence import access

from ..models import EvidenceItem

PAGE_SIZE = 50


def nav_flags(user) -> dict:
    """Which of the evidence pages' tabs the user gets (the others would answer 403)."""
    return {
        "nav_review": access.evidence_review_office_ids(user) != frozenset(),
        "nav_bin": access.can_read_recycle_bin(user),
        "nav_archive": access.can_export_binder(user),
    }


def back(request: HttpRequest, default: str) -> str:
    """The page to return to after an action: a same-site `next`, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def versions_url(item: EvidenceItem) -> str:
    return reverse("evidence:versions", args=[item.pk])
