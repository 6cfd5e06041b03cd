"""Today's reminders in the demo, called by `manage.py seed_demo` after the other apps' demo data (which already
notify through their services: assigned, returned, awaiting review). The reminders are computed exactly as the
daily `send_reminders` run would, so a second run on the same day adds nothing.
"""

from .reminders import send_reminders


def seed(*, scale: int = 1, stdout=None) -> None:
    result = send_reminders()
    if stdout is not None:
        stdout.write(f"  notifications: {result.due_soon} due-soon and {result.overdue} overdue reminders")
