"""What every page pays before its own work: the session, the signed-in person (with their office, roles and
headships), the bell's count and the campaigns of the navigation's switcher, one query each, for every role and
however many notifications there are."""

import pytest
from django.urls import reverse

from civunit.notifications.services import notify
from tests.tasks.factories import TaskFactory


@pytest.mark.parametrize("name", ["staff_a", "head_a", "coordinator", "leader", "admin"])
def test_a_page_with_the_navigation_costs_four_queries_however_many_notifications(
    cast, campaign, login, name, django_assert_num_queries
):
    person = getattr(cast, name)
    client = login(person)
    url = reverse("password_change")  # the navigation, the bell, the switcher and a form: nothing read for it
    client.get(url)  # warm-up: content types
    for n in (1, 25):
        for i in range(n):
            task = TaskFactory(campaign=campaign, lead_office=cast.office_a, code=f"{n}{i}")
            notify(recipient=person, kind="assigned", obj=task, text="t")
        with django_assert_num_queries(4):  # session, user (office, roles, headships), bell, campaigns
            body = client.get(url).content.decode()
        assert 'data-testid="bell-count">' in body
        assert 'data-testid="nav"' in body


def test_a_session_of_a_deactivated_person_signs_nobody_in(cast, login):
    client = login(cast.staff_a)
    assert client.get(reverse("password_change")).status_code == 200
    cast.staff_a.is_active = False
    cast.staff_a.save()
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and "/login/" in response["Location"]
