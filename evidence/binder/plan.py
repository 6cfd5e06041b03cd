"""What goes where in a binder: the folders, each item's file name and the rows of each folder's index, read
from the database in four queries whatever the number of items (the items, their links, the criteria, the
campaign) before a byte is written.

The binder holds the accepted version of each accepted item of a campaign (the current version, not in the
recycle bin: while a newer version waits for review the accepted one stays current). By standard, each item's
file is filed once, under its primary standard, in a folder named by the standard's code and title, and the item
is listed (not copied) in the index of every other standard it supports; by year, in the folder of the year of its
date. An item that is a link (a media report online) has no file: its index row carries the address.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Campaign, Criterion, EvidenceCategory

from ..models import EvidenceItem, EvidenceStandard
from .names import MAX_FOLDER_BYTES, Namer, clean_text, cut_bytes, safe_component


class Layout(TextChoices):
    STANDARD = "standard", gettext_lazy("By standard")
    YEAR = "year", gettext_lazy("By year")


# Formats already compressed (images, audio and video, and the zip containers of Office and OFD files): stored
# as they are. Deflating them costs time and gains nothing.
STORED_FORMATS = frozenset(
    {"jpeg", "png", "webp", "heic", "ofd", "docx", "pptx", "xlsx", "mp3", "m4a", "mp4", "mov", "pdf"}
)


@dataclass
class Entry:
    """One item as the binder shows it."""

    item_id: int
    archive_number: str
    title: str
    category: str
    date: datetime.date
    office: str
    url: str  # a link item: no file
    standard_code: str
    stored_name: str = ""  # in the storage
    size: int = 0
    sha256: str = ""
    format: str = ""
    modified: datetime.datetime | None = None
    folder: str = ""  # where its file is filed (a folder of the binder)
    name: str = ""  # its file name there
    listed_in: list[str] = field(default_factory=list)
    problem: str = ""  # set while writing when the stored file is missing or not as recorded

    @property
    def has_file(self) -> bool:
        return bool(self.stored_name)

    @property
    def path(self) -> str:
        """The file's path inside the ZIP."""
        return f"{self.folder}/{self.name}"

    @property
    def compress(self) -> bool:
        return self.format not in STORED_FORMATS


@dataclass
class BinderFolder:
    name: str
    heading: str  # what the cover's index calls it (code and title in full, or the year)
    filed: list[Entry] = field(default_factory=list)
    listed: list[Entry] = field(default_factory=list)  # filed elsewhere, supporting this standard too

    @property
    def index_name(self) -> str:
        return f"{self.name}/{index_file_name()}"


@dataclass
class BinderPlan:
    campaign: Campaign
    layout: str
    generated_at: datetime.datetime
    folders: list[BinderFolder]
    entries: list[Entry]
    # Standards without any accepted item (by standard only), for the cover's index.
    empty_standards: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[Entry]:
        return [e for e in self.entries if e.has_file]

    @property
    def total_bytes(self) -> int:
        return sum(e.size for e in self.entries if e.has_file)

    @property
    def layout_label(self) -> str:
        return str(Layout(self.layout).label)

    def archive_name(self) -> str:
        """The ZIP's file name, e.g. 台账资料归档_按测评标准_20260305.zip."""
        title = _("Evidence binder")
        stem = f"{title}_{self.layout_label}_{timezone.localtime(self.generated_at):%Y%m%d}"
        return f"{safe_component(stem, limit=MAX_FOLDER_BYTES, fallback='binder')}.zip"


def index_file_name() -> str:
    return _("Index") + ".xlsx"


def cover_file_name() -> str:
    return _("Cover and index") + ".pdf"


def _date(row: Mapping[str, Any]) -> datetime.date:
    """The item's date: when it was taken (or its activity held), else the day it was accepted."""
    day: datetime.date | None = row["taken_on"] or row["activity__date"]
    if day is not None:
        return day
    moment: datetime.datetime = row["reviewed_at"] or row["created_at"]
    return timezone.localtime(moment).date()


def accepted_items(campaign: Campaign) -> Iterable[Mapping[str, Any]]:
    """The accepted version of each accepted item of the campaign, as the binder needs it (one query)."""
    rows: Iterable[Mapping[str, Any]] = (
        EvidenceItem.objects.filter(campaign=campaign)
        .current()
        .alive()
        .accepted()
        .values(
            "pk",
            "archive_number",
            "title",
            "category",
            "taken_on",
            "activity__date",
            "reviewed_at",
            "created_at",
            "office__name",
            "url",
            "primary_standard_id",
            "stored_file__file",
            "stored_file__size",
            "stored_file__sha256",
            "stored_file__format",
            "stored_file__created_at",
        )
        .order_by("pk")
    )
    return rows


