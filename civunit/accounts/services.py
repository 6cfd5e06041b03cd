"""Changes to people and offices made through the people pages, each with its AccountEvent in the same transaction.

Every function takes the administrator who acts (`actor`) and raises AccountError, with a Chinese message to show
as it is, for a change that cannot be made; nothing is written then. Deactivation goes through the account's
`is_active` flag, whose database trigger (civunit/accounts/triggers.py) raises `session_generation`: the person's
sessions end at their next request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import AccountEvent, Office, User
from .roles import GROUP_NAMES, Role
from .signals import person_changed


class AccountError(Exception):
    """A change that cannot be made; the message is shown as it is."""


def _readable(value: Any) -> Any:
    """What an audit row stores for a value: names for objects, lists for sets, the rest as it is."""
    if isinstance(value, (Office, User)):
        return str(value)
    if isinstance(value, (set, frozenset, list, tuple)):
        return sorted(str(v) for v in value)
    return value


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [_readable(before[key]), _readable(after[key])]
        for key in after
        if _readable(before.get(key)) != _readable(after[key])
    }


def _record(
    actor: User | None, action: str, *, person: User | None = None, office: Office | None = None, changes=None
) -> AccountEvent:
    return AccountEvent.objects.create(actor=actor, action=action, person=person, office=office, changes=changes or {})


# --- Offices --------------------------------------------------------------------------------------------------

OFFICE_FIELDS = ("name", "short_name", "kind", "ordering", "head")


def _office_values(office: Office) -> dict[str, Any]:
    return {
        "name": office.name,
        "short_name": office.short_name,
        "kind": office.get_kind_display(),
        "ordering": office.ordering,
        "head": office.head,
    }


def _check_head(head: User | None) -> None:
    if head is not None and not head.is_active:
        raise AccountError(
            _("%(name)s is deactivated and cannot head an office. Choose someone active.") % {"name": head}
        )


@transaction.atomic
def office_save(*, actor: User, office: Office | None, **values: Any) -> Office:
    """Create (office=None) or change an office: name, short_name, kind, ordering, head."""
    _check_head(values.get("head"))
    creating = office is None
    target = Office() if office is None else Office.objects.select_for_update().get(pk=office.pk)
    before = {} if creating else _office_values(target)
    for key in OFFICE_FIELDS:
        if key in values:
            setattr(target, key, values[key])
    if Office.objects.filter(name=target.name).exclude(pk=target.pk).exists():
        raise AccountError(_("An office named “%(name)s” already exists.") % {"name": target.name})
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as error:
        raise AccountError(_("An office named “%(name)s” already exists.") % {"name": target.name}) from error
    after = _office_values(target)
    changes = {k: [None, _readable(v)] for k, v in after.items()} if creating else _diff(before, after)
    if creating:
        _record(actor, AccountEvent.Action.OFFICE_CREATED, office=target, changes=changes)
    elif changes:
        _record(actor, AccountEvent.Action.OFFICE_CHANGED, office=target, changes=changes)
    return target


@transaction.atomic
def office_delete(*, actor: User, office: Office) -> None:
    """Delete an office nobody belongs to and nothing names; otherwise refuse (renaming it is the way out)."""
    office = Office.objects.select_for_update().get(pk=office.pk)
    members = office.members.count()
    if members:
        raise AccountError(
            _(
                "%(count)d people belong to “%(name)s”: move them to another office first, or rename the office "
                "instead of deleting it."
            )
            % {"count": members, "name": office.name}
        )
    values = _office_values(office)
    try:
        with transaction.atomic():
            office.delete()
    except (ProtectedError, RestrictedError) as error:
        raise AccountError(
            _("Tasks, evidence or other records name “%(name)s”, so it cannot be deleted. Rename it instead.")
            % {"name": values["name"]}
        ) from error
    _record(actor, AccountEvent.Action.OFFICE_DELETED, changes={k: [_readable(v), None] for k, v in values.items()})


# --- People ---------------------------------------------------------------------------------------------------

PERSON_FIELDS = ("username", "real_name", "office", "position", "phone")


def person_roles(person: User) -> set[Role]:
    names = set(person.groups.values_list("name", flat=True))
    found = {role for role in Role if role.group_name in names}
    if person.is_superuser:
        found.add(Role.ADMIN)
    return found


def _role_names(roles: set[Role]) -> list[str]:
    return sorted(GROUP_NAMES[r] for r in roles)


def _person_values(person: User, roles: set[Role]) -> dict[str, Any]:
    return {
        "username": person.username,
        "real_name": person.real_name,
        "office": person.office,
        "position": person.position,
        "phone": person.phone,
        "roles": _role_names(roles),
    }


def _set_roles(person: User, roles: set[Role]) -> None:
    groups = [Group.objects.get_or_create(name=GROUP_NAMES[r])[0] for r in roles]
    ours = Group.objects.filter(name__in=GROUP_NAMES.values())
    person.groups.remove(*ours.exclude(pk__in=[g.pk for g in groups]))
    person.groups.add(*groups)
    # Administrators use the Django admin for emergencies, which asks for staff and superuser flags.
    admin = Role.ADMIN in roles
    if person.is_staff != admin or person.is_superuser != admin:
        person.is_staff = person.is_superuser = admin
        person.save(update_fields=["is_staff", "is_superuser"])


def _username_taken(username: str, exclude: int | None) -> bool:
    others = User.objects.filter(username__iexact=username)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()


@transaction.atomic
def person_create(*, actor: User, roles: set[Role], **values: Any) -> User:
    """A new account without a usable password: the administrator hands over a link to set one."""
    username = values["username"]
    if _username_taken(username, None):
        raise AccountError(_("The login name “%(name)s” is taken. Choose another.") % {"name": username})
    person = User(**{k: values.get(k, "") for k in PERSON_FIELDS})
    person.set_unusable_password()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise AccountError(_("The login name “%(name)s” is taken. Choose another.") % {"name": username}) from error
    _set_roles(person, roles)
    after = _person_values(person, roles)
    _record(
        actor,
        AccountEvent.Action.PERSON_CREATED,
        person=person,
        changes={k: [None, _readable(v)] for k, v in after.items() if v not in ("", None, [])},
    )
    person_changed.send(sender=User, user=person)
    return person


@transaction.atomic
def person_update(*, actor: User, person: User, roles: set[Role], **values: Any) -> User:
    """Change a person's login name, name, office, position, phone and roles."""
    person = User.objects.select_for_update().get(pk=person.pk)
    old_roles = person_roles(person)
    if person.pk == actor.pk and Role.ADMIN in old_roles and Role.ADMIN not in roles:
        raise AccountError(_("You cannot take away your own administrator role. Ask another administrator."))
    if "username" in values and _username_taken(values["username"], person.pk):
        raise AccountError(_("The login name “%(name)s” is taken. Choose another.") % {"name": values["username"]})
    before = _person_values(person, old_roles)
    for key in PERSON_FIELDS:
        if key in values:
            setattr(person, key, values[key])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise AccountError(
            _("The login name “%(name)s” is taken. Choose another.") % {"name": person.username}
        ) from error
    _set_roles(person, roles)
    changes = _diff(before, _person_values(person, roles))
    if changes:
        _record(actor, AccountEvent.Action.PERSON_CHANGED, person=person, changes=changes)
        if "real_name" in changes:
            person_changed.send(sender=User, user=person)
    return person


