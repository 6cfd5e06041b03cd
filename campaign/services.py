"""Writes of the campaign app: criteria imports, self-assessment, explanation reports, veto statuses, the plan,
and the campaigns themselves (which is current, archiving, reopening; starting the next one is in succession.py)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .importing.rows import CriterionRow, Issue, TableError, validate_rows
from .models import (
    Assessment,
    Campaign,
    CampaignEvent,
    Criterion,
    CriterionRequirement,
    Explanation,
    ImportRecord,
    Plan,
    VetoCondition,
)
from .text import count_chars, normalize_newlines

# Relations of Criterion that belong to the criteria table itself; anything else pointing at a criterion
# (tasks, evidence, …) is a link that a re-import must keep.
OWN_RELATIONS = {"children", "requirements", "assessment", "explanation"}

REFUSED_EXTENSIONS = {".xls", ".et", ".ods", ".xlsm", ".xlsb", ".csv", ".wps"}


@dataclass
class ImportResult:
    ok: bool
    issues: list[Issue] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    veto_count: int = 0
    standards: int = 0
    explanations: list[str] = field(default_factory=list)
    record: ImportRecord | None = None
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "veto_conditions": self.veto_count,
            "standards": self.standards,
            "explanations": self.explanations,
        }


def read_criteria_file(*, file_name: str, data: bytes) -> tuple[list[CriterionRow], list[Issue]]:
    """Rows from a .json or .xlsx criteria table and the problems of single rows; raises TableError when
    the file cannot be read at all."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in REFUSED_EXTENSIONS or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            [Issue(None, _("This file format cannot be read: please open it and save it as .xlsx (Excel workbook)."))]
        )
    if suffix == ".json":
        from .importing.json_format import read_json

        return read_json(data)
    if suffix == ".xlsx" or data[:4] == b"PK\x03\x04":
        from .importing.xlsx_format import read_xlsx

        return read_xlsx(data, file_name=file_name)
    raise TableError([Issue(None, _("Please choose a criteria table as .xlsx or .json."))])


def _field_values(row: CriterionRow) -> dict:
    return {
        "title": row.title,
        "guidance": row.guidance,
        "methods": row.methods,
        "max_score": row.max_score,
        "kind": row.kind,
        "level": row.level,
        "is_leaf": row.is_leaf,
        "requirement_text": row.requirement_text,
        "ordering": row.ordering,
    }


def _differs(obj, values: dict) -> bool:
    for name, value in values.items():
        current = getattr(obj, name)
        if isinstance(value, Decimal) or isinstance(current, Decimal):
            if (current is None) != (value is None) or (current is not None and Decimal(current) != value):
                return True
        elif current != value:
            return True
    return False


def criterion_links(criteria: list[Criterion]) -> dict[int, list[str]]:
    """What links to each criterion from outside the criteria table (tasks, evidence, …), as readable phrases.

    Found through Criterion's reverse relations, so apps built later are covered without naming them here;
    one query per kind of link, whatever the number of criteria.
    """
    ids = [c.pk for c in criteria]
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    for rel in Criterion._meta.related_objects:
        if rel.get_accessor_name() in OWN_RELATIONS or rel.related_model._meta.app_label == "campaign":
            continue
        model = rel.related_model
        lookup = f"{rel.field.name}__in"
        counts: dict[int, int] = defaultdict(int)
        for criterion_id in model._default_manager.filter(**{lookup: ids}).values_list(rel.field.name, flat=True):
            counts[criterion_id] += 1
        for criterion_id, n in counts.items():
            found[criterion_id].append(
                _("%(count)d %(things)s") % {"count": n, "things": model._meta.verbose_name_plural}
            )
    return found


