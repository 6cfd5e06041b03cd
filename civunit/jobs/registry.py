"""The kinds of background job: each app registers its own in its AppConfig.ready() (the core knows none).

A kind says what the job does (`run`, given a JobContext), what its stages are called, and who besides the person
who asked for it may see it and download its file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from civunit.access import is_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import Promise

    from civunit.accounts.models import User

    from .models import Job
    from .services import JobContext


def _requester_or_admin(user: User | AnonymousUser, job: Job) -> bool:
    return bool(user.is_authenticated and user.is_active and (job.requested_by_id == user.pk or is_admin(user)))


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str | Promise
    run: Callable[[JobContext], None]
    stages: Mapping[str, str | Promise] = field(default_factory=dict)
    # Who may see the job and download its file (the requester and administrators by default).
    can_read: Callable[..., bool] = _requester_or_admin

    def stage_label(self, code: str) -> str:
        return str(self.stages.get(code, code))


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing.run is not kind.run:
        raise ImproperlyConfigured(f"Job kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> JobKind | None:
    return _KINDS.get(key)


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(key, None)
