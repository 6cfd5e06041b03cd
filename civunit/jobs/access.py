"""Who may see a background job: the kind decides (the requester and administrators by default).
A job someone may not see answers 404, like a missing one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from . import registry
from .models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from civunit.accounts.models import User


def get_job_for_user(user: User | AnonymousUser, pk: int) -> Job:
    job: Job | None = Job.objects.select_related("requested_by").filter(pk=pk).first()
    kind = registry.get(job.kind) if job else None
    if job is None or kind is None or not kind.can_read(user, job):
        raise Http404
    return job
