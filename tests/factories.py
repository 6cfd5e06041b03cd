"""factory_boy factories shared by every test module. Apps add theirs in tests/<app>/factories.py."""

import datetime
from typing import TYPE_CHECKING, Any

import factory
from django.contrib.auth.models import Group
from django.db.models import Model

from campaign.models import Campaign, Criterion
from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role

PASSWORD = "pw-for-tests-1"


class ModelFactory[T: Model](factory.django.DjangoModelFactory[T]):
    """`SomeFactory(...)` returns the model instance (factory_boy's metaclass builds it), which factory_boy's own
    type hints cannot say: this tells mypy."""

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> T: ...  # type: ignore[misc]  # the metaclass returns a T


class OfficeFactory(ModelFactory[Office]):
    class Meta:
        model = Office
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"委室{n}")
    kind = Office.Kind.COMMITTEE


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"用户{n}")
    office = factory.SubFactory(OfficeFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(user: User, create, extracted, **kwargs):
        user.save()
        if extracted:
            user.groups.add(*(Group.objects.get_or_create(name=r.group_name)[0] for r in extracted))
            if Role.ADMIN in extracted:
                user.is_staff = True
                user.is_superuser = True
                user.save()


class CampaignFactory(ModelFactory[Campaign]):
    class Meta:
        model = Campaign

    title = "创建全国文明单位"
    organ_name = "某市政协机关"
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    is_current = True


class CriterionFactory(ModelFactory[Criterion]):
    class Meta:
        model = Criterion

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"9.{n}")
    title = factory.Sequence(lambda n: f"测评标准{n}")
    ordering = factory.Sequence(lambda n: n)
