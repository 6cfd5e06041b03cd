"""The read side's messages to the group robots (civunit.notifications.robots):

- the leadership group's **weekly summary**: the dashboard's headline figures (`dashboard.headline_figures`, the one
  source the dashboard and bulletins read) and the longest overdue tasks, on the first run of each week;
- the whole organ's group hears of each **published bulletin** (queued in the publication's transaction, delivered
  after it commits), with the figures it froze.

Both read the campaign as the leadership reads it: the figures are plan-level (civunit.access), the same for every
reader, and are computed as an active member of the leadership group (or the coordinator when the organ has none).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaign.models import Campaign
from civunit.accounts.models import User
from civunit.accounts.roles import Role
from civunit.notifications import robots
from civunit.notifications.robots import short_date
from civunit.reports import dashboard
from civunit.reports.models import Bulletin

from .bulletins.periods import period_label

OVERDUE_LIMIT = 5
BULLETIN_TEXT_CHARACTERS = 200


def _reader() -> User | None:
    """Whose reading the figures follow: a leadership member, else a coordinator or administrator."""
    active = User.objects.filter(is_active=True).order_by("pk")
    leader = active.filter(groups__name=Role.LEADERSHIP.group_name).first()
    if leader is not None:
        return leader
    running = Q(groups__name__in=[Role.COORDINATOR.group_name, Role.ADMIN.group_name]) | Q(is_superuser=True)
    return active.filter(running).first()


def _date(day: datetime.date) -> str:
    return short_date(day)


def weekly_summary(*, today: datetime.date) -> robots.Message | None:
    """The leadership group's summary of the week: None without a current campaign or anyone to read it as."""
    campaign = Campaign.objects.prefetch_related("stages").current()
    reader = _reader()
    if campaign is None or reader is None:
        return None
    head = dashboard.headline_figures(campaign=campaign, user=reader, today=today)
    tasks, evidence = head.tasks, head.evidence
    lines = [
        _("Overall: %(status)s.") % {"status": head.status.label}
        + "".join(f" {reason}" for reason in head.status.reasons),
        _("Standards met: %(met)d of %(total)d (%(percent)d%%); %(without)d without accepted evidence.")
        % {
            "met": head.standards_met,
            "total": head.standards,
            "percent": head.met_percent,
            "without": head.standards_without_evidence,
        },
        _(
            "Tasks: %(done)d of %(total)d done (%(percent)d%%), %(overdue)d overdue, %(soon)d due within 7 days, "
            "%(review)d awaiting review."
        )
        % {
            "done": tasks.done,
            "total": tasks.total,
            "percent": tasks.done_percent,
            "overdue": tasks.overdue,
            "soon": tasks.due_soon,
            "review": tasks.pending_review,
        },
        _("Evidence: %(accepted)d accepted, %(pending)d awaiting review.")
        % {"accepted": evidence.accepted, "pending": evidence.pending_review},
    ]
    if head.max_score:
        lines.append(_("Self score: %(score)s of %(max)s.") % {"score": head.score or 0, "max": head.max_score})
    if head.current_stage is not None:
        lines.append(_("Current stage: %(stage)s.") % {"stage": head.current_stage.name})
    if head.days_to_inspection is not None and head.days_to_inspection >= 0:
        lines.append(
            ngettext("%(days)d day to the inspection.", "%(days)d days to the inspection.", head.days_to_inspection)
            % {"days": head.days_to_inspection}
        )
    sections: tuple[robots.Section, ...] = ()
    overdue = dashboard.overdue_tasks(campaign=campaign, user=reader, today=today, limit=OVERDUE_LIMIT)
    if overdue.total:
        items = []
        for task in overdue.rows:
            due = getattr(task, "due", None)
            days = (today - due).days if due else 0
            items.append(
                robots.Item(
                    text=f"{task.code} {task.title}",
                    url=reverse("tasks:detail", args=[task.pk]),
                    detail=ngettext("%(office)s, %(days)d day overdue", "%(office)s, %(days)d days overdue", days)
                    % {"office": task.lead_office.name, "days": days},
                )
            )
        sections = (
            robots.Section(
                heading=_("Longest overdue (%(count)d in all)") % {"count": overdue.total},
                items=tuple(items),
                total=overdue.total,
            ),
        )
    return robots.Message(
        title=_("Weekly summary, %(date)s") % {"date": _date(today)},
        lines=tuple(lines),
        sections=sections,
        url=reverse("reports:dashboard"),
        link_text=_("Open the dashboard"),
    )


def bulletin_message(bulletin: Bulletin) -> robots.Message:
    headline = (bulletin.snapshot or {}).get("headline", {})
    number = _("%(year)s no. %(number)s") % {"year": bulletin.year, "number": bulletin.number}
    period = period_label(bulletin.period_kind, bulletin.period_start, bulletin.period_end)
    lines = []
    if bulletin.text:
        lines.append(Truncator(bulletin.text).chars(BULLETIN_TEXT_CHARACTERS))
    if headline:
        lines.append(
            _(
                "Tasks: %(done)d of %(total)d done (%(percent)d%%), %(overdue)d overdue; "
                "%(accepted)d evidence items accepted."
            )
            % {
                "done": headline.get("tasks_done", 0),
                "total": headline.get("tasks", 0),
                "percent": headline.get("tasks_done_percent", 0),
                "overdue": headline.get("tasks_overdue", 0),
                "accepted": headline.get("evidence_accepted", 0),
            }
        )
    return robots.Message(
        title=_("Bulletin %(number)s (%(period)s) is published") % {"number": number, "period": period},
        lines=tuple(lines),
        url=bulletin.get_absolute_url(),
        link_text=_("Read the bulletin"),
    )


def bulletin_published(bulletin: Bulletin) -> int:
    """Queue the bulletin's message to the organ's robots (inside the publication's transaction: delivered after it
    commits, and not at all if it rolls back). Returns how many messages were queued."""
    with translation.override(settings.LANGUAGE_CODE):
        message = bulletin_message(bulletin)
    day = timezone.localdate(bulletin.published_at) if bulletin.published_at else None
    return robots.post(
        group=robots.RobotGroup.ORGAN,
        kind=robots.RobotMessageKind.BULLETIN,
        ref=str(bulletin.pk),
        message=message,
        day=day,
    )


def register() -> None:
    """Called by ReportsConfig.ready()."""
    robots.register_summary(
        weekly_summary, kind=robots.RobotMessageKind.WEEKLY, group=robots.RobotGroup.LEADERSHIP, weekly=True
    )