def build_plan(*, campaign: Campaign, layout: str = Layout.STANDARD, pattern: str | None = None) -> BinderPlan:
    """The binder of `campaign` laid out by standard or by year. Call it with the language of the binder active."""
    layout = Layout(layout)
    namer = Namer(pattern or settings.EVIDENCE_BINDER_NAME_PATTERN)
    criteria = {c.pk: c for c in Criterion.objects.filter(campaign=campaign).order_by("ordering", "pk")}
    rows = list(accepted_items(campaign))
    links: dict[int, list[int]] = defaultdict(list)
    # The same items by a join, not a list of ids (SQLite refuses more than 32,766 parameters).
    for item_id, criterion_id in (
        EvidenceStandard.objects.filter(
            item__campaign=campaign,
            item__is_current=True,
            item__deleted_at__isnull=True,
            item__status=EvidenceItem.Status.ACCEPTED,
        )
        .order_by("item_id", "position")
        .values_list("item_id", "criterion_id")
    ):
        links[item_id].append(criterion_id)
    categories = dict(EvidenceCategory.choices)
    unlinked_code = _("unlinked")

    entries: list[Entry] = []
    standards_of: dict[int, list[int]] = {}
    for row in rows:
        linked = [c for c in links.get(row["pk"], []) if c in criteria]
        primary = row["primary_standard_id"] if row["primary_standard_id"] in criteria else None
        if primary is None and linked:
            primary = linked[0]
        ordered = ([primary] if primary else []) + [c for c in linked if c != primary]
        standards_of[row["pk"]] = ordered
        entries.append(
            Entry(
                item_id=row["pk"],
                archive_number=row["archive_number"],
                title=row["title"],
                category=str(categories.get(row["category"], row["category"])),
                date=_date(row),
                office=row["office__name"],
                url=row["url"] if not row["stored_file__file"] else "",
                standard_code=criteria[primary].code if primary else unlinked_code,
                stored_name=row["stored_file__file"] or "",
                size=row["stored_file__size"] or 0,
                sha256=row["stored_file__sha256"] or "",
                format=row["stored_file__format"] or "",
                modified=row["stored_file__created_at"],
            )
        )
    entries.sort(key=lambda e: (e.date, e.archive_number, e.title, e.item_id))

    folders: dict[object, BinderFolder] = {}
    taken = namer.folder("")  # the binder's top level
    taken.reserve(cover_file_name())

    def folder(key: object, text: str, heading: str) -> BinderFolder:
        if key not in folders:
            base = safe_component(text, limit=MAX_FOLDER_BYTES, fallback="_")
            name, n = base, 1
            while not taken.take(name):
                n += 1
                name = f"{cut_bytes(base, MAX_FOLDER_BYTES - 8).rstrip(' .')} ({n})"
            namer.folder(name).reserve(index_file_name())
            folders[key] = BinderFolder(name=name, heading=heading)
        return folders[key]

    def standard_folder(criterion_id: int | None) -> BinderFolder:
        if criterion_id is None:
            label = _("Not linked to a standard")
            return folder(None, label, label)
        c = criteria[criterion_id]
        return folder(criterion_id, f"{c.code} {c.title}", f"{c.code} {clean_text(c.title)}")

    if layout == Layout.STANDARD:
        # Folders in the order of the criteria tree; the items of each in date order.
        used = {c for ordered in standards_of.values() for c in ordered}
        for criterion_id in criteria:
            if criterion_id in used:
                standard_folder(criterion_id)
        for entry in entries:
            ordered = standards_of[entry.item_id]
            home = standard_folder(ordered[0] if ordered else None)
            home.filed.append(entry)
            entry.folder = home.name
            for other in ordered[1:]:
                listed = standard_folder(other)
                listed.listed.append(entry)
                entry.listed_in.append(listed.name)
        empty = [f"{c.code} {clean_text(c.title)}" for c in criteria.values() if c.is_leaf and c.pk not in folders]
    else:
        for entry in sorted(entries, key=lambda e: e.date.year):
            label = _("Year %(year)s") % {"year": entry.date.year}
            home = folder(entry.date.year, label, label)
            home.filed.append(entry)
            entry.folder = home.name
        empty = []

    for binder_folder in folders.values():
        for entry in binder_folder.filed:
            if not entry.has_file:
                continue
            entry.name = namer.name(
                binder_folder.name,
                {
                    "standard": entry.standard_code,
                    "YYYYMMDD": f"{entry.date:%Y%m%d}",
                    "YYYY": f"{entry.date:%Y}",
                    "MM": f"{entry.date:%m}",
                    "DD": f"{entry.date:%d}",
                    "title": entry.title,
                    "ext": PurePosixPath(entry.stored_name).suffix.lstrip("."),
                    "archive_number": entry.archive_number,
                    "category": entry.category,
                    "office": entry.office,
                },
                fallback_title=_("untitled"),
            )
    return BinderPlan(
        campaign=campaign,
        layout=layout,
        generated_at=timezone.now(),
        folders=list(folders.values()),
        entries=entries,
        empty_standards=empty,
    )
