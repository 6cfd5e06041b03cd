"""The audit trail as a workbook (formatted like the other tables: civunit.xlsx_table, formula-safe text)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from civunit.xlsx_table import Column, TableBook

from . import selectors

EXPORT_LIMIT = 50_000  # newest first; a wider period is exported in parts (the date filter)
CHUNK = 500


def audit_workbook(f: selectors.AuditFilter) -> bytes:
    columns = [
        Column("at", _("Time"), 20, align="centre"),
        Column("person", _("Person"), 14),
        Column("office", _("Office"), 18),
        Column("kind", _("Kind"), 12, align="centre"),
        Column("action", _("Action"), 16),
        Column("object", _("Object"), 36),
        Column("details", _("Details"), 40),
        Column("ip", _("Address"), 16, align="code"),
    ]
    book = TableBook()
    sheet = book.sheet(
        _("Audit trail"),
        title=_("Audit trail"),
        subtitle=_("Exported %(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        columns=columns,
    )
    ids = list(selectors.timeline(f)[:EXPORT_LIMIT])
    for start in range(0, len(ids), CHUNK):
        for row in selectors.hydrate(ids[start : start + CHUNK]):
            sheet.append(
                {
                    "at": timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                    "person": (row.actor.real_name or row.actor.username) if row.actor else _("System"),
                    "office": row.office_name,
                    "kind": str(row.source.label),
                    "action": row.action,
                    "object": row.object_label,
                    "details": "\n".join(row.details),
                    "ip": row.ip,
                }
            )
    return book.to_bytes()
