"""Linking an existing item to standards and tasks (the "link instead" of a duplicate upload), and the history of
every link change. Who may link is in tests/test_access_links.py."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from evidence import services
from evidence.models import EvidenceEvent, EvidenceItem
from tests.db_state import database_state
from tests.evidence.factories import make_evidence
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def item(cast, campaign, standard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_evidence(user=cast.staff_a, campaign=campaign, title="志愿服务照片", standards=[standard])


def link_url(item):
    return reverse("evidence:link_existing", args=[item.pk])


def test_linking_nothing_is_a_form_error_and_changes_nothing(cast, item, login):
    client = login(cast.staff_a)
    before = database_state()
    response = client.post(link_url(item), {}, **XHR)
    assert response.status_code == 400
    assert response.json()["error"] == "请选择要关联的测评标准或任务。"
    assert database_state() == before


def test_linking_what_is_already_linked_says_nothing_changed(cast, item, standard, login):
    client = login(cast.staff_a)
    before = database_state()
    response = client.post(link_url(item), {"primary_standard": standard.pk}, **XHR)
    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert "没有变化" in response.json()["message"]
    response = client.post(link_url(item), {"primary_standard": standard.pk})
    assert response.status_code == 302
    assert ["没有变化" in str(m) for m in get_messages(response.wsgi_request)] == [True]
    assert database_state() == before


def test_a_link_is_recorded_with_who_made_it(cast, campaign, item, task_b, other_standard, login):
    response = login(cast.head_a).post(link_url(item), {"other_standards": [other_standard.pk], "tasks": [task_b.pk]})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已关联已有资料。"]
    event = EvidenceEvent.objects.get(lineage=item.lineage, action=EvidenceEvent.Action.LINKED)
    assert event.actor == cast.head_a
    assert event.details == {"standards": ["6.2.2"], "tasks": [task_b.pk], "task_codes": ["7"]}


def test_a_link_reaches_the_newer_version_awaiting_review_and_survives_its_acceptance(
    cast, campaign, item, task_b, login
):
    services.evidence_accept(user=cast.head_a, item=item)
    newer = services.evidence_edit(user=cast.staff_a, item=item, changes={"title": "志愿服务照片（更正）"})
    assert newer.pk != item.pk and not newer.is_current
    response = login(cast.staff_a).post(link_url(item), {"tasks": [task_b.pk]}, **XHR)
    assert response.json()["changed"] is True
    services.evidence_accept(user=cast.head_a, item=newer)
    current = EvidenceItem.objects.get(lineage=item.lineage, is_current=True)
    assert current.pk == newer.pk
    assert list(current.tasks.all()) == [task_b]


def test_a_link_to_a_standard_gives_an_unnumbered_item_its_archive_number(cast, campaign, standard, login):
    bare = make_evidence(user=cast.staff_a, campaign=campaign, title="无标准照片")
    assert bare.archive_number == ""
    login(cast.staff_a).post(link_url(bare), {"primary_standard": standard.pk})
    bare.refresh_from_db()
    assert bare.primary_standard == standard
    assert bare.archive_number == "6.2.1-001"


def test_the_links_an_upload_makes_are_in_its_history(cast, campaign, standard, task_b):
    made = make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard], tasks=[task_b])
    event = EvidenceEvent.objects.get(lineage=made.lineage, action=EvidenceEvent.Action.UPLOADED)
    assert event.actor == cast.staff_a
    assert (event.details["standards"], event.details["task_codes"]) == (["6.2.1"], ["7"])


def test_a_change_of_links_records_them_before_and_after(cast, campaign, item, task_b, login):
    other = TaskFactory(campaign=campaign, code="9", lead_office=cast.office_a)
    item.tasks.set([other])
    data = {"title": item.title, "category": item.category, "primary_standard": item.primary_standard_id}
    response = login(cast.head_a).post(reverse("evidence:edit", args=[item.pk]), {**data, "tasks": [task_b.pk]})
    assert response.status_code == 302
    event = EvidenceEvent.objects.filter(lineage=item.lineage).latest("pk")
    assert event.actor == cast.head_a
    assert event.details["values"]["tasks"] == ["9", "7"]
    page = login(cast.head_a).get(reverse("evidence:versions", args=[item.pk])).content.decode()
    assert "<del>9</del> → 7" in page
