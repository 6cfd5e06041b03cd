from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Task breakdown")

    def ready(self) -> None:
        from campaign import links
        from civunit.accounts.signals import person_changed
        from civunit.notifications import robots
        from tasks.access import register_read_rules
        from tasks.criterion_links import tasks_of_standard
        from tasks.receivers import link_pending_people_of_changed_person
        from tasks.robots import digest_sections
        from tasks.services import carry_over

        links.register(tasks_of_standard)
        register_read_rules()
        robots.register_digest(digest_sections, order=10)
        carry_over.register()  # the open tasks, a part of starting the next campaign (campaign.succession)
        person_changed.connect(link_pending_people_of_changed_person, dispatch_uid="tasks.link_pending_people")
