"""Third-party apps under Chinese names in the admin (their own verbose names are plain English strings)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login protection")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background task queue")  # type: ignore[assignment]  # a lazy string, as Django allows
