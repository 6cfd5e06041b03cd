import datetime

from django.core.management.base import BaseCommand, CommandError

from civunit.notifications.robots import send_scheduled
from tasks.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send today's due-soon and overdue reminders about tasks, and queue the group robots' messages (the "
        "offices' daily digest, the leadership's weekly summary). Safe to run repeatedly: nothing is sent twice "
        "for the same person, task, kind and reminder window, nor to a robot for the same message and day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Compute the reminders as of this date (YYYY-MM-DD) instead of today in Asia/Shanghai.",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from exc
        result = send_reminders(today=today)
        self.stdout.write(f"reminders sent: {result.due_soon} due soon, {result.overdue} overdue")
        robots = send_scheduled(today=today)
        self.stdout.write(f"robot messages queued: {robots.queued} new, {robots.requeued} waiting sent again")
