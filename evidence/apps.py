from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence archive")

    def ready(self) -> None:
        from campaign import completeness, links
        from civunit.jobs import registry
        from civunit.notifications import robots
        from evidence.access import register_read_rules
        from evidence.binder import jobs as binder_jobs
        from evidence.binder.names import check_pattern
        from evidence.completeness import unmet_evidence
        from evidence.criterion_links import evidence_of_standard
        from evidence.jobs import import_kind
        from evidence.robots import digest_sections

        links.register(evidence_of_standard)
        completeness.register(unmet_evidence)
        register_read_rules()
        robots.register_digest(digest_sections, order=20)
        registry.register(import_kind())
        binder_jobs.register()
        check_pattern(settings.EVIDENCE_BINDER_NAME_PATTERN)  # a wrong pattern stops the start, not an export
