import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import CriterionRequirement, EvidenceCategory
from civunit.accounts.roles import Role
from tests.factories import CriterionFactory, OfficeFactory, UserFactory
from tests.tasks.factories import TaskFactory


@pytest.fixture
def standard(campaign):
    criterion = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务", is_leaf=True)
    CriterionRequirement.objects.create(criterion=criterion, category=EvidenceCategory.PHOTO, min_count=2)
    CriterionRequirement.objects.create(criterion=criterion, category=EvidenceCategory.MINUTES, min_count=1)
    return criterion


@pytest.fixture
def other_standard(campaign):
    return CriterionFactory(campaign=campaign, code="6.2.2", title="社区共建", is_leaf=True)


@pytest.fixture
def office_c(db):
    return OfficeFactory(name="经济委员会办公室", ordering=9)


@pytest.fixture
def staff_c(office_c):
    """A staff member of an office that has nothing to do with the evidence under test."""
    return UserFactory(username="staff_c", real_name="周敏", office=office_c, roles=[Role.STAFF])


@pytest.fixture
def task_b(cast, campaign, standard):
    """A task led by office B and supported by the 办公室, linked to the standard."""
    task = TaskFactory(campaign=campaign, code="7", title="组织志愿服务活动", lead_office=cast.office_b)
    task.supporting_offices.set([cast.office_main])
    task.standards.set([standard])
    return task


@pytest.fixture
def post_file(login):
    """post_file(user, name, data, **fields) -> response of the single-file endpoint (as the page's XHR)."""

    def _post(user, name, data, content_type="application/octet-stream", **fields):
        client = login(user)
        payload = {"file": SimpleUploadedFile(name, data, content_type=content_type), **fields}
        return client.post(reverse("evidence:upload_file"), payload, HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    return _post
