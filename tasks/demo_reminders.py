"""Demo data of this app, called by `manage.py seed_demo` in order. Running it again leaves the same rows.

The other apps' demo data already notify through their services (assigned, returned, awaiting review); here
today's date-driven reminders are computed, exactly as the daily `send_reminders` run would (a second run on
the same day adds nothing).
"""

from .reminders import send_reminders


def seed(*, scale: int = 1, stdout=None) -> None:
    result = send_reminders()
    if stdout is not None:
        stdout.write(f"  notifications: {result.due_soon} due-soon and {result.overdue} overdue reminders")
