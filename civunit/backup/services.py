"""Recording a backup run and telling the coordinators and administrators when one failed or came out empty."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from civunit.accounts.models import User
from civunit.accounts.roles import Role
from civunit.notifications.models import Notification
from civunit.notifications.services import notify

from .models import BackupRun


def _recipients() -> list[User]:
    running = Q(groups__name__in=[Role.COORDINATOR.group_name, Role.ADMIN.group_name]) | Q(is_superuser=True)
    return list(User.objects.filter(running, is_active=True).distinct().order_by("pk"))


@transaction.atomic
def backup_run_record(
    *,
    started_at: datetime.datetime,
    path: str,
    ok: bool,
    rows: int = 0,
    files: int = 0,
    size: int = 0,
    error: str = "",
) -> BackupRun:
    run = BackupRun.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        ok=ok,
        path=path[:500],
        rows=rows,
        files=files,
        bytes=size,
        error=error,
    )
    if not ok:
        with translation.override(settings.LANGUAGE_CODE):
            text = gettext("The backup to %(path)s failed: %(error)s") % {"path": path, "error": error}
        for person in _recipients():
            notify(
                recipient=person,
                kind=Notification.Kind.BACKUP_FAILED,
                obj=run,
                text=text,
                url=f"/admin/backup/backuprun/{run.pk}/change/",
                day=timezone.localdate(started_at),
            )
    return run