@transaction.atomic
def criteria_import(*, campaign: Campaign, user, file_name: str, data: bytes, dry_run: bool = False) -> ImportResult:
    """Import a criteria table into the campaign: validate everything, then write everything or nothing.

    Nodes are updated in place by code (keeping what links to them); a code that is no longer in the table is
    removed when nothing links to it, otherwise the whole import is refused naming the links. The veto branch
    goes to the veto list, keeping each condition's status and note. Every import leaves an ImportRecord.
    """
    try:
        rows, issues = read_criteria_file(file_name=file_name, data=data)
    except TableError as e:
        return ImportResult(ok=False, issues=e.issues, dry_run=dry_run)
    issues = sorted([*issues, *validate_rows(rows)], key=lambda i: (i.row is None, i.row or 0))
    if issues:
        return ImportResult(ok=False, issues=issues, dry_run=dry_run)

    issues = _check_explanations(campaign, rows)
    if issues:
        return ImportResult(ok=False, issues=issues, dry_run=dry_run)

    scored_rows = [r for r in rows if not r.veto]
    veto_rows = [r for r in rows if r.veto]
    result = ImportResult(
        ok=True,
        dry_run=dry_run,
        veto_count=len(veto_rows),
        standards=sum(1 for r in scored_rows if r.is_leaf),
    )
    if not scored_rows:
        return ImportResult(ok=False, issues=[Issue(None, _("The file contains no criteria."))], dry_run=dry_run)

    existing = {c.code: c for c in Criterion.objects.filter(campaign=campaign).prefetch_related("requirements")}
    wanted = {r.code: r for r in scored_rows}
    removed = [c for code, c in existing.items() if code not in wanted]
    links = criterion_links(removed)
    if links:
        refused = []
        for c in sorted(removed, key=lambda c: c.ordering):
            if c.pk in links:
                refused.append(
                    Issue(
                        None,
                        _("%(code)s %(title)s is no longer in the table but is linked to: %(links)s.")
                        % {"code": c.code, "title": c.title, "links": "、".join(links[c.pk])},
                    )
                )
        refused.append(
            Issue(None, _("Nothing was imported. Move or remove those links first, or keep the codes in the table."))
        )
        return ImportResult(ok=False, issues=refused, dry_run=dry_run)

    code_by_id: dict[int | None, str] = {c.pk: c.code for c in existing.values()}
    for r in scored_rows:
        current = existing.get(r.code)
        if current is None:
            result.added.append(r.code)
            continue
        parent_code = code_by_id.get(current.parent_id)
        reqs = sorted((q.category, q.min_count) for q in current.requirements.all())
        # A node whose only change is its place in the tree (because others were added before it) is not
        # reported as updated; its ordering is written all the same.
        values = _field_values(r)
        del values["ordering"]
        if _differs(current, values) or parent_code != r.parent_code or reqs != sorted(r.requirements):
            result.updated.append(r.code)
        else:
            result.unchanged += 1
    result.removed = [c.code for c in sorted(removed, key=lambda c: c.ordering)]

    if dry_run:
        return result

    try:
        with transaction.atomic():
            _write_criteria(campaign, scored_rows, existing, removed)
            _write_veto(campaign, veto_rows)
            result.explanations = _write_explanations(campaign, scored_rows, user)
    except ValidationError as e:  # a database rule caught something validation missed: nothing is kept
        return ImportResult(ok=False, issues=[Issue(None, "; ".join(e.messages))])
    except IntegrityError:  # another import of the same campaign committed in between
        return ImportResult(
            ok=False,
            issues=[Issue(None, _("The criteria were changed by someone else at the same time. Please import again."))],
        )
    result.record = ImportRecord.objects.create(
        campaign=campaign,
        kind=ImportRecord.Kind.CRITERIA,
        user=user if getattr(user, "is_authenticated", False) else None,
        file_name=PurePath(file_name).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        summary=result.summary(),
    )
    return result


