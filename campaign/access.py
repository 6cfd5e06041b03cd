"""Scoped get-or-404 helpers of the campaign app. The rules themselves live in civunit.access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from civunit import access

from .models import Campaign, Criterion, VetoCondition


def current_campaign_for_user(user) -> Campaign:
    """The current campaign (with its stages), readable by everyone signed in; 404 when there is none."""
    if not access.can_read_plan(user):
        raise Http404
    campaign = Campaign.objects.prefetch_related("stages").current()
    if campaign is None:
        raise Http404(_("There is no current campaign."))
    return campaign


def get_criterion_for_user(user, pk: int) -> Criterion:
    if not access.can_read_plan(user):
        raise Http404
    return get_object_or_404(Criterion.objects.select_related("campaign"), pk=pk)


def get_veto_for_user(user, pk: int) -> VetoCondition:
    if not access.can_read_plan(user):
        raise Http404
    return get_object_or_404(VetoCondition.objects.select_related("campaign"), pk=pk)


def require_manager(user) -> None:
    """Coordinator pages and changes: everyone else may read the campaign but not change it (403)."""
    if not access.can_manage_campaign(user):
        raise PermissionDenied