@transaction.atomic
def person_set_active(*, actor: User, person: User, active: bool) -> User:
    """Deactivate or reactivate an account. Deactivating ends every session of the person at their next request
    (the database trigger raises their session generation)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active == active:
        return person
    if not active:
        if person.pk == actor.pk:
            raise AccountError(_("You cannot deactivate your own account."))
        headed = list(Office.objects.filter(head=person).values_list("name", flat=True))
        if headed:
            raise AccountError(
                _("%(name)s heads %(offices)s. Choose another head for it first, then deactivate the account.")
                % {"name": person, "offices": "、".join(headed)}
            )
    User.objects.filter(pk=person.pk).update(is_active=active)
    person.refresh_from_db()
    _record(
        actor,
        AccountEvent.Action.PERSON_REACTIVATED if active else AccountEvent.Action.PERSON_DEACTIVATED,
        person=person,
        changes={"is_active": [not active, active]},
    )
    person_changed.send(sender=User, user=person)
    return person


def reset_path(person: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    return reverse(
        "accounts:password_reset", kwargs={"uidb64": uid, "token": default_token_generator.make_token(person)}
    )


@transaction.atomic
def password_reset_link(*, actor: User, person: User) -> str:
    """A one-time path for the person to set a new password (it dies once used, or when they sign in)."""
    if not person.is_active:
        raise AccountError(_("This account is deactivated: reactivate it before handing over a password link."))
    _record(actor, AccountEvent.Action.RESET_LINK, person=person)
    return reset_path(person)


@transaction.atomic
def force_password_change(*, actor: User, person: User) -> None:
    """The person must change their password at their next request before doing anything else."""
    if not person.is_active:
        raise AccountError(_("This account is deactivated: reactivate it first."))
    if not person.has_usable_password():
        raise AccountError(_("This person has no password yet: hand over a password link instead."))
    User.objects.filter(pk=person.pk).update(must_change_password=True)
    person.must_change_password = True
    _record(actor, AccountEvent.Action.FORCE_CHANGE, person=person, changes={"must_change_password": [False, True]})


def password_changed(*, person: User, through_link: bool) -> None:
    """Called in the transaction of a password change (the person's own, or through a link): clears the flag."""
    was = person.must_change_password
    if was:
        User.objects.filter(pk=person.pk).update(must_change_password=False)
        person.must_change_password = False
    _record(
        person,
        AccountEvent.Action.PASSWORD_SET if through_link else AccountEvent.Action.PASSWORD_CHANGED,
        person=person,
        changes={"must_change_password": [True, False]} if was else {},
    )