def _write_criteria(campaign, rows: list[CriterionRow], existing: dict[str, Criterion], removed) -> None:
    # Parents first, so that every child finds its parent's primary key.
    by_code: dict[str, Criterion] = {}
    to_update: list[Criterion] = []
    fields = ["title", "guidance", "methods", "max_score", "kind", "level", "is_leaf", "requirement_text", "ordering"]
    for level in sorted({r.level for r in rows}):
        new_objs = []
        for r in (r for r in rows if r.level == level):
            parent = by_code[r.parent_code] if r.parent_code else None
            obj = existing.get(r.code)
            if obj is None:
                obj = Criterion(campaign=campaign, code=r.code, parent=parent, **_field_values(r))
                new_objs.append(obj)
            else:
                values = _field_values(r)
                if _differs(obj, values) or obj.parent_id != (parent.pk if parent else None):
                    for name, value in values.items():
                        setattr(obj, name, value)
                    obj.parent = parent
                    to_update.append(obj)
            by_code[r.code] = obj
        Criterion.objects.bulk_create(new_objs)
    if to_update:
        Criterion.objects.bulk_update(to_update, [*fields, "parent"], batch_size=500)
    # Removed nodes go leaves first; nothing outside the table links to them (checked above).
    for obj in sorted(removed, key=lambda c: -c.level):
        obj.delete()

    # Requirements: updated in place by category.
    current: dict[int, dict[str, CriterionRequirement]] = defaultdict(dict)
    for req in CriterionRequirement.objects.filter(criterion__campaign=campaign):
        current[req.criterion_id][req.category] = req
    create, update, delete = [], [], []
    for r in rows:
        obj = by_code[r.code]
        have = current.get(obj.pk, {})
        want = dict(r.requirements)
        for category, req in have.items():
            if category not in want:
                delete.append(req.pk)
            elif req.min_count != want[category]:
                req.min_count = want[category]
                update.append(req)
        for category, count in r.requirements:
            if category not in have:
                create.append(CriterionRequirement(criterion=obj, category=category, min_count=count))
    CriterionRequirement.objects.filter(pk__in=delete).delete()
    CriterionRequirement.objects.bulk_update(update, ["min_count"])
    CriterionRequirement.objects.bulk_create(create)


def _indicator_codes(rows: list[CriterionRow]) -> set[str]:
    """Nodes with at least one standard (leaf) among their children."""
    return {r.parent_code for r in rows if r.is_leaf and r.parent_code}


def _check_explanations(campaign: Campaign, rows: list[CriterionRow]) -> list[Issue]:
    issues = []
    indicators = _indicator_codes(rows)
    for r in rows:
        if not r.explanation:
            continue
        text = normalize_newlines(r.explanation)
        if r.code not in indicators or r.veto:
            issues.append(
                Issue(
                    r.row,
                    _("%(code)s is not an indicator: explanation reports belong to indicators.") % {"code": r.code},
                )
            )
        elif count_chars(text) > campaign.explanation_limit:
            issues.append(
                Issue(
                    r.row,
                    _("The explanation report of %(code)s has %(count)d characters; the limit is %(limit)d.")
                    % {"code": r.code, "count": count_chars(text), "limit": campaign.explanation_limit},
                )
            )
    return issues


def _write_explanations(campaign: Campaign, rows: list[CriterionRow], user) -> list[str]:
    given = {r.code: normalize_newlines(r.explanation) for r in rows if r.explanation is not None}
    if not given:
        return []
    criteria = Criterion.objects.filter(campaign=campaign, code__in=given).select_related("explanation")
    changed = []
    for criterion in criteria:
        text = given[criterion.code]
        current = getattr(criterion, "explanation", None) if hasattr(criterion, "explanation") else None
        if (current.text if current else "") == text:
            continue
        explanation_save(
            criterion=criterion, user=user if getattr(user, "is_authenticated", False) else None, text=text
        )
        changed.append(criterion.code)
    return sorted(changed)


def _write_veto(campaign, rows: list[CriterionRow]) -> None:
    existing = {v.code: v for v in VetoCondition.objects.filter(campaign=campaign)}
    wanted = {r.code for r in rows}
    by_code: dict[str, VetoCondition] = {}
    for r in sorted(rows, key=lambda r: r.level):
        obj = existing.get(r.code) or VetoCondition(campaign=campaign, code=r.code)
        obj.parent = by_code.get(r.parent_code) if r.parent_code else None
        obj.title = r.title
        obj.guidance = r.guidance
        obj.methods = r.methods
        obj.level = r.level
        obj.ordering = r.ordering
        obj.save()
        by_code[r.code] = obj
    for code, obj in existing.items():
        if code not in wanted:
            VetoCondition.objects.filter(pk=obj.pk).delete()


# --- Self-assessment, explanation reports, veto statuses, the plan --------------------------------------


def _save_with_history(obj, user) -> None:
    """Validate and save; the history row names the user also outside a request (commands, imports)."""
    obj.updated_by = user
    obj._history_user = user  # read by django-simple-history instead of the request's user
    obj.full_clean()
    obj.save()


@transaction.atomic
def assessment_save(
    *, criterion: Criterion, user, status: str, self_score: Decimal | None, note: str = ""
) -> Assessment:
    assessment = Assessment.objects.filter(criterion=criterion).first() or Assessment(criterion=criterion)
    assessment.criterion = criterion
    assessment.status = status
    assessment.self_score = self_score
    assessment.note = normalize_newlines(note)
    _save_with_history(assessment, user)
    return assessment


