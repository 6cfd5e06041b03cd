"""The archive's integrity check (`manage.py verify_archive`): every stored original and derived file against
the database, on whichever storage holds them.

- every evidence original (StoredFile.file) is read in full and its size and SHA-256 compared with the row's;
- every preview (thumbnail, screen, print copy) likewise with the size and SHA-256 recorded when it was made
  (previews made before that was recorded are checked for presence only, and counted as unverified);
- every kept job result (a binder ZIP, a report) with the size and SHA-256 its job recorded;
- every stored file under the evidence folders and jobs/ that no row names, older than the grace period of the
  sweep (EVIDENCE_TEMP_GRACE_HOURS: a younger one may belong to an upload whose row is being committed), is an
  orphan.

Each finding is one line; each run is recorded (ArchiveCheck) and the coordinator sees the latest on the
dashboard. A run with findings notifies the coordinators and administrators.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import batched, chain

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civunit.accounts.models import User
from civunit.accounts.roles import Role
from civunit.jobs.models import Job
from civunit.notifications.models import Notification
from civunit.notifications.services import notify

from . import files
from .models import ArchiveCheck, StoredFile
from .selectors import latest_archive_check

MISSING, SIZE, SHA256, ORPHAN = "missing", "size", "sha256", "orphan"
FINDING_LABELS = {
    MISSING: gettext_lazy("Missing"),
    SIZE: gettext_lazy("Size differs"),
    SHA256: gettext_lazy("Content changed"),
    ORPHAN: gettext_lazy("Orphan"),
}
JOBS_FOLDER = "jobs"
PREVIEW_FIELDS = ("thumbnail", "screen", "print_copy")


@dataclass(frozen=True)
class Finding:
    kind: str  # MISSING, SIZE, SHA256 or ORPHAN
    name: str  # the stored name
    detail: str  # what was expected and found, for people

    def line(self) -> str:
        return f"{self.kind}\t{self.name}\t{self.detail}"


@dataclass
class CheckReport:
    started_at: datetime.datetime
    storage: str
    finished_at: datetime.datetime | None = None
    files_checked: int = 0
    bytes_checked: int = 0
    unverified: int = 0
    findings: list[Finding] = field(default_factory=list)

    def count(self, *kinds: str) -> int:
        return sum(1 for f in self.findings if f.kind in kinds)


def storage_label() -> str:
    store = files.storage()
    bucket = getattr(store, "bucket_name", "")
    return f"{type(store).__name__} {bucket}".strip()[:200]


class _Checker:
    def __init__(self, report: CheckReport, on_finding: Callable[[Finding], None] | None):
        self.report = report
        self.on_finding = on_finding

    def found(self, kind: str, name: str, detail: str) -> None:
        finding = Finding(kind, name, detail)
        self.report.findings.append(finding)
        if self.on_finding is not None:
            self.on_finding(finding)

    def compare(self, name: str, size: int, sha256: str, what: str) -> None:
        """Read `name` in full and compare it with the recorded size and SHA-256."""
        self.report.files_checked += 1
        try:
            digest = files.digest_of(name)
        except FileNotFoundError:
            self.found(MISSING, name, _("%(what)s is missing") % {"what": what})
            return
        self.report.bytes_checked += digest.size
        if digest.size != size:
            self.found(
                SIZE,
                name,
                _("%(what)s has %(found)s bytes, %(recorded)s recorded")
                % {"what": what, "found": digest.size, "recorded": size},
            )
        elif digest.sha256 != sha256:
            self.found(
                SHA256,
                name,
                _("%(what)s has SHA-256 %(found)s, %(recorded)s recorded")
                % {"what": what, "found": digest.sha256, "recorded": sha256},
            )

    def present(self, name: str, what: str) -> None:
        """A file without a recorded digest: it must exist and not be empty."""
        self.report.files_checked += 1
        self.report.unverified += 1
        try:
            size = files.storage().size(name)
        except FileNotFoundError:
            self.found(MISSING, name, _("%(what)s is missing") % {"what": what})
            return
        if not size:
            self.found(SIZE, name, _("%(what)s is empty") % {"what": what})


def _originals_and_previews(checker: _Checker) -> None:
    rows = StoredFile.objects.order_by("pk").values_list(
        "pk", "file", "size", "sha256", *PREVIEW_FIELDS, "preview_digests"
    )
    for pk, name, size, sha256, thumbnail, screen, print_copy, digests in rows.iterator(chunk_size=500):
        if not name:
            checker.found(MISSING, f"#{pk}", _("stored file #%(pk)s names no file") % {"pk": pk})
        else:
            checker.compare(name, size, sha256, _("original #%(pk)s") % {"pk": pk})
        for variant, preview in zip(PREVIEW_FIELDS, (thumbnail, screen, print_copy), strict=True):
            if not preview:
                continue
            what = _("%(variant)s of #%(pk)s") % {"variant": variant, "pk": pk}
            recorded = (digests or {}).get(variant)
            if isinstance(recorded, dict) and "size" in recorded and "sha256" in recorded:
                checker.compare(preview, int(recorded["size"]), str(recorded["sha256"]), what)
            else:
                checker.present(preview, what)


def _job_results(checker: _Checker) -> None:
    rows = Job.objects.exclude(result="").order_by("pk").values_list("pk", "result", "result_size", "result_sha256")
    for pk, name, size, sha256 in rows.iterator(chunk_size=500):
        checker.compare(name, size or 0, sha256, _("result of job #%(pk)s") % {"pk": pk})


def _referenced(batch: Iterable[str], *, jobs: bool) -> set[str]:
    batch = list(batch)
    if jobs:
        return set(Job.objects.filter(result__in=batch).values_list("result", flat=True))
    any_field = Q()
    for name in files.FILE_FIELDS:
        any_field |= Q(**{f"{name}__in": batch})
    return set(chain.from_iterable(StoredFile.objects.filter(any_field).values_list(*files.FILE_FIELDS)))


def _orphans(checker: _Checker, cutoff: datetime.datetime) -> None:
    store = files.storage()
    for folders, jobs in ((files.SWEPT_FOLDERS, False), ((JOBS_FOLDER,), True)):
        names: Iterator[str] = files.stored_names(folders)
        for batch in batched(names, 500):
            named = _referenced(batch, jobs=jobs)
            for name in batch:
                if name in named:
                    continue
                try:
                    modified = store.get_modified_time(name)
                    size = store.size(name)
                except FileNotFoundError:  # removed meanwhile (the sweep)
                    continue
                if modified >= cutoff:
                    continue
                checker.found(
                    ORPHAN,
                    name,
                    _("no row refers to it (%(size)s, last changed %(at)s)")
                    % {"size": filesizeformat(size), "at": f"{timezone.localtime(modified):%Y-%m-%d %H:%M}"},
                )


def check_archive(
    *,
    now: datetime.datetime | None = None,
    grace_hours: float | None = None,
    on_finding: Callable[[Finding], None] | None = None,
) -> CheckReport:
    """Check every stored file against the database; `on_finding` hears each finding as it is made."""
    started = now or timezone.now()
    hours = settings.EVIDENCE_TEMP_GRACE_HOURS if grace_hours is None else grace_hours
    report = CheckReport(started_at=started, storage=storage_label())
    checker = _Checker(report, on_finding)
    _originals_and_previews(checker)
    _job_results(checker)
    _orphans(checker, started - datetime.timedelta(hours=hours))
    report.finished_at = max(timezone.now(), started)
    return report


def _recipients() -> list[User]:
    running = Q(groups__name__in=[Role.COORDINATOR.group_name, Role.ADMIN.group_name]) | Q(is_superuser=True)
    return list(User.objects.filter(running, is_active=True).distinct().order_by("pk"))


@transaction.atomic
def archive_check_record(*, report: CheckReport) -> ArchiveCheck:
    """Keep the run and, when it found anything, notify the coordinators and administrators (in the same
    transaction: a run that is not recorded notifies nobody)."""
    check = ArchiveCheck.objects.create(
        started_at=report.started_at,
        finished_at=report.finished_at or report.started_at,
        storage=report.storage,
        files_checked=report.files_checked,
        bytes_checked=report.bytes_checked,
        missing=report.count(MISSING),
        mismatched=report.count(SIZE, SHA256),
        orphans=report.count(ORPHAN),
        unverified=report.unverified,
        findings=[
            {"kind": f.kind, "name": f.name, "detail": f.detail} for f in report.findings[: ArchiveCheck.MAX_KEPT]
        ],
    )
    if not check.ok:
        with translation.override(settings.LANGUAGE_CODE):
            text = ngettext(
                "The archive integrity check found %(n)s problem: %(missing)s missing, %(mismatched)s changed, "
                "%(orphans)s orphaned.",
                "The archive integrity check found %(n)s problems: %(missing)s missing, %(mismatched)s changed, "
                "%(orphans)s orphaned.",
                check.problems,
            ) % {
                "n": check.problems,
                "missing": check.missing,
                "mismatched": check.mismatched,
                "orphans": check.orphans,
            }
        for person in _recipients():
            notify(
                recipient=person,
                kind=Notification.Kind.ARCHIVE_CHECK_FAILED,
                obj=check,
                text=text,
                day=timezone.localdate(check.started_at),
            )
    return check


def check_is_due(*, now: datetime.datetime | None = None) -> bool:
    """Whether EVIDENCE_VERIFY_INTERVAL_DAYS have passed since the last check (by Asia/Shanghai days, so that a
    daily run at a fixed hour checks on the same weekday)."""
    last = latest_archive_check()
    if last is None:
        return True
    today = timezone.localdate(now or timezone.now())
    interval: int = settings.EVIDENCE_VERIFY_INTERVAL_DAYS
    return (today - timezone.localdate(last.started_at)).days >= interval
