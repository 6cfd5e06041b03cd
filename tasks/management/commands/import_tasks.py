"""python manage.py import_tasks FILE [--dry-run]: import a task breakdown workbook into the current campaign."""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from civunit.accounts.models import User
from civunit.xlsx import WorkbookError
from tasks.excel import apply_plan, plan_import, read_sheet


class Command(BaseCommand):
    help = "Import a task breakdown (工作任务分解表, .xlsx): all rows or none; --dry-run shows what would change."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and import nothing.")
        parser.add_argument("--campaign", type=int, help="Campaign id (default: the current campaign).")
        parser.add_argument("--user", help="Username recorded as the importer.")

    def handle(self, *args, file: Path, dry_run: bool, campaign: int | None, user: str | None, **options):
        target = Campaign.objects.filter(pk=campaign).first() if campaign else Campaign.objects.current()
        if target is None:
            raise CommandError("No such campaign." if campaign else "There is no current campaign.")
        if target.is_archived and not dry_run:
            raise CommandError(f"“{target}” is archived: it can be read but no longer changed.")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {user!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            sheet = read_sheet(data, filename=file.name, campaign=target)
        except WorkbookError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for problem in sheet.errors:
            self.stderr.write(str(problem))
        if not sheet.ok:
            raise CommandError(f"{len(sheet.errors)} problem(s) in {file.name}; nothing was imported.")
        for warning in sheet.warnings:
            self.stdout.write(f"! {warning}")
        plan = plan_import(sheet, campaign=target)
        self._report(plan)
        if dry_run:
            self.stdout.write("Dry run: nothing was imported.")
            return
        record = apply_plan(
            plan, campaign=target, user=actor, file_name=file.name, sha256=hashlib.sha256(data).hexdigest()
        )
        self.stdout.write(self.style.SUCCESS(f"Imported (record {record.pk})."))

    def _report(self, plan) -> None:
        out = self.stdout.write
        out(f"Sheet “{plan.sheet.sheet_title}”: {len(plan.sheet.rows)} task rows.")
        out(
            f"Created: {len(plan.created)}"
            + (f" ({', '.join(r.code for r in plan.created[:50])})" if plan.created else "")
        )
        out(f"Updated: {len(plan.updated)}")
        for u in plan.updated:
            out(f"  {u.row.code}: " + "; ".join(f"{c.label}: {c.old or '—'} → {c.new or '—'}" for c in u.shown))
        out(f"Unchanged: {len(plan.unchanged)}")
        out(
            f"Not in the table (kept): {len(plan.missing)}"
            + (f" ({', '.join(t.code for t in plan.missing)})" if plan.missing else "")
        )
        out(f"States set: {plan.status_changes}; progress reports: {plan.progress_reports}")
