from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

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
    # database the same number of times however many permission checks it makes.
    @cached_property
    def roles(self) -> frozenset[Role]:
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        names = set(self.groups.values_list("name", flat=True))
        found = {role for role in Role if role.group_name in names}
        if self.is_superuser:
            found.add(Role.ADMIN)
        return frozenset(found)

    @cached_property
    def headed_office_ids(self) -> frozenset[int]:
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        return frozenset(Office.objects.filter(head=self).values_list("pk", flat=True))

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    def heads(self, office_id: int | None) -> bool:
        return office_id is not None and office_id in self.headed_office_ids
