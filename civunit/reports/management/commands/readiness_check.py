"""`manage.py readiness_check [--xlsx OUT] [--date YYYY-MM-DD]`: run the readiness check (迎检自查) of the current
campaign, record its findings (as the page does), print one line per finding and, with --xlsx, write the
自查整改清单 workbook. Exit status 0 whatever it finds; 1 when no campaign is current."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from campaign.models import Campaign
from civunit.reports.readiness.export import readiness_workbook
from civunit.reports.readiness.selectors import FindingRow, readiness_report
from civunit.utils import write_atomically


def _line(row: FindingRow) -> str:
    criterion = row.criterion
    where = f"{criterion.code} " if criterion is not None else ""
    items = "、".join(m.text for m in row.mentions)
    if row.more:
        items += f" …+{row.more}"
    parts = [f"[{row.severity_label}] {where}{row.finding.text}", row.office_name]
    if items:
        parts.append(items)
    if row.rule.rectifiable:
        parts.append(row.state_label + (f" {row.task_code}" if row.task_id is not None else ""))
    return " | ".join(parts)


class Command(BaseCommand):
    help = "Run the readiness check of the current campaign: one line per finding, and the rectification list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--xlsx", metavar="OUT", help="Write the rectification list (自查整改清单) to this file.")
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Check as of this day (YYYY-MM-DD; default today)."
        )

    def handle(self, *args: Any, xlsx: str | None = None, date: datetime.date | None = None, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            campaign = Campaign.objects.prefetch_related("stages").current()
            if campaign is None:
                raise CommandError("没有当前的创建周期。")
            # The command sees every finding, as the leadership group's office does (user=None), and runs the
            # check whatever was recorded before.
            report = readiness_report(campaign=campaign, user=None, today=date, fresh=True)
            for row in report.rows:
                self.stdout.write(_line(row))
            counts = report.counts
            self.stdout.write(
                f"共 {report.total} 项：严重 {counts['critical']}，警示 {counts['warning']}，提示 {counts['notice']}；"
                f"整改中 {report.rectifying}。"
            )
            if xlsx:
                write_atomically(Path(xlsx), readiness_workbook(report))
                self.stdout.write(f"自查整改清单已写入 {xlsx}")
