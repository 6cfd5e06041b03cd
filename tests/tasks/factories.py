import datetime

import factory

from tasks.models import Task, code_sort_key
from tests.factories import CampaignFactory, ModelFactory, OfficeFactory


class TaskFactory(ModelFactory[Task]):
    """A task row as the import would leave it (services are tested on their own)."""

    class Meta:
        model = Task
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    code_key = factory.LazyAttribute(lambda t: code_sort_key(t.code))
    title = factory.Sequence(lambda n: f"工作任务{n}")
    lead_office = factory.SubFactory(OfficeFactory)
    deadline = datetime.date(2026, 12, 31)

    @factory.post_generation
    def people(task: Task, create, extracted, **kwargs):
        if create and extracted:
            task.responsible_people.set(extracted)

    @factory.post_generation
    def supporting(task: Task, create, extracted, **kwargs):
        if create and extracted:
            task.supporting_offices.set(extracted)
