from django.core.management.base import BaseCommand
from django.utils import translation

from civunit.jobs.services import jobs_fail_stale


class Command(BaseCommand):
    help = "Mark failed the background jobs whose worker died (no sign of life within JOBS_HEARTBEAT_TIMEOUT)."

    def handle(self, *args: object, **options: object) -> None:
        translation.activate("zh-hans")
        failed = jobs_fail_stale()
        self.stdout.write(translation.gettext("%(count)d stalled job(s) marked failed.") % {"count": failed})
