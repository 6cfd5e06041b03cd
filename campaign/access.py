"""The access rules of the campaign app and its scoped get-or-404 helpers. The role predicates these rules build
on live in the core (civunit.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from civunit import access

from . import selection
from .models import (
    Assessment,
    Campaign,
    Criterion,
    CriterionRequirement,
    Explanation,
    LeadershipMember,
    Plan,
    Stage,
    VetoCondition,
    WorkArea,
)

if TYPE_CHECKING:
    from civunit.accounts.models import User


# --- Who changes the plan, the criteria, the self-assessment and the veto list -----------------------------
# Everyone signed in reads the plan, the criteria tree, the self-assessment and the veto list. The coordinator
# edits all of it (plan, imports, explanation reports, veto statuses). The head of an office that leads a task
# of a standard may set that standard's status and self score. Leadership reads and changes nothing.


def can_assess_standard(user: User, criterion) -> bool:
    """Set a standard's self-assessment (status and self score)."""
    if not access.has_working_role(user):
        return False
    if access.is_coordinator(user):
        return True
    if not user.headed_office_ids:
        return False
    # tasks.Task.standards (related_name="tasks"): read through the relation, so campaign imports no tasks code.
    related = getattr(criterion, "tasks", None)
    if related is None:
        return False
    return related.filter(lead_office_id__in=user.headed_office_ids).exists()


def can_write_explanation(user: User, criterion) -> bool:
    """Explanation reports (说明报告) of indicators: the coordinator."""
    return access.can_manage_campaign(user)


def can_change_veto(user: User) -> bool:
    """Veto statuses (负面清单) are the coordinator's."""
    return access.can_manage_campaign(user)


def can_download_self_assessment(user: User) -> bool:
    """The self-assessment table (自评表) as a workbook: the coordinator, leadership and office heads, who answer
    for it; staff read the same figures on the criteria page."""
    return access.sees_everything(user) or access.is_office_head(user)


def register_read_rules() -> None:
    """Called by CampaignConfig.ready(): everything of the campaign is part of the plan everyone reads."""
    for model in (
        Campaign,
        Criterion,
        WorkArea,
        Plan,
        Stage,
        LeadershipMember,
        VetoCondition,
        Assessment,
        Explanation,
        CriterionRequirement,
    ):
        access.register_read_rule(model, access.plan_level)


def can_manage_campaigns(user: User) -> bool:
    """Start the next campaign, switch the current one, archive and reopen: the coordinator."""
    return access.can_manage_campaign(user)


# --- Archived campaigns are read-only ---------------------------------------------------------------------
# A finished campaign (Campaign.Status.CLOSED) keeps everything it held, readable as before, and nothing of it
# changes: every state-changing view reaches its campaign through a helper below with `for_change=True` (or
# through the get-or-404 helpers of tasks, evidence and bulletins, which call require_open), and is refused with
# 403 and the message of CampaignArchived before it reads the form. tests/test_archived_campaign.py walks every
# URL to show it.


class CampaignArchived(PermissionDenied):
    """A change to an archived campaign; the message tells the person why (shown on the 403 page)."""

    def __init__(self, campaign: Campaign):
        super().__init__(
            _("“%(title)s” is archived: it can be read but no longer changed.") % {"title": campaign.title}
        )
        self.campaign = campaign


def require_open(campaign: Campaign) -> None:
    """Refuse (403) any change to an archived campaign."""
    if campaign.is_archived:
        raise CampaignArchived(campaign)


def is_open(campaign: Campaign | None) -> bool:
    """For pages: whether to offer changes at all (the views refuse them anyway)."""
    return campaign is not None and not campaign.is_archived


# --- Get-or-404 -------------------------------------------------------------------------------------------


def campaign_for_request(request, *, for_change: bool = False, queryset=None) -> Campaign | None:
    """The campaign the person's pages show (campaign.selection: chosen in the switcher, else the current one),
    or None; with `for_change`, 403 when it is archived."""
    campaign = selection.selected_campaign(request, queryset)
    if for_change and campaign is not None:
        require_open(campaign)
    return campaign


def campaign_for_user(request, *, for_change: bool = False) -> Campaign:
    """The selected campaign with its stages, readable by everyone signed in; 404 when there is none."""
    if not access.can_read_plan(request.user):
        raise Http404
    campaign = campaign_for_request(
        request, for_change=for_change, queryset=Campaign.objects.prefetch_related("stages")
    )
    if campaign is None:
        raise Http404(_("There is no current campaign."))
    return campaign


def get_campaign_for_manager(user, pk: int) -> Campaign:
    """A campaign the coordinator manages (switch, archive, reopen): 404 when unreadable, 403 for others."""
    if not access.can_read_plan(user):
        raise Http404
    campaign = get_object_or_404(Campaign, pk=pk)
    if not can_manage_campaigns(user):
        raise PermissionDenied
    return campaign


def get_criterion_for_user(user, pk: int, *, for_change: bool = False) -> Criterion:
    if not access.can_read_plan(user):
        raise Http404
    criterion = get_object_or_404(Criterion.objects.select_related("campaign"), pk=pk)
    if for_change:
        require_open(criterion.campaign)
    return criterion


def get_veto_for_user(user, pk: int, *, for_change: bool = False) -> VetoCondition:
    if not access.can_read_plan(user):
        raise Http404
    condition = get_object_or_404(VetoCondition.objects.select_related("campaign"), pk=pk)
    if for_change:
        require_open(condition.campaign)
    return condition


def require_manager(user) -> None:
    """Coordinator pages and changes: everyone else may read the campaign but not change it (403)."""
    if not access.can_manage_campaign(user):
        raise PermissionDenied
