"""What the report says, as a plain tree of dataclasses that every format renders: the PDF (pdf.py) and the Word
copy (docx.py) read the same `ReportContent`, so the two never disagree.

Everything comes from the one-source selectors: the criteria tree with self-assessment and explanation reports
(`campaign.selectors.criteria_tree`, through the dashboard's coverage), the evidence per standard
(`evidence.selectors.standards_evidence`), the task breakdown (`tasks.selectors.task_rows`), the headline figures
(`civunit.reports.dashboard.headline_figures`) and the veto list (`campaign.selectors.veto_list`). Lists that name
tasks or evidence items are those the requesting user may read.

Nothing here knows about a page, a font or a file format: texts are plain strings (never marked safe; each renderer
escapes them), photos are named by their print copy's storage name (never the original), numbers are Decimals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Assessment, Campaign, EvidenceCategory, VetoCondition
from campaign.selectors import Node, veto_list
from civunit.reports import dashboard
from evidence.access import evidence_visible_to
from evidence.models import EvidenceItem, EvidenceKind, StoredFile
from tasks.choices import Recurrence, Status
from tasks.models import Task
from tasks.selectors import task_rows

if TYPE_CHECKING:
    from civunit.accounts.models import User

# Photos shown per standard in the evidence attachment (a selection: the index lists every item).
DEFAULT_PHOTOS_PER_STANDARD = 4

# Whom the report is addressed to (主送): a setting, REPORT_RECIPIENT, with this default.
RECIPIENT = "市文明办"

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (headings 一、 and （一）; up to 99)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def official_date(day: datetime.date) -> str:
    """A date as official documents write it: 2026年3月5日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def score_text(value: Decimal | None) -> str:
    """A score without trailing zeros ("12", "7.5"); empty when there is none."""
    if value is None:
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# --- The tree of the report -------------------------------------------------------------------------------------


@dataclass
class StandardLine:
    """A 测评标准 under its indicator (heading 「1.」 in the body)."""

    number: str  # "1."
    code: str
    title: str
    status: str  # Assessment.Status value
    status_label: str
    score: Decimal | None
    max_score: Decimal | None
    evidence_accepted: int
    note: str = ""

    @property
    def text(self) -> str:
        """The standard's line after its number: 「标题（1.1.1）：达标，自评得分3分（满分3分），已采用佐证材料2件。」"""
        parts = [self.status_label]
        if self.score is not None:
            parts.append(_("Self score: %(score)s") % {"score": _score_phrase(self.score, self.max_score)})
        parts.append(_("%(n)d evidence items accepted") % {"n": self.evidence_accepted})
        return f"{self.title}（{self.code}）：{'，'.join(parts)}。"


@dataclass
class IndicatorSection:
    """A 测评指标 (heading 「（一）」): its explanation report, self score and status."""

    number: str  # "（一）"
    code: str
    title: str
    explanation: str  # the explanation report as the self-assessment holds it ("" when none was written)
    score: Decimal | None
    max_score: Decimal | None
    standards_total: int
    standards_met: int
    standards_basically_met: int
    standards_in_progress: int
    status_summary: str  # e.g. "4项标准中达标3项、基本达标1项"
    standards: list[StandardLine] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    @property
    def paragraphs(self) -> list[str]:
        """The explanation report's paragraphs (its lines that hold text)."""
        return [line.strip() for line in self.explanation.split("\n") if line.strip()]

    @property
    def assessment_text(self) -> str:
        """「自评得分7分（满分12分）；2项标准中达标2项……」"""
        head = (
            _("Self score: %(score)s") % {"score": _score_phrase(self.score, self.max_score)}
            if self.score is not None
            else _("Not yet scored")
        )
        return f"{head}；{self.status_summary}。"


def _score_phrase(score: Decimal | None, max_score: Decimal | None) -> str:
    if max_score is None:
        return _("%(score)s points") % {"score": score_text(score)}
    return _("%(score)s points (of %(max)s)") % {"score": score_text(score), "max": score_text(max_score)}


