"""Defects the hostile suite injects into itself, to show that its tests can fail (issue #18, "each able to fail").

A mutant is named by CIVUNIT_MUTANT in the environment of the processes tests/hostile/processes.py starts: each
removes one guard a race test stands on, and sleeps a moment before its write so that every racer has read the
row before anyone writes it (the window a slow request opens in production). The race tests run under it must
fail; test_concurrency.py::test_each_race_test_fails_when_its_guard_is_removed asserts they do.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone

WINDOW = 0.4  # seconds between a racer's read and its write


def _task_update_without_condition() -> None:
    """The task workflow's conditional UPDATE (… WHERE version = %s AND status = %s) made unconditional."""
    from tasks.services import workflow

    def unconditional(*, model, pk: int, version: int, expect_status=None, **values) -> int:
        time.sleep(WINDOW)
        model.objects.filter(pk=pk).update(version=F("version") + 1, updated_at=timezone.now(), **values)
        return version + 1

    workflow._conditional_update = unconditional


def _evidence_review_without_condition() -> None:
    """Evidence review's UPDATE … WHERE status = 'pending' made unconditional."""
    from evidence.services import review

    def unconditional(*, user, item, status: str, note: str) -> None:
        time.sleep(WINDOW)
        now = timezone.now()
        type(item).objects.filter(pk=item.pk).update(
            status=status, reviewed_by=user, reviewed_at=now, review_note=note, updated_at=now
        )
        item.status, item.reviewed_by, item.reviewed_at, item.review_note = status, user, now, note

    review._set_status = unconditional


MUTANTS: dict[str, Callable[[], None]] = {
    "task_conditional_update": _task_update_without_condition,
    "evidence_conditional_update": _evidence_review_without_condition,
}


def apply_from_environment() -> str:
    """Inject the mutant CIVUNIT_MUTANT names (in a child process, after django.setup()); its name, or ""."""
    name = os.environ.get("CIVUNIT_MUTANT", "")
    if name:
        MUTANTS[name]()
    return name
