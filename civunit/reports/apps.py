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
        _register_evidence_read_filter()
        robots.register()
        report_jobs.register()
        binder_cover.register()


def _register_evidence_read_filter() -> None:
    """Evidence's read rule as a queryset filter (civunit.access.READ_FILTERS), so that the bell counts the
    notifications about evidence in the database. evidence.access already has both halves (can_read_evidence() is
    evidence_visible_to() on one row); this belongs in its register_read_rules() and is here only until then."""
    from civunit import access
    from evidence.access import evidence_visible_to
    from evidence.models import EvidenceItem

    if access.read_filter(EvidenceItem) is None:
        access.register_read_filter(EvidenceItem, evidence_visible_to)