@dataclass
class ItemSection:
    """A 测评项目 (heading 「一、」)."""

    number: str  # "一、"
    code: str
    title: str
    score: Decimal | None
    max_score: Decimal | None
    standards_total: int
    standards_met: int
    standards_without_evidence: int
    indicators: list[IndicatorSection] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    @property
    def summary(self) -> str:
        """The item's standing in one sentence, under its heading."""
        text = _("This item has %(n)d standards, %(met)d of them met in the self-assessment") % {
            "n": self.standards_total,
            "met": self.standards_met,
        }
        if self.score is not None:
            text += "，" + _("self score %(score)s") % {"score": _score_phrase(self.score, self.max_score)}
        if self.standards_without_evidence:
            text += "；" + _("%(n)d standards have no accepted evidence yet") % {"n": self.standards_without_evidence}
        return text + "。"


@dataclass
class CoverageLine:
    """One bar of the coverage chart: a 测评项目's standards with and without accepted evidence."""

    title: str
    standards: int
    evidenced: int
    without_evidence: int


@dataclass
class AssessmentRow:
    """A row of attachment 1 (自评表): every node of the criteria tree."""

    code: str
    title: str
    level: int  # 1: 测评项目, 2: 测评指标, 3: 测评标准 (deeper trees go on)
    is_standard: bool
    kind: str  # Criterion.Kind value
    max_score: Decimal | None
    score: Decimal | None
    status_label: str  # a standard's status, or "达标 3/4" above it

    @property
    def max_score_text(self) -> str:
        return score_text(self.max_score)

    @property
    def score_text(self) -> str:
        return score_text(self.score)


@dataclass
class TaskRow:
    """A row of attachment 2 (创建工作任务分解表): a line of the breakdown."""

    code: str
    title: str
    standards: str  # the linked standards' codes
    lead_office: str
    supporting_offices: str
    responsible: str
    deadline: str  # 2026年3月5日, or 每月 / 长期 …
    status: str  # Task status value
    status_label: str


@dataclass
class EvidenceRow:
    """A line of attachment 3's index (佐证材料目录)."""

    archive_number: str
    title: str
    category_label: str
    office: str
    date: str  # the date taken, else the date it was filed
    kind: str  # EvidenceKind value


@dataclass
class Photo:
    """A captioned photo from a print copy (never the original). `print_copy` is a storage name; empty when the
    photo has no print copy (not made yet, or the image could not be read): the renderers say so in its place."""

    evidence_id: int
    archive_number: str
    title: str
    caption: str  # 时间 地点 人物 主题, as the uploader wrote it, with what the item records
    print_copy: str
    width: int | None = None
    height: int | None = None


@dataclass
class EvidenceGroup:
    """The evidence of one standard: its index lines and a selection of its photos."""

    code: str
    title: str
    rows: list[EvidenceRow] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    photos_total: int = 0  # every accepted photo of the standard (the selection shows at most a few)
    item_heading: str = ""  # the 测评项目 it belongs to, as in the body ("一、组织领导与创建机制"); "" for the rest


@dataclass
class VetoRow:
    """A row of attachment 4 (负面清单自查)."""

    code: str
    title: str
    level: int
    is_group: bool
    status: str  # VetoCondition.Status value ("" for a group row)
    status_label: str
    note: str


@dataclass
class Attachment:
    number: int
    title: str  # named without final punctuation, as the layout requires
    kind: str  # "assessment", "tasks", "evidence", "veto"

    @property
    def template(self) -> str:
        """The template that draws this attachment's body (one per kind, under reports/official/)."""
        return f"reports/official/_{self.kind}.html"

    @property
    def label(self) -> str:
        """「附件1」, the attachment's first line."""
        return f"附件{self.number}"


@dataclass
class ReportContent:
    campaign_id: int
    campaign_title: str
    organ: str
    target: str  # 全国文明单位
    title: str  # 「xx关于创建全国文明单位工作情况的报告」
    recipient: str  # 市文明办
    date: datetime.date
    date_text: str  # 2026年3月5日
    intro: list[str]  # the opening paragraphs (the campaign's standing in figures)
    coverage: list[CoverageLine]
    items: list[ItemSection]
    closing: str
    attachments: list[Attachment]
    assessment_rows: list[AssessmentRow]
    task_rows: list[TaskRow]
    evidence_groups: list[EvidenceGroup]
    veto_rows: list[VetoRow]
    signature_organ: str
    totals: dict[str, str] = field(default_factory=dict)  # figures quoted in the text, as text

    def indicators(self) -> list[IndicatorSection]:
        return [indicator for item in self.items for indicator in item.indicators]

    def photos(self) -> list[Photo]:
        return [photo for group in self.evidence_groups for photo in group.photos]

    def print_copy_names(self) -> set[str]:
        """The storage names of the print copies this report shows: what a renderer may read, and nothing else."""
        return {photo.print_copy for photo in self.photos() if photo.print_copy}


