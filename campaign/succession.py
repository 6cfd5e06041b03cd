"""Starting the next campaign from the current one (the next term, the yearly review 复查): what it copies, and the
preview that says so before anything is written.

A campaign is made of parts, each copied or not as the coordinator asks: the plan (its text, its stages with their
dates moved into the new campaign's, its work areas), the leadership group, the criteria table (or none: the new
year's table is imported instead), and, from the tasks app, the open tasks as new tasks. Campaign owns the first
three; an app above registers its own part here in its AppConfig.ready() (the tasks app registers "tasks"), so
campaign imports none of them and the page, the command and the preview list every part. Evidence is never copied:
an old item is linked into the new campaign when someone wants it there (evidence.services.evidence_link_into),
sharing its stored file.

A part is two functions: `preview(source, dates, copying)` says in sentences what copying would create, and
`copy(carried)` creates it inside the transaction of `campaign_start_next` and returns how many rows it made.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    Campaign,
    CampaignEvent,
    Criterion,
    CriterionRequirement,
    LeadershipMember,
    Plan,
    Stage,
    VetoCondition,
    WorkArea,
)


class StartRefused(Exception):
    """The next campaign cannot be started as asked; the message is for the person."""


class DateMap:
    """Moves a date of the source campaign's schedule onto the same point of the new campaign's dates: a stage a
    third of the way into a three-year schedule lands a third of the way into a one-year review, and the inspection
    that closed the old schedule closes the new one. The old schedule runs from the campaign's start to the last
    day of its stages (the campaign's end when it has none); dates outside it land on the new campaign's first or
    last day."""

    def __init__(
        self, *, source_start: datetime.date, source_end: datetime.date, start: datetime.date, end: datetime.date
    ):
        self.source_start, self.source_end, self.start, self.end = source_start, source_end, start, end

    def __call__(self, day: datetime.date | None) -> datetime.date | None:
        return None if day is None else self.move(day)

    def move(self, day: datetime.date) -> datetime.date:
        span = (self.source_end - self.source_start).days
        new_span = (self.end - self.start).days
        offset = (day - self.source_start).days
        moved = self.start + datetime.timedelta(days=round(offset * new_span / span) if span else offset)
        return min(max(moved, self.start), self.end)


@dataclass
class Carried:
    """What a part's copy reads: the source, the new campaign, the dates' map, and what earlier parts made (the
    new criteria by code, the new work areas by name) for the parts that link to them."""

    source: Campaign
    target: Campaign
    dates: DateMap
    user: object
    criteria_by_code: dict[str, Criterion] = field(default_factory=dict)
    work_areas_by_name: dict[str, WorkArea] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    key: str
    label: str | Promise
    help: str | Promise
    order: int
    preview: Callable[[Campaign, DateMap, frozenset[str]], list[str]]
    copy: Callable[[Carried], int]


_parts: dict[str, Part] = {}


def register(part: Part) -> Part:
    """Offer `part` on the next-campaign page and the command (`--copy KEY`)."""
    _parts[part.key] = part
    return part


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda p: p.order)


def part_keys() -> list[str]:
    return [p.key for p in parts()]


@dataclass(frozen=True)
class NextCampaign:
    """What the coordinator asks for."""

    title: str
    target: str
    start_date: datetime.date
    end_date: datetime.date
    copy: frozenset[str] = frozenset()
    make_current: bool = False


@dataclass
class PreviewSection:
    key: str
    label: str
    lines: list[str]


@dataclass
class Preview:
    source: Campaign | None
    spec: NextCampaign
    sections: list[PreviewSection]
    not_copied: list[str]


def _check(spec: NextCampaign) -> None:
    if not spec.title.strip():
        raise StartRefused(_("Give the new campaign a title."))
    if spec.target not in Campaign.Target.values:
        raise StartRefused(
            _("Unknown target %(target)s: choose one of %(choices)s.")
            % {"target": spec.target, "choices": "、".join(Campaign.Target.values)}
        )
    if spec.end_date < spec.start_date:
        raise StartRefused(_("The campaign cannot end before it starts."))
    unknown = spec.copy - set(_parts)
    if unknown:
        raise StartRefused(
            _("Cannot copy %(parts)s: choose among %(choices)s.")
            % {"parts": "、".join(sorted(unknown)), "choices": "、".join(part_keys())}
        )


def schedule_end(source: Campaign) -> datetime.date:
    """The last day of the source's stages, else its end date."""
    days = [
        d for pair in Stage.objects.filter(campaign=source).values_list("start_date", "end_date") for d in pair if d
    ]
    return max(days) if days else source.end_date


def date_map(source: Campaign, spec: NextCampaign) -> DateMap:
    end = max(schedule_end(source), source.start_date)
    return DateMap(source_start=source.start_date, source_end=end, start=spec.start_date, end=spec.end_date)


def preview(*, source: Campaign | None, spec: NextCampaign) -> Preview:
    """What `campaign_start_next` would create, in sentences, part by part; writes nothing. Raises StartRefused."""
    _check(spec)
    sections: list[PreviewSection] = []
    not_copied: list[str] = []
    if source is not None:
        dates = date_map(source, spec)
        for part in parts():
            if part.key in spec.copy:
                sections.append(PreviewSection(part.key, str(part.label), part.preview(source, dates, spec.copy)))
            else:
                not_copied.append(str(part.label))
    not_copied.append(str(_("Evidence (link old items into the new campaign from their pages)")))
    return Preview(source=source, spec=spec, sections=sections, not_copied=not_copied)


@transaction.atomic
def campaign_start_next(
    *, source: Campaign | None, user, spec: NextCampaign, via: str = CampaignEvent.Source.WEB
) -> tuple[Campaign, dict[str, int]]:
    """Create the next campaign from `source` (usually the current one) with the parts asked for, and its audit
    record; make it current when asked (audited too). Returns the campaign and how many rows each part made.
    Raises StartRefused, having written nothing."""
    from .services import campaign_make_current

    _check(spec)
    campaign = Campaign.objects.create(
        title=spec.title.strip(),
        organ_name=source.organ_name if source else "",
        target=spec.target,
        start_date=spec.start_date,
        end_date=spec.end_date,
        status=Campaign.Status.PLANNING,
        is_current=False,
        # the settings the leadership group decided go on with the campaign
        explanation_limit=source.explanation_limit if source else Campaign._meta.get_field("explanation_limit").default,
        stalled_after_days=source.stalled_after_days if source else 14,
        allow_self_review=source.allow_self_review if source else False,
        max_documents_per_standard=source.max_documents_per_standard if source else None,
        max_photos_per_standard=source.max_photos_per_standard if source else None,
        criteria_note=source.criteria_note if source and "criteria" in spec.copy else "",
    )
    counts: dict[str, int] = {}
    if source is not None:
        carried = Carried(source=source, target=campaign, dates=date_map(source, spec), user=user)
        for part in parts():
            if part.key in spec.copy:
                counts[part.key] = part.copy(carried)
    CampaignEvent.objects.create(
        campaign=campaign,
        action=CampaignEvent.Action.STARTED,
        actor=_actor(user),
        source=via,
        details={"from": source.pk if source else None, "from_title": source.title if source else "", "copied": counts},
    )
    if spec.make_current:
        campaign_make_current(campaign=campaign, user=user, via=via)
        campaign.refresh_from_db()
    return campaign, counts


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- The campaign's own parts -----------------------------------------------------------------------------------


def _day(day: datetime.date | None) -> str:
    return day.isoformat() if day else "…"


def _preview_plan(source: Campaign, dates: DateMap, copying: frozenset[str]) -> list[str]:
    lines = [
        _("The old schedule, %(start)s–%(end)s, is laid over the new dates: every stage keeps its place in it.")
        % {"start": _day(dates.source_start), "end": _day(dates.source_end)}
    ]
    if Plan.objects.filter(campaign=source).exists():
        lines.append(_("The plan's text (guiding ideology, goals, measures, organisation)."))
    for stage in Stage.objects.filter(campaign=source).order_by("ordering", "start_date", "pk"):
        lines.append(
            _("Stage %(name)s: %(start)s–%(end)s becomes %(new_start)s–%(new_end)s.")
            % {
                "name": stage.name,
                "start": _day(stage.start_date),
                "end": _day(stage.end_date),
                "new_start": _day(dates.move(stage.start_date)),
                "new_end": _day(dates(stage.end_date)),
            }
        )
    areas = list(WorkArea.objects.filter(campaign=source).values_list("name", flat=True))
    if areas:
        lines.append(_("%(count)d work areas: %(names)s.") % {"count": len(areas), "names": "、".join(areas)})
    return lines


def _copy_plan(carried: Carried) -> int:
    from .services import plan_update

    made = 0
    plan = Plan.objects.filter(campaign=carried.source).first()
    if plan is not None:
        sections = {name: getattr(plan, name) for name in ("guiding_ideology", "goals", "measures", "organisation")}
        plan_update(campaign=carried.target, user=_actor(carried.user), **sections)
        made += 1
    stages = [
        Stage(
            campaign=carried.target,
            kind=s.kind,
            name=s.name,
            start_date=carried.dates.move(s.start_date),
            end_date=carried.dates(s.end_date),
            description=s.description,
            ordering=s.ordering,
        )
        for s in Stage.objects.filter(campaign=carried.source)
    ]
    Stage.objects.bulk_create(stages)
    areas = [
        WorkArea(campaign=carried.target, name=a.name, description=a.description, ordering=a.ordering)
        for a in WorkArea.objects.filter(campaign=carried.source)
    ]
    WorkArea.objects.bulk_create(areas)
    carried.work_areas_by_name = {a.name: a for a in WorkArea.objects.filter(campaign=carried.target)}
    return made + len(stages) + len(areas)


def _preview_leadership(source: Campaign, dates: DateMap, copying: frozenset[str]) -> list[str]:
    members = list(LeadershipMember.objects.filter(campaign=source).order_by("ordering", "pk"))
    if not members:
        return [_("The leadership group has no members: nothing to copy.")]
    return [f"{m.get_role_display()} {m.name}{' · ' + m.position if m.position else ''}" for m in members]


def _copy_leadership(carried: Carried) -> int:
    members = [
        LeadershipMember(
            campaign=carried.target,
            role=m.role,
            name=m.name,
            position=m.position,
            duties=m.duties,
            user_id=m.user_id,
            ordering=m.ordering,
        )
        for m in LeadershipMember.objects.filter(campaign=carried.source)
    ]
    LeadershipMember.objects.bulk_create(members)
    return len(members)


def _preview_criteria(source: Campaign, dates: DateMap, copying: frozenset[str]) -> list[str]:
    nodes = Criterion.objects.filter(campaign=source)
    total = nodes.count()
    if not total:
        return [_("The campaign has no criteria: import the new table after starting.")]
    return [
        _("%(total)d criteria, of which %(standards)d standards, with %(requirements)d evidence requirements.")
        % {
            "total": total,
            "standards": nodes.filter(is_leaf=True).count(),
            "requirements": CriterionRequirement.objects.filter(criterion__campaign=source).count(),
        },
        _("%(count)d entries of the negative list, each back to “not touched”.")
        % {"count": VetoCondition.objects.filter(campaign=source).count()},
        _("Self-assessments and explanation reports start empty; the table can still be re-imported by code."),
    ]


def _copy_criteria(carried: Carried) -> int:
    source_nodes = list(Criterion.objects.filter(campaign=carried.source).order_by("level", "ordering", "pk"))
    code_of = {c.pk: c.code for c in source_nodes}
    made: dict[str, Criterion] = {}
    fields = ("code", "title", "guidance", "methods", "max_score", "kind", "ordering", "level", "is_leaf")
    for level in sorted({c.level for c in source_nodes}):
        new = [
            Criterion(
                campaign=carried.target,
                parent=made[code_of[c.parent_id]] if c.parent_id else None,
                requirement_text=c.requirement_text,
                **{name: getattr(c, name) for name in fields},
            )
            for c in source_nodes
            if c.level == level
        ]
        for node in Criterion.objects.bulk_create(new):
            made[node.code] = node
    requirements = [
        CriterionRequirement(criterion=made[code_of[r.criterion_id]], category=r.category, min_count=r.min_count)
        for r in CriterionRequirement.objects.filter(criterion__campaign=carried.source)
    ]
    CriterionRequirement.objects.bulk_create(requirements)
    veto = list(VetoCondition.objects.filter(campaign=carried.source).order_by("level", "ordering", "pk"))
    veto_code = {v.pk: v.code for v in veto}
    veto_made: dict[str, VetoCondition] = {}
    for level in sorted({v.level for v in veto}):
        rows = [
            VetoCondition(
                campaign=carried.target,
                parent=veto_made[veto_code[v.parent_id]] if v.parent_id else None,
                code=v.code,
                title=v.title,
                guidance=v.guidance,
                methods=v.methods,
                level=v.level,
                ordering=v.ordering,
            )
            for v in veto
            if v.level == level
        ]
        for row in VetoCondition.objects.bulk_create(rows):
            veto_made[row.code] = row
    carried.criteria_by_code = made
    return len(made) + len(requirements) + len(veto_made)


register(
    Part(
        "plan",
        gettext_lazy("Implementation plan"),
        gettext_lazy("Its text, the stages (dates moved into the new campaign's) and the work areas."),
        10,
        _preview_plan,
        _copy_plan,
    )
)
register(
    Part(
        "leadership",
        gettext_lazy("Leadership group"),
        gettext_lazy("The members, their roles and duties."),
        20,
        _preview_leadership,
        _copy_leadership,
    )
)
register(
    Part(
        "criteria",
        gettext_lazy("Criteria table"),
        gettext_lazy("Leave it out to import the new year's table instead."),
        30,
        _preview_criteria,
        _copy_criteria,
    )
)
