"""Background jobs of the evidence archive (django.tasks; the worker is `manage.py db_worker`)."""

from django.tasks import task

from . import previews, uploads


@task()
def make_previews(stored_file_id: int) -> str:
    return previews.make_previews(stored_file_id)


@task()
def clean_stale_uploads() -> int:
    return uploads.clean_stale_uploads()