# --- Building it ------------------------------------------------------------------------------------------------


def _status_summary(total: int, met: int, basically: int, in_progress: int) -> str:
    not_started = total - met - basically - in_progress
    parts = [
        f"{Assessment.Status.MET.label}{met}项",
        f"{Assessment.Status.BASICALLY_MET.label}{basically}项",
        f"{Assessment.Status.IN_PROGRESS.label}{in_progress}项",
        f"{Assessment.Status.NOT_STARTED.label}{not_started}项",
    ]
    return _("%(total)d standards: %(parts)s") % {"total": total, "parts": "、".join(parts)}


def _standard_line(index: int, row: dashboard.CoverageRow) -> StandardLine:
    node = row.node
    assessment = node.assessment
    return StandardLine(
        number=f"{index}.",
        code=node.code,
        title=node.criterion.title,
        status=node.status,
        status_label=str(Assessment.Status(node.status).label),
        score=assessment.self_score if assessment else None,
        max_score=node.criterion.max_score,
        evidence_accepted=row.evidence_accepted,
        note=assessment.note if assessment else "",
    )


def _indicator(index: int, row: dashboard.CoverageRow) -> IndicatorSection:
    node = row.node
    explanation = node.explanation
    standards = [r for r in row.walk() if r.is_standard]
    return IndicatorSection(
        number=f"（{chinese_number(index)}）",
        code=node.code,
        title=node.criterion.title,
        explanation=(explanation.text if explanation else "").strip(),
        score=node.score_total if node.is_scored else None,
        max_score=node.max_total if node.is_scored else None,
        standards_total=node.standards,
        standards_met=node.met,
        standards_basically_met=node.basically_met,
        standards_in_progress=node.in_progress,
        status_summary=_status_summary(node.standards, node.met, node.basically_met, node.in_progress),
        standards=[_standard_line(i, r) for i, r in enumerate(standards, 1)],
    )


def _indicator_rows(item: dashboard.CoverageRow) -> list[dashboard.CoverageRow]:
    """The indicators under an item: the rows directly above standards (a standard hung straight under an item
    counts as its own indicator, so nothing of the tree is left out)."""
    found: list[dashboard.CoverageRow] = []

    def walk(row: dashboard.CoverageRow) -> None:
        if row.is_standard or any(child.is_standard for child in row.children):
            found.append(row)
            return
        for child in row.children:
            walk(child)

    for child in item.children:
        walk(child)
    return found


def _items(coverage: list[dashboard.CoverageRow]) -> list[ItemSection]:
    items = []
    for i, row in enumerate(coverage, 1):
        node = row.node
        items.append(
            ItemSection(
                number=f"{chinese_number(i)}、",
                code=node.code,
                title=node.criterion.title,
                score=row.score,
                max_score=row.max_score,
                standards_total=row.standards,
                standards_met=row.met,
                standards_without_evidence=row.without_evidence,
                indicators=[_indicator(j, r) for j, r in enumerate(_indicator_rows(row), 1)],
            )
        )
    return items


def _assessment_rows(coverage: list[dashboard.CoverageRow]) -> list[AssessmentRow]:
    rows = []
    for top in coverage:
        for row in top.walk():
            node: Node = row.node
            if row.is_standard:
                label = str(Assessment.Status(node.status).label)
                score = node.assessment.self_score if node.assessment else None
                max_score = node.criterion.max_score
            else:
                label = f"{Assessment.Status.MET.label} {node.met}/{node.standards}"
                score, max_score = row.score, row.max_score
            rows.append(
                AssessmentRow(
                    code=node.code,
                    title=node.criterion.title,
                    level=row.depth + 1,
                    is_standard=row.is_standard,
                    kind=node.kind,
                    max_score=max_score,
                    score=score,
                    status_label=label,
                )
            )
    return rows


def _deadline(task: Task) -> str:
    if task.recurrence != Recurrence.NONE:
        return str(Recurrence(task.recurrence).label)
    return official_date(task.deadline) if task.deadline else ""


