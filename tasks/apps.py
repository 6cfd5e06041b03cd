from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Task breakdown")

    def ready(self) -> None:
        from campaign import links
        from tasks.criterion_links import tasks_of_standard

        links.register(tasks_of_standard)
