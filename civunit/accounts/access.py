"""Who manages people and offices: administrators (系统管理员), nobody else.

As with the group robots, the list and "add" pages answer others 403 (a clear "only administrators" page); a
person's or an office's own URL answers them 404, like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from civunit import access

from .models import Office, User


def can_manage_people(user: User) -> bool:
    return access.is_admin(user)


def require_manage(user: User) -> None:
    if not can_manage_people(user):
        raise PermissionDenied(_("Only administrators manage people and offices."))


def get_person_for_user(user: User, pk: int) -> User:
    person = User.objects.select_related("office").filter(pk=pk).first() if can_manage_people(user) else None
    if person is None:
        raise Http404
    return person


def get_office_for_user(user: User, pk: int) -> Office:
    office = Office.objects.select_related("head").filter(pk=pk).first() if can_manage_people(user) else None
    if office is None:
        raise Http404
    return office
