"""One run of the readiness check: the campaign, the day, the settings, and what several rules read, each read
once on first use, whatever the number of standards: the criteria tree (one query, campaign.selectors), the
evidence per standard (two, evidence.selectors), the offices (one) and the office responsible for each standard
(one). A rule adds a fixed number of queries of its own, so the whole check costs the same number of queries
however large the archive grows.
"""

from __future__ import annotations

import datetime
import functools
from functools import cached_property

from django.conf import settings
from django.db.models import QuerySet
from django.utils import formats, timezone, translation

from campaign.models import Campaign, Criterion, EvidenceCategory
from campaign.selectors import Node, Tree, criteria_tree
from civunit.accounts.models import Office
from evidence.models import EvidenceItem
from evidence.selectors import EvidenceByStandard, standards_evidence
from tasks.models import Task

from .registry import RULES, Finding


def day_text(day: datetime.date) -> str:
    """A date as the page writes it (2026年3月5日 under zh-hans)."""
    return _day_text(day, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _day_text(day: datetime.date, language: str | None) -> str:
    # Django's date formatting costs about 0.1 ms; a rule may name thousands of days, most of them the same
    return formats.date_format(day, "DATE_FORMAT")


def gettext(message: str) -> str:
    """translation.gettext() in the active language, remembered: a check writes the same few texts for hundreds
    of findings, and Django's lookup through its catalogs costs several microseconds each time."""
    return _gettext(message, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _gettext(message: str, language: str | None) -> str:
    return translation.gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    """translation.ngettext() in the active language, remembered (as gettext() above)."""
    return _ngettext(singular, plural, number, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _ngettext(singular: str, plural: str, number: int, language: str | None) -> str:
    return translation.ngettext(singular, plural, number)


def category_label(category: str) -> str:
    """The name of an evidence category in the active language (the category itself when unknown)."""
    return _category_label(category, translation.get_language())


@functools.lru_cache(maxsize=256)
def _category_label(category: str, language: str | None) -> str:
    return str(dict(EvidenceCategory.choices).get(category, category))


class Check:
    def __init__(
        self,
        *,
        campaign: Campaign,
        today: datetime.date | None = None,
        exif_days: int | None = None,
        phash_distance: int | None = None,
    ) -> None:
        self.campaign = campaign
        self.today = today or timezone.localdate()
        #: a photo's camera date may lie this many days from its activity's date
        self.exif_days: int = settings.READINESS_EXIF_DAYS if exif_days is None else exif_days
        #: two photos whose perceptual hashes differ in at most this many of 64 bits are "the same photo"
        self.phash_distance: int = settings.READINESS_PHASH_DISTANCE if phash_distance is None else phash_distance

    # --- the criteria ---------------------------------------------------------------------------------------

    @cached_property
    def tree(self) -> Tree:
        return criteria_tree(self.campaign)

    @cached_property
    def nodes(self) -> dict[int, Node]:
        return {node.criterion.pk: node for node in self.tree.nodes}

    def criterion(self, pk: int | None) -> Criterion | None:
        node = self.nodes.get(pk) if pk is not None else None
        return node.criterion if node is not None else None

    def item_of(self, criterion: Criterion | None) -> Criterion | None:
        """The 测评项目 a standard or an indicator belongs to (the root of its branch)."""
        node = self.nodes.get(criterion.pk) if criterion is not None else None
        while node is not None and node.parent is not None:
            node = node.parent
        return node.criterion if node is not None else None

    @cached_property
    def evidence(self) -> EvidenceByStandard:
        return standards_evidence(campaign=self.campaign)

    @cached_property
    def inspection_date(self) -> datetime.date | None:
        return self.campaign.inspection_date

    # --- offices --------------------------------------------------------------------------------------------

    @cached_property
    def offices(self) -> dict[int, Office]:
        return {office.pk: office for office in Office.objects.all()}

    def office(self, pk: int | None) -> Office | None:
        return self.offices.get(pk) if pk is not None else None

    @cached_property
    def _standard_office_ids(self) -> dict[int, int]:
        """The office responsible for each standard: the lead office of the first line of the breakdown (in
        code order) linked to it. One query."""
        links = (
            Task.standards.through.objects.filter(task__campaign=self.campaign, task__parent__isnull=True)
            .order_by("task__code_key", "task_id")
            .values_list("criterion_id", "task__lead_office_id")
        )
        result: dict[int, int] = {}
        for criterion_id, office_id in links:
            result.setdefault(criterion_id, office_id)
        return result

    def office_of_standard(self, criterion_id: int) -> Office | None:
        return self.office(self._standard_office_ids.get(criterion_id))

    # --- evidence -------------------------------------------------------------------------------------------

    def items(self) -> QuerySet[EvidenceItem]:
        """What an inspector would be shown: the current, not deleted versions of the campaign's items that were
        not returned (a returned item is already the reviewer's business)."""
        return EvidenceItem.objects.filter(campaign=self.campaign, is_current=True, deleted_at__isnull=True).exclude(
            status=EvidenceItem.Status.RETURNED
        )


def run(check: Check, names: list[str] | None = None) -> list[Finding]:
    """Every registered rule (or those named), in registration order."""
    found: list[Finding] = []
    for name, rule in RULES.items():
        if names is None or name in names:
            found.extend(rule.run(check))
    return found
