"""python manage.py import_tasks FILE [--dry-run] [--on-conflict refuse|update]: import a task breakdown workbook
into the current campaign. Messages are in Chinese, as on the web.

Rows whose 序号 is an existing task's but whose text is clearly different (another table) are conflicts: they are
listed, and nothing is imported unless --on-conflict update says to update those tasks too."""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from campaign.models import Campaign
from civunit.accounts.models import User
from civunit.xlsx import WorkbookError
from tasks.excel import apply_plan, plan_import, read_sheet
from tasks.excel.planning import ON_CONFLICT

LANGUAGE = "zh-hans"
LISTED = 50  # codes listed per line of the report; the counts are always complete


def _codes(codes: list[str]) -> str:
    shown = "、".join(codes[:LISTED])
    return shown + ("……" if len(codes) > LISTED else "")


def _change(change) -> str:
    return f"{change.label}：{change.old or '—'} → {change.new or '—'}"


class Command(BaseCommand):
    help = (
        "Import a task breakdown (工作任务分解表, .xlsx): all rows or none; --dry-run shows what would change; rows "
        "numbered like an existing task of clearly different text are refused unless --on-conflict update."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and import nothing.")
        parser.add_argument("--campaign", type=int, help="Campaign id (default: the current campaign).")
        parser.add_argument("--user", help="Username recorded as the importer.")
        parser.add_argument(
            "--on-conflict",
            choices=ON_CONFLICT,
            default="refuse",
            help="Rows numbered like an existing task of clearly different text: refuse the import (default) or "
            "update those tasks.",
        )

    def handle(self, *args, **options):
        with translation.override(LANGUAGE):
            self._import(**options)

    def _import(
        self,
        *,
        file: Path,
        dry_run: bool,
        campaign: int | None,
        user: str | None,
        on_conflict: str,
        **options,
    ) -> None:
        target = Campaign.objects.filter(pk=campaign).first() if campaign else Campaign.objects.current()
        if target is None:
            raise CommandError(_("No such campaign.") if campaign else _("There is no current campaign."))
        if target.is_archived and not dry_run:
            raise CommandError(
                _("“%(campaign)s” is archived: it can be read but no longer changed.") % {"campaign": target}
            )
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("There is no active user “%(name)s”.") % {"name": user})
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc}
            ) from exc
        try:
            sheet = read_sheet(data, filename=file.name, campaign=target)
        except WorkbookError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for problem in sheet.errors:
            self.stderr.write(str(problem))
        if not sheet.ok:
            raise CommandError(
                _("%(n)d problem(s) in %(file)s; nothing was imported.") % {"n": len(sheet.errors), "file": file.name}
            )
        for warning in sheet.warnings:
            self.stdout.write(f"! {warning}")
        plan = plan_import(sheet, campaign=target)
        self._report(plan)
        if plan.conflicts and on_conflict != "update":
            raise CommandError(
                _(
                    "%(n)d row(s) have the number of an existing task but a clearly different text (another table?): "
                    "nothing was imported. Check them, and import with --on-conflict update to update those tasks."
                )
                % {"n": len(plan.conflicts)}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was imported."))
            return
        record = apply_plan(
            plan,
            campaign=target,
            user=actor,
            file_name=file.name,
            sha256=hashlib.sha256(data).hexdigest(),
            on_conflict=on_conflict,
        )
        self.stdout.write(self.style.SUCCESS(_("Imported (record %(pk)d).") % {"pk": record.pk}))

    def _report(self, plan) -> None:
        out = self.stdout.write
        out(_("Sheet “%(sheet)s”: %(n)d task rows.") % {"sheet": plan.sheet.sheet_title, "n": len(plan.sheet.rows)})
        for entry in plan.sheet.expanded_names():
            out(
                _("“%(name)s” read as: %(offices)s (%(cells)s)")
                % {"name": entry["name"], "offices": entry["offices"], "cells": _codes(entry["cells"])}
            )
        if plan.conflicts:
            out(self.style.WARNING(_("Conflicts: %(n)d") % {"n": len(plan.conflicts)}))
            for u in plan.conflicts:
                out(
                    "  "
                    + _("%(code)s (row %(row)d): the task is “%(old)s”, the table says “%(new)s” (%(percent)d%% alike)")
                    % {
                        "code": u.row.code,
                        "row": u.row.row,
                        "old": u.task.title,
                        "new": u.row.title,
                        "percent": u.similarity_percent,
                    }
                )
        out(
            _("Created: %(n)d") % {"n": len(plan.created)}
            + (f"（{_codes([r.code for r in plan.created])}）" if plan.created else "")
        )
        out(_("Updated: %(n)d") % {"n": len(plan.updated)})
        for u in plan.updated:
            out(f"  {u.row.code}：" + "；".join(_change(c) for c in u.shown))
        out(_("Unchanged: %(n)d") % {"n": len(plan.unchanged)})
        out(
            _("Not in the table (kept): %(n)d") % {"n": len(plan.missing)}
            + (f"（{_codes([t.code for t in plan.missing])}）" if plan.missing else "")
        )
        for u in plan.backwards:
            out(
                self.style.WARNING(
                    "! "
                    + _("%(code)s goes back from %(old)s to %(new)s.")
                    % {"code": u.row.code, "old": u.shown_status[0], "new": u.shown_status[1]}
                )
            )
        for u in plan.cleared:
            out(
                self.style.WARNING(
                    "! "
                    + _("%(code)s loses its responsible people (%(names)s): the table names none.")
                    % {"code": u.row.code, "names": "、".join(u.cleared_people)}
                )
            )
        out(
            _("States set: %(states)d; progress reports: %(reports)d")
            % {"states": plan.status_changes(), "reports": plan.progress_reports()}
        )
