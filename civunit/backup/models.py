from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BackupRun(models.Model):
    """One run of `manage.py backup`: where it wrote, what it held, or why it failed (a failed or empty run
    notifies the coordinators and administrators)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    ok = models.BooleanField(_("succeeded"), default=False)
    path = models.CharField(pgettext_lazy("backup", "archive"), max_length=500, blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    files = models.PositiveIntegerField(_("files"), default=0)
    bytes = models.PositiveBigIntegerField(_("archive size in bytes"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"