def _task_rows(*, user: User, campaign: Campaign) -> list[TaskRow]:
    rows = []
    for task in task_rows(user=user, campaign=campaign).filter(parent__isnull=True):
        people = [p.display_name for p in task.responsible_people.all()] + task.pending_names
        rows.append(
            TaskRow(
                code=task.code,
                title=task.title,
                standards="、".join(c.code for c in task.standards.all()),
                lead_office=task.lead_office.name if task.lead_office else "",
                supporting_offices="、".join(o.name for o in task.supporting_offices.all()),
                responsible="、".join(people),
                deadline=_deadline(task),
                status=task.status,
                status_label=str(Status(task.status).label),
            )
        )
    return rows


def _caption(item: EvidenceItem) -> str:
    parts = [item.caption.strip() or item.title]
    if item.taken_on:
        parts.append(official_date(item.taken_on))
    if item.place:
        parts.append(item.place)
    if item.people:
        parts.append(item.people)
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return "　".join(seen)


def _photo(item: EvidenceItem) -> Photo:
    stored: StoredFile | None = item.stored_file
    ready = _has_print_copy(item)
    return Photo(
        evidence_id=item.pk,
        archive_number=item.archive_number,
        title=item.title,
        caption=_caption(item),
        print_copy=(stored.print_copy.name or "") if ready and stored is not None else "",
        width=stored.width if stored is not None else None,
        height=stored.height if stored is not None else None,
    )


def _evidence_groups(
    *, user: User, campaign: Campaign, coverage: list[dashboard.CoverageRow], photos_per_standard: int
) -> list[EvidenceGroup]:
    """Accepted evidence the user may read, grouped by primary standard (the standard its archive number
    belongs to) in the table's order: one query, the files and offices joined."""
    items = (
        evidence_visible_to(user, EvidenceItem.objects.current().alive())
        .filter(campaign=campaign, status=EvidenceItem.Status.ACCEPTED)
        .select_related("stored_file", "office")
        .order_by("archive_number", "pk")
    )
    by_standard: dict[int | None, list[EvidenceItem]] = defaultdict(list)
    for item in items:
        by_standard[item.primary_standard_id].append(item)
    groups = []
    for number, top in enumerate(coverage, 1):
        heading = f"{chinese_number(number)}、{top.node.criterion.title}"
        for row in top.walk():
            if not row.is_standard:
                continue
            found = by_standard.pop(row.node.criterion.pk, [])
            group = _group(row.node.code, row.node.criterion.title, found, photos_per_standard)
            group.item_heading = heading
            groups.append(group)
    rest = [item for rows in by_standard.values() for item in rows]
    if rest:
        groups.append(_group("", _("Not linked to a standard"), rest, photos_per_standard))
    return groups


def _has_print_copy(item: EvidenceItem) -> bool:
    stored = item.stored_file
    return stored is not None and stored.preview_status == StoredFile.PreviewStatus.READY and bool(stored.print_copy)


def _group(code: str, title: str, items: list[EvidenceItem], photos_per_standard: int) -> EvidenceGroup:
    # the selection shows photos that have a print copy first, in archive order
    photos = sorted((i for i in items if i.kind == EvidenceKind.PHOTO), key=lambda i: not _has_print_copy(i))
    return EvidenceGroup(
        code=code,
        title=title,
        rows=[
            EvidenceRow(
                archive_number=i.archive_number,
                title=i.title,
                category_label=str(EvidenceCategory(i.category).label),
                office=i.office.name,
                date=official_date(i.taken_on or timezone.localdate(i.created_at)),
                kind=i.kind,
            )
            for i in items
        ],
        photos=[_photo(i) for i in photos[:photos_per_standard]],
        photos_total=len(photos),
    )


def _veto_rows(campaign: Campaign) -> list[VetoRow]:
    conditions = veto_list(campaign)
    parents = {c.parent_id for c in conditions if c.parent_id}
    rows = []
    for c in conditions:
        group = c.pk in parents
        rows.append(
            VetoRow(
                code=c.code,
                title=c.title,
                level=c.level,
                is_group=group,
                status="" if group else c.status,
                status_label="" if group else str(VetoCondition.Status(c.status).label),
                note=c.note,
            )
        )
    return rows


