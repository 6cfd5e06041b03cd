from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The read side: pages that see the whole campaign (the home page now; the dashboard, readiness check,
    bulletins and report next). It sits above every app and nothing imports it."""

    name = "civunit.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from . import robots
        from .bulletins.access import register_read_rules
        from .report import binder_cover
        from .report import jobs as report_jobs

        register_read_rules()
        robots.register()
        report_jobs.register()
        binder_cover.register()
