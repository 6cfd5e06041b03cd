"""Background jobs of the task breakdown (run daily by `manage.py roll_occurrences` or the task worker)."""

from __future__ import annotations

from django.tasks import task

from . import services


@task()
def roll_occurrences() -> dict[str, int]:
    """Create the current and next period of every recurring task, and link people named without an account."""
    return {"occurrences": services.occurrences_roll(), "linked": services.people_link_pending()}