@transaction.atomic
def explanation_save(*, criterion: Criterion, user, text: str) -> Explanation:
    explanation = Explanation.objects.filter(criterion=criterion).first() or Explanation(criterion=criterion)
    explanation.criterion = criterion
    explanation.text = normalize_newlines(text)
    _save_with_history(explanation, user)
    return explanation


@transaction.atomic
def veto_update(*, condition: VetoCondition, user, status: str, note: str) -> VetoCondition:
    condition.status = status
    condition.note = normalize_newlines(note)
    _save_with_history(condition, user)
    return condition


@transaction.atomic
def plan_update(*, campaign: Campaign, user, **sections: str) -> Plan:
    plan = Plan.objects.filter(campaign=campaign).first() or Plan(campaign=campaign)
    for name, value in sections.items():
        setattr(plan, name, normalize_newlines(value))
    _save_with_history(plan, user)
    return plan


# --- Campaigns: which one is current, archiving and reopening --------------------------------------------------


class CampaignChangeRefused(Exception):
    """A switch, archive or reopen that cannot be done; the message is for the person."""


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _record(campaign: Campaign, action: str, user, via: str, **details) -> CampaignEvent:
    return CampaignEvent.objects.create(
        campaign=campaign, action=action, actor=_actor(user), source=via, details=details
    )


@transaction.atomic
def campaign_make_current(*, campaign: Campaign, user, via: str = CampaignEvent.Source.WEB) -> Campaign | None:
    """Make `campaign` the one current campaign (reminders, robots and everyone's pages follow it), with its audit
    record naming the one it replaces; a campaign in planning starts. Returns the previous current campaign.
    An archived campaign cannot become current (reopen it first)."""
    if campaign.is_archived:
        raise CampaignChangeRefused(
            _("“%(title)s” is archived: reopen it before making it current.") % {"title": campaign.title}
        )
    previous = Campaign.objects.filter_current().exclude(pk=campaign.pk).first()
    if previous is None and Campaign.objects.filter_current().filter(pk=campaign.pk).exists():
        raise CampaignChangeRefused(_("“%(title)s” is already the current campaign.") % {"title": campaign.title})
    # Unset first: at most one current campaign is a database constraint (campaign_one_current).
    Campaign.objects.filter_current().update(is_current=False, updated_at=timezone.now())
    values = {"is_current": True, "updated_at": timezone.now()}
    if campaign.status == Campaign.Status.PLANNING:
        values["status"] = Campaign.Status.ACTIVE
    Campaign.objects.filter(pk=campaign.pk).update(**values)
    _record(
        campaign,
        CampaignEvent.Action.MADE_CURRENT,
        user,
        via,
        previous=previous.pk if previous else None,
        previous_title=previous.title if previous else "",
    )
    return previous


@transaction.atomic
def campaign_archive(*, campaign: Campaign, user, via: str = CampaignEvent.Source.WEB) -> None:
    """Archive a finished campaign: from now on it is read-only. The current campaign is not archived (make the
    next one current first), so that reminders and everyone's pages always have an open campaign to follow."""
    if Campaign.objects.filter_current().filter(pk=campaign.pk).exists():  # as stored, not as the caller saw it
        raise CampaignChangeRefused(
            _("“%(title)s” is the current campaign: make the next campaign current before archiving it.")
            % {"title": campaign.title}
        )
    changed = (
        Campaign.objects.filter(pk=campaign.pk)
        .exclude(status=Campaign.Status.CLOSED)
        .update(status=Campaign.Status.CLOSED, updated_at=timezone.now())
    )
    if not changed:
        raise CampaignChangeRefused(_("“%(title)s” is already archived.") % {"title": campaign.title})
    _record(campaign, CampaignEvent.Action.ARCHIVED, user, via, previous_status=campaign.status)


@transaction.atomic
def campaign_reopen(*, campaign: Campaign, user, via: str = CampaignEvent.Source.WEB) -> None:
    """Undo an archiving (a campaign archived by mistake): it can be changed again."""
    changed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.ACTIVE, updated_at=timezone.now()
    )
    if not changed:
        raise CampaignChangeRefused(_("“%(title)s” is not archived.") % {"title": campaign.title})
    _record(campaign, CampaignEvent.Action.REOPENED, user, via)
