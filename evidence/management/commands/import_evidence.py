"""python manage.py import_evidence DIR|ZIP --office NAME --user USERNAME [--dry-run]: bring an existing archive
(folders named by standards' codes) into the current campaign's evidence archive (evidence/services/importing.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from campaign.models import Campaign
from civunit.accounts.models import Office, User
from evidence.importing.sources import ArchiveRefused
from evidence.services.importing import ImportFailed, import_archive


class Command(BaseCommand):
    help = (
        "Import an existing archive: a folder or a ZIP whose top folders begin with a standard's code "
        "(e.g. '6.2.1 常态化志愿服务/'). Every file goes through the upload's checks; all or nothing per run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="A folder or a .zip file.")
        parser.add_argument("--office", required=True, help="The office the evidence belongs to (its name).")
        parser.add_argument("--user", required=True, help="The username recorded as the uploader.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; change nothing.")

    def handle(self, *args: object, source: Path, office: str, user: str, dry_run: bool, **options: object) -> None:
        campaign = Campaign.objects.current()
        if campaign is None:
            raise CommandError(_("There is no current campaign to file evidence under."))
        found_office = Office.objects.filter(Q(name=office) | Q(short_name=office)).order_by("pk").first()
        if found_office is None:
            raise CommandError(_("There is no office named “%(name)s”.") % {"name": office})
        uploader = User.objects.filter(username=user, is_active=True).first()
        if uploader is None:
            raise CommandError(_("There is no active user “%(name)s”.") % {"name": user})
        try:
            result = import_archive(
                source,
                user=uploader,
                office=found_office,
                campaign=campaign,
                dry_run=dry_run,
                label=source.name or str(source),
                origin={"source": source.name, "by": "command"},
            )
        except ArchiveRefused as exc:
            raise CommandError(_("Nothing was imported. %(reason)s") % {"reason": exc}) from exc
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(
                _("%(name)s may not upload evidence (leadership only reads).") % {"name": uploader.username}
            ) from exc
        for line in result.text_lines():
            self.stdout.write(line)
