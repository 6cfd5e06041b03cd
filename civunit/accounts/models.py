from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import connections, models, router
from django.db.models.expressions import RawSQL
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from civunit.audit import client_address
from civunit.models import TimeStampedModel

from .roles import Role


class Office(TimeStampedModel):
    """A committee office (委室), a section (科室) or the leadership group's office (领导小组办公室)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Committee office")
        SECTION = "section", _("Section")
        LEADERSHIP_OFFICE = "leadership_office", _("Leadership group office")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, help_text=_("Other names people write for this office.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMITTEE)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_offices",
    )

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


# The annotations signed_in_users() adds (read by User.roles and User.headed_office_ids).
LOADED_GROUP_NAMES = "loaded_group_names"
LOADED_HEADED_OFFICE_IDS = "loaded_headed_office_ids"
_NAME_SEPARATOR = "\n"
_NOT_LOADED = object()


class User(AbstractUser):
    """A person of the organ. Every person belongs to one office (system administrators may have none)."""

    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)
    # Mixed into the session hash: raising it ends every session of the person, whatever the session store.
    # Database triggers (migration 0002) raise it whenever the account is deactivated, however that happens (the
    # admin, save(), a queryset update, raw SQL), and never let it go down, so that a stale object saved again
    # (deactivate, then reactivate) cannot revive the old sessions. A password change ends them through the
    # password hash, which the session hash already covers.
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)
    # Set by an administrator (the people pages): the person is sent to the password change page on every
    # request until they change it (civunit.accounts.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        ordering = ["office__ordering", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # linking responsible people written as names in imported tables to accounts
            models.Index(fields=["real_name"], name="user_real_name_idx"),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, secret: str | bytes | None = None) -> str:
        if not self.session_generation:
            # Django's own hash until the first deactivation: introducing the generation signs nobody out.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]  # private to Django, not in django-stubs
        return salted_hmac(
            "civunit.accounts.User.get_session_auth_hash",
            f"{self.password}\x00{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    def get_short_name(self) -> str:
        """What the admin greets the person with: their name, not their login name."""
        return self.display_name

    # Roles and headships are read once per request and kept on the user object, so that a page asks the
    # database the same number of times however many permission checks it makes. The signed-in person of a
    # request comes with both already (signed_in_users(): the same query as the user row).
    @cached_property
    def roles(self) -> frozenset[Role]:
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        loaded = self.__dict__.get(LOADED_GROUP_NAMES, _NOT_LOADED)
        if loaded is _NOT_LOADED:
            names = set(self.groups.values_list("name", flat=True))
        else:
            names = set(loaded.split(_NAME_SEPARATOR)) if loaded else set()
        found = {role for role in Role if role.group_name in names}
        if self.is_superuser:
            found.add(Role.ADMIN)
        return frozenset(found)

    @cached_property
    def headed_office_ids(self) -> frozenset[int]:
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        loaded = self.__dict__.get(LOADED_HEADED_OFFICE_IDS, _NOT_LOADED)
        if loaded is _NOT_LOADED:
            return frozenset(Office.objects.filter(head=self).values_list("pk", flat=True))
        return frozenset(int(pk) for pk in loaded.split(",")) if loaded else frozenset()

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    def heads(self, office_id: int | None) -> bool:
        return office_id is not None and office_id in self.headed_office_ids


class AccountEvent(models.Model):
    """One change made to a person or an office through the people pages (or by the person to their own
    password): who made it, when, for whom, and each changed field's old and new value. Written by
    civunit.accounts.services in the change's own transaction."""

    class Action(models.TextChoices):
        OFFICE_CREATED = "office_created", _("Office created")
        OFFICE_CHANGED = "office_changed", _("Office changed")
        OFFICE_DELETED = "office_deleted", _("Office deleted")
        PERSON_CREATED = "person_created", _("Person added")
        PERSON_CHANGED = "person_changed", _("Person changed")
        PERSON_DEACTIVATED = "person_deactivated", _("Person deactivated")
        PERSON_REACTIVATED = "person_reactivated", _("Person reactivated")
        RESET_LINK = "reset_link", _("Password link issued")
        PASSWORD_SET = "password_set", _("Password set through a link")
        FORCE_CHANGE = "force_change", _("Password change required")
        PASSWORD_CHANGED = "password_changed", _("Password changed")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("made by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    person = models.ForeignKey(
        User,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_events",
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_events",
    )
    # {field: [old, new]} with readable values (names, not ids); an office's name is kept in it, so a deleted
    # office's events still say which office it was.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def change_rows(self) -> list[dict]:
        """The changes as rows to show: the field's name in words, the old and the new value in words."""
        rows = []
        for key, (old, new) in sorted(self.changes.items()):
            rows.append({"field": CHANGE_LABELS.get(key, key), "old": _shown(old), "new": _shown(new)})
        return rows


CHANGE_LABELS = {
    "username": _("login name"),
    "real_name": _("real name"),
    "office": _("office"),
    "position": _("position"),
    "phone": _("phone"),
    "roles": _("roles"),
    "is_active": _("active"),
    "must_change_password": _("must change password"),
    "name": _("name"),
    "short_name": _("other names"),
    "kind": _("kind"),
    "ordering": _("order"),
    "head": _("head"),
}


def _shown(value) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def signed_in_users() -> models.QuerySet[User]:
    """Users with what every page asks of the signed-in person: their office, their group names (roles) and the
    offices they head, in the one query that loads the user row (civunit.accounts.backends.PersonBackend).

    The two lists are correlated subqueries in SQL (STRING_AGG, GROUP_CONCAT on SQLite): the ORM's Subquery and
    StringAgg cost more to build on every request than the three queries they replace."""
    aggregate = "GROUP_CONCAT" if connections[router.db_for_read(User)].vendor == "sqlite" else "STRING_AGG"
    quote = connections[router.db_for_read(User)].ops.quote_name
    user = quote(User._meta.db_table)
    through = User.groups.through._meta.db_table
    groups = (
        f"SELECT {aggregate}(g.{quote('name')}, %s) FROM {quote(through)} ug"  # noqa: S608 (our table names)
        f" INNER JOIN {quote(Group._meta.db_table)} g ON g.{quote('id')} = ug.{quote('group_id')}"
        f" WHERE ug.{quote('user_id')} = {user}.{quote('id')}"
    )
    headed = (
        f"SELECT {aggregate}(CAST(o.{quote('id')} AS TEXT), %s) FROM {quote(Office._meta.db_table)} o"  # noqa: S608
        f" WHERE o.{quote('head_id')} = {user}.{quote('id')}"
    )
    # values as parameters, table and column names from the models
    return User.objects.select_related("office").annotate(
        **{
            LOADED_GROUP_NAMES: RawSQL(groups, (_NAME_SEPARATOR,), output_field=models.TextField()),  # noqa: S611
            LOADED_HEADED_OFFICE_IDS: RawSQL(headed, (",",), output_field=models.TextField()),  # noqa: S611
        }
    )
