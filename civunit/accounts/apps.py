from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "civunit.accounts"
    label = "accounts"
    verbose_name = _("People and offices")

    def ready(self) -> None:
        from .roles import ensure_role_groups

        # Permissions exist only after every app has migrated, so the role groups are (re)built then.
        post_migrate.connect(ensure_role_groups, sender=self)
