"""Background jobs of the evidence archive (django.tasks; the worker is `manage.py db_worker`)."""

from django.tasks import task

from . import files, previews


@task()
def make_previews(stored_file_id: int) -> str:
    return previews.make_previews(stored_file_id)


@task()
def clean_stale_uploads() -> int:
    return files.clean_stale_uploads()
