from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    name = "civunit.backup"
    label = "backup"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from civunit import access

        from .models import BackupRun

        # A failed backup is told to the coordinators and administrators, who may read its record.
        access.register_read_rule(BackupRun, lambda user, obj: access.is_coordinator(user))
