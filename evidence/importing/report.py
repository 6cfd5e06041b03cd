"""The report of one import: what was taken, what was a duplicate (of an item in the archive, or of another file of
the same run), what was refused and why, what was not filed; as lines for the command, as a JSON summary for the
background job's page and as a workbook to download."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TAKEN = "taken"
DUPLICATE = "duplicate"
REFUSED = "refused"
NOT_FILED = "not_filed"
OUTCOMES = (TAKEN, DUPLICATE, REFUSED, NOT_FILED)
OUTCOME_LABELS = {
    TAKEN: gettext_lazy("Taken"),
    DUPLICATE: gettext_lazy("Duplicate"),
    REFUSED: gettext_lazy("Refused"),
    NOT_FILED: gettext_lazy("Not filed"),
}
# The job's page lists at most this many lines of each outcome; the workbook has them all.
SUMMARY_LINES = 200


@dataclass
class Line:
    outcome: str
    path: str
    standard: str = ""  # the standard's code
    activity: str = ""
    title: str = ""
    archive_number: str = ""
    reason: str = ""
    item_id: int | None = None


@dataclass
class ImportReport:
    source: str
    office: str
    dry_run: bool
    lines: list[Line] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # hidden files
    activities_created: list[str] = field(default_factory=list)
    activities_linked: list[str] = field(default_factory=list)

    def add(self, outcome: str, path: str, **details: Any) -> Line:
        line = Line(outcome=outcome, path=path, **details)
        self.lines.append(line)
        return line

    def of(self, outcome: str) -> list[Line]:
        return [line for line in self.lines if line.outcome == outcome]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for line in self.lines:
            counts[line.outcome] += 1
        counts["skipped"] = len(self.skipped)
        return counts

    def headline(self) -> str:
        c = self.counts()
        text = (
            _(
                "%(taken)d taken, %(duplicate)d duplicates, %(refused)d refused, %(not_filed)d not filed, "
                "%(skipped)d hidden files skipped."
            )
            % c
        )
        if self.dry_run:
            text = _("Check only, nothing was changed: %(counts)s") % {"counts": text}
        return text

    def summary(self) -> dict[str, Any]:
        """What the job's page shows (JSON)."""
        return {
            "source": self.source,
            "office": self.office,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "lines": {outcome: [asdict(line) for line in self.of(outcome)[:SUMMARY_LINES]] for outcome in OUTCOMES},
            "activities_created": self.activities_created[:SUMMARY_LINES],
            "activities_linked": self.activities_linked[:SUMMARY_LINES],
        }

    def text_lines(self) -> list[str]:
        """The report as the command prints it, in the active language, one line a file."""
        out = [self.headline()]
        if self.activities_created:
            names = "、".join(self.activities_created)
            if self.dry_run:
                out.append(_("Activities that would be created: %(names)s") % {"names": names})
            else:
                out.append(_("Activities created: %(names)s") % {"names": names})
        if self.activities_linked:
            out.append(_("Existing activities linked: %(names)s") % {"names": "、".join(self.activities_linked)})
        for outcome in OUTCOMES:
            lines = self.of(outcome)
            if not lines:
                continue
            out.append(f"[{OUTCOME_LABELS[outcome]}] {len(lines)}")
            for line in lines:
                out.append(f"  {line.path}{_describe(line)}")
        return out

    def write_xlsx(self, fh: IO[bytes]) -> None:
        """The whole report as a workbook: one row a file."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Import report"))
        for column, width in zip("ABCDEFG", (10, 60, 12, 24, 30, 14, 60), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A3"
        sheet.append([f"{self.source} → {self.office}: {self.headline()}"])
        bold = Font(bold=True)
        header = []
        for title in (
            _("Result"),
            _("File"),
            _("Standard"),
            _("Activity"),
            _("Title"),
            _("Archive number"),
            _("Reason"),
        ):
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for outcome in OUTCOMES:
            for line in self.of(outcome):
                sheet.append(
                    [
                        str(OUTCOME_LABELS[outcome]),
                        line.path,
                        line.standard,
                        line.activity,
                        line.title,
                        line.archive_number,
                        line.reason,
                    ]
                )
        for path in self.skipped:
            sheet.append([_("Skipped"), path, "", "", "", "", _("A hidden or system file.")])
        book.save(fh)


def _describe(line: Line) -> str:
    parts = []
    if line.standard:
        parts.append(line.standard)
    if line.activity:
        parts.append(_("activity “%(title)s”") % {"title": line.activity})
    if line.archive_number:
        parts.append(line.archive_number)
    if line.reason:
        parts.append(line.reason)
    return f" → {'；'.join(parts)}" if parts else ""
