"""The read rules' queryset form (civunit.access.read_filter): each registered filter lets through exactly the
rows its model's read rule lets the person read, and the bell, which counts through them, counts what the
notifications page lists."""

import pytest

from civunit import access
from civunit.accounts.models import signed_in_users
from civunit.notifications import services
from civunit.notifications.context_processors import Bell
from civunit.notifications.models import Notification
from civunit.notifications.services import notify, visible_notifications
from civunit.reports.models import Bulletin
from evidence.models import EvidenceItem
from tasks.models import Task
from tests.evidence.factories import make_evidence
from tests.reports.bulletins_data import draft, publish
from tests.tasks.factories import TaskFactory


def test_every_model_with_a_read_filter_is_one_of_the_registered_rules():
    assert set(access.READ_FILTERS) <= set(access.READ_RULES)
    assert set(access.READ_FILTERS) == {"evidence.evidenceitem", "reports.bulletin"}
    # a plan-level model needs none: its filter is derived from the rule
    assert access.read_filter(Task) is not None
    assert access.read_filter(Notification) is None  # read object by object


def _objects(cast, campaign):
    """Evidence every way a person may come to read it (or not), and bulletins drafted and published."""
    own = make_evidence(user=cast.staff_a, campaign=campaign)
    other = make_evidence(user=cast.staff_b, campaign=campaign)
    linked = make_evidence(user=cast.staff_b, campaign=campaign)
    linked.tasks.add(TaskFactory(campaign=campaign, lead_office=cast.office_a))
    supported = make_evidence(user=cast.staff_b, campaign=campaign)
    supported.tasks.add(TaskFactory(campaign=campaign, lead_office=cast.office_main, supporting=[cast.office_a]))
    published = publish(draft(cast, campaign), cast.coordinator)
    kept = draft(cast, campaign, text="草稿")
    return [own, other, linked, supported, published, kept]


def test_each_filter_lets_through_exactly_what_its_rule_reads(cast, campaign):
    objects = _objects(cast, campaign)
    people = [*cast.everyone.values()]
    gone = signed_in_users().get(pk=cast.staff_b.pk)
    gone.is_active = False
    people.append(gone)
    for model in (EvidenceItem, Bulletin):
        rows = [obj for obj in objects if isinstance(obj, model)]
        read_filter = access.read_filter(model)
        assert read_filter is not None
        for person in people:
            user = signed_in_users().get(pk=person.pk) if person.is_active else person
            expected = {obj.pk for obj in rows if access.can_read(user, obj)}
            filtered = set(
                read_filter(user, model.objects.filter(pk__in=[obj.pk for obj in rows])).values_list("pk", flat=True)
            )
            assert filtered == expected, (model.__name__, person.username)
    # the cast covers both answers for every kind
    staff = signed_in_users().get(pk=cast.staff_a.pk)
    assert {access.can_read(staff, obj) for obj in objects} == {True, False}


def test_the_bell_counts_what_the_notifications_page_lists(cast, campaign, django_assert_num_queries):
    objects = _objects(cast, campaign)
    task = TaskFactory(campaign=campaign, lead_office=cast.office_b)
    for obj in [*objects, task]:
        Notification.objects.create(
            recipient=cast.staff_a, kind="assigned", content_type_id=_ct(obj), object_id=obj.pk, day=campaign.start_date
        )
    gone = TaskFactory(campaign=campaign, lead_office=cast.office_b)
    Notification.objects.create(
        recipient=cast.staff_a, kind="assigned", content_type_id=_ct(gone), object_id=gone.pk, day=campaign.start_date
    )
    gone.delete()
    user = signed_in_users().get(pk=cast.staff_a.pk)
    listed = list(visible_notifications(user))
    # own, linked and supported evidence, the published bulletin, the task; not the other office's evidence, the
    # draft or the deleted task
    assert len(listed) == 5
    assert Bell(user).count == 5
    with django_assert_num_queries(1):  # compiled once for this reader: one query, nothing loaded object by object
        assert Bell(user).count == 5


def test_a_change_of_role_or_office_compiles_the_bell_again(cast, campaign):
    other = make_evidence(user=cast.staff_b, campaign=campaign)
    notify(recipient=cast.coordinator, kind="awaiting_review", obj=other, text="x")
    Notification.objects.create(
        recipient=cast.staff_a, kind="assigned", content_type_id=_ct(other), object_id=other.pk, day=campaign.start_date
    )
    staff = signed_in_users().get(pk=cast.staff_a.pk)
    assert Bell(staff).count == 0  # another office's evidence
    cast.staff_a.office = cast.office_b
    cast.staff_a.save()
    moved = signed_in_users().get(pk=cast.staff_a.pk)
    assert Bell(moved).count == 1
    assert len(services._UNREAD_SQL) >= 2


def _ct(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


@pytest.mark.parametrize("name", ["staff_a", "head_a", "coordinator", "leader", "admin"])
def test_the_signed_in_person_comes_with_roles_headships_and_office_in_one_query(cast, name, django_assert_num_queries):
    person = getattr(cast, name)
    plain = type(person).objects.get(pk=person.pk)
    expected = (plain.roles, plain.headed_office_ids, plain.office)
    with django_assert_num_queries(1):
        user = signed_in_users().get(pk=person.pk)
        assert (user.roles, user.headed_office_ids, user.office) == expected
    assert expected[0]