def _intro(campaign: Campaign, h: dashboard.HeadlineFigures, vetoes: list[VetoRow]) -> list[str]:
    figures = {
        "organ": campaign.organ_name,
        "target": str(Campaign.Target(campaign.target).label),
        "start": official_date(campaign.start_date),
        "standards": h.standards,
        "met": h.standards_met,
        "basically": h.standards_basically_met,
        "evidenced": h.evidenced,
        "tasks": h.tasks.total,
        "done": h.tasks.done,
        "accepted": h.evidence.accepted,
    }
    paragraphs = [
        _(
            "Since %(start)s, %(organ)s has worked to be named a %(target)s following the evaluation system, item by "
            "item and standard by standard. The report on the work follows."
        )
        % figures,
        _(
            "Of the %(standards)d standards, the self-assessment finds %(met)d met and %(basically)d basically met; "
            "%(evidenced)d standards have accepted evidence. Of the %(tasks)d tasks of the breakdown %(done)d are "
            "done, and %(accepted)d evidence items have been accepted into the archive."
        )
        % figures,
    ]
    if h.max_score:
        paragraphs[-1] += _("The self score is %(score)s of %(max)s.") % {
            "score": score_text(h.score or Decimal(0)),
            "max": score_text(h.max_score),
        }
    conditions = [v for v in vetoes if not v.is_group]
    if conditions:
        touched = sum(1 for v in conditions if v.status != VetoCondition.Status.CLEAR)
        paragraphs.append(
            _("Of the %(n)d veto conditions, none is touched.") % {"n": len(conditions)}
            if touched == 0
            else _("Of the %(n)d veto conditions, %(touched)d are touched or at risk (attachment 4).")
            % {"n": len(conditions), "touched": touched}
        )
    return paragraphs


def report_title(campaign: Campaign) -> str:
    target = str(Campaign.Target(campaign.target).label)
    return _("%(organ)s: report on the work to be named a %(target)s") % {
        "organ": campaign.organ_name,
        "target": target,
    }


def report_content(
    campaign: Campaign,
    *,
    user: User,
    on: datetime.date | None = None,
    photos_per_standard: int | None = None,
) -> ReportContent:
    """The report of `campaign` as `user` may read it, dated `on` (today by default).

    A constant number of queries whatever the size of the campaign: the headline figures, the coverage (tree,
    requirements, evidence per standard), the tasks with their offices and people, the accepted evidence with
    its files, the veto list."""
    day = on or timezone.localdate()
    per_standard = (
        photos_per_standard
        if photos_per_standard is not None
        else getattr(settings, "REPORT_PHOTOS_PER_STANDARD", DEFAULT_PHOTOS_PER_STANDARD)
    )
    headline = dashboard.headline_figures(campaign=campaign, user=user, today=day)
    coverage = dashboard.coverage_by_item(campaign=campaign, user=user)
    vetoes = _veto_rows(campaign)
    attachments = [
        Attachment(1, _("Self-assessment table"), "assessment"),
        Attachment(2, _("Task breakdown table"), "tasks"),
        Attachment(3, _("Index of supporting evidence"), "evidence"),
        Attachment(4, _("Self-check against the negative list"), "veto"),
    ]
    return ReportContent(
        campaign_id=campaign.pk,
        campaign_title=campaign.title,
        organ=campaign.organ_name,
        target=str(Campaign.Target(campaign.target).label),
        title=report_title(campaign),
        recipient=getattr(settings, "REPORT_RECIPIENT", RECIPIENT),
        date=day,
        date_text=official_date(day),
        intro=_intro(campaign, headline, vetoes),
        coverage=[
            CoverageLine(
                title=row.criterion.title,
                standards=row.standards,
                evidenced=row.evidenced,
                without_evidence=row.without_evidence,
            )
            for row in coverage
        ],
        items=_items(coverage),
        closing=_("This is our report; please review it."),
        attachments=attachments,
        assessment_rows=_assessment_rows(coverage),
        task_rows=_task_rows(user=user, campaign=campaign),
        evidence_groups=_evidence_groups(
            user=user, campaign=campaign, coverage=coverage, photos_per_standard=per_standard
        ),
        veto_rows=vetoes,
        signature_organ=campaign.organ_name,
        totals={
            "standards": str(headline.standards),
            "standards_met": str(headline.standards_met),
            "score": score_text(headline.score),
            "max_score": score_text(headline.max_score),
            "tasks": str(headline.tasks.total),
            "tasks_done": str(headline.tasks.done),
            "evidence_accepted": str(headline.evidence.accepted),
        },
    )
