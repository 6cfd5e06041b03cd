"""The core of the access policy: who holds which role, and one registry that says who may read any object.

Each app owns the rules of its own objects in its access.py (campaign/access.py, tasks/access.py,
evidence/access.py) and registers, in its AppConfig.ready(), the read rule of each model that a generic path may
show (a notification's target, a search hit, an export row). The core imports no app: it knows roles, not tasks
or evidence.

Rules, in words:
- Signed-in, active people read the plan, the criteria and the task breakdown (the organ's internal plan).
- Leadership (领导小组) reads everything and changes no campaign data.
- The coordinator (领导小组办公室) runs the campaign: edits the plan, the criteria, and reviews.
- Administrators do what the coordinator does and manage accounts.
- An office head manages their own office's work; staff work on what is assigned to them.
- Something a person may not read is absent for them: its URL answers 404 exactly like a missing object.
  "May read, may not change" answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from civunit.accounts.roles import Role

if TYPE_CHECKING:
    from django.db.models import Model

    from civunit.accounts.models import User


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user: User) -> bool:
    return is_active_user(user) and user.has_role(Role.ADMIN)


def is_coordinator(user: User) -> bool:
    """Runs the campaign day to day; administrators count as coordinators."""
    return is_active_user(user) and user.has_role(Role.COORDINATOR, Role.ADMIN)


def is_leadership(user: User) -> bool:
    return is_active_user(user) and user.has_role(Role.LEADERSHIP)


def sees_everything(user: User) -> bool:
    """Coordinator, leadership and administrators read every object of the campaign."""
    return is_active_user(user) and user.has_role(Role.COORDINATOR, Role.LEADERSHIP, Role.ADMIN)


def is_read_only(user: User) -> bool:
    """Leadership members who hold no working role change no campaign data."""
    return is_active_user(user) and not user.has_role(Role.STAFF, Role.OFFICE_HEAD, Role.COORDINATOR, Role.ADMIN)


def has_working_role(user: User) -> bool:
    """Active and not read-only: may work on tasks and evidence at all (what exactly, each app decides)."""
    return is_active_user(user) and not is_read_only(user)


def is_office_head(user: User) -> bool:
    return is_active_user(user) and bool(user.headed_office_ids)


def can_read_plan(user: User) -> bool:
    """The plan, the criteria, the task breakdown and organ-wide figures."""
    return is_active_user(user)


def can_manage_campaign(user: User) -> bool:
    """Edit the campaign, its plan, its criteria and veto list; import and export tables."""
    return is_coordinator(user)


def can_use_admin(user: User) -> bool:
    return is_admin(user)


# --- Reading any object: used by notifications, search and exports --------------------------------------
# Each app registers the read rule of each of its models that a generic path may show. An object of a kind no
# app registered is readable by nobody, so a new model cannot leak through a generic path before its rule is
# written.

ReadRule = Callable[[Any, Any], bool]

# label_lower ("evidence.evidenceitem") → rule(user, obj); filled by register_read_rule() in AppConfig.ready().
READ_RULES: dict[str, ReadRule] = {}


def register_read_rule(model: type[Model], rule: ReadRule) -> ReadRule:
    """Name `rule(user, obj)` as the read rule of `model`. Registering another rule for a model is an error."""
    label = model._meta.label_lower
    known = READ_RULES.setdefault(label, rule)
    if known is not rule:
        raise ImproperlyConfigured(f"{label} already has a read rule ({known.__qualname__}).")
    return rule


def plan_level(user, obj) -> bool:
    """The read rule of objects that are part of the organ's plan: everyone who reads the plan."""
    return can_read_plan(user)


def can_read(user, obj) -> bool:
    rule = READ_RULES.get(obj._meta.label_lower)
    return bool(rule and is_active_user(user) and rule(user, obj))


# --- Reading many objects at once: the read rule as a queryset filter ---------------------------------------
# A generic path that counts or lists objects of several kinds (the bell's unread count) asks the database which
# rows the person may read instead of loading each object and asking its rule. A filter must agree with its
# model's read rule row for row (tests/core/test_access_registry.py checks every registered pair); a model
# without one is read through its rule, object by object. A model whose rule is plan_level needs none.

ReadFilter = Callable[[Any, Any], Any]

# label_lower → filter(user, queryset) → the rows of queryset that user may read (a queryset).
READ_FILTERS: dict[str, ReadFilter] = {}


def register_read_filter(model: type[Model], read_filter: ReadFilter) -> ReadFilter:
    """Name `read_filter(user, queryset)` as the queryset form of `model`'s read rule. It may depend on nothing but
    the person's id, active flag, roles, office and headed offices (not the date, not a setting): the bell keeps the
    SQL it compiles per these (civunit.notifications.services)."""
    label = model._meta.label_lower
    known = READ_FILTERS.setdefault(label, read_filter)
    if known is not read_filter:
        raise ImproperlyConfigured(f"{label} already has a read filter ({known.__qualname__}).")
    return read_filter


def _plan_level_filter(user, queryset):
    return queryset if can_read_plan(user) else queryset.none()


def read_filter(model: type[Model]) -> ReadFilter | None:
    """The queryset form of `model`'s read rule, or None when it has none (read object by object)."""
    label = model._meta.label_lower
    found = READ_FILTERS.get(label)
    if found is None and READ_RULES.get(label) is plan_level:
        return _plan_level_filter
    return found
