"""The one task the framework runs for every background job (the worker is `manage.py db_worker`, or
`rqworker` when the queue is Redis)."""

from django.tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id)
