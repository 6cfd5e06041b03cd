"""Two coordinators publishing two drafts at the same moment get two numbers, never the same one, on SQLite and
on PostgreSQL; two publishing the same draft at once publish it once.

As in tests/tasks/test_race.py: on SQLite the threads use a file-backed database of their own (the shared
in-memory test database cannot take two writers); on PostgreSQL they share the test database.
"""

import datetime
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections

from campaign.models import Campaign
from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role
from civunit.reports.bulletins import services
from civunit.reports.models import Bulletin


def in_thread(fn: Callable):
    box = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as error:
            box["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if "error" in box:
        raise box["error"]
    return box.get("result")


@pytest.fixture
def race_db(transactional_db, tmp_path):
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connections.settings["default"]
    saved = settings_dict["NAME"]
    settings_dict["NAME"] = str(tmp_path / "race.sqlite3")
    try:
        in_thread(lambda: call_command("migrate", verbosity=0, interactive=False))
        yield
    finally:
        settings_dict["NAME"] = saved


def make_drafts(n: int) -> tuple[list[int], list[int]]:
    office = Office.objects.create(name="办公室")
    group = Group.objects.get_or_create(name=Role.COORDINATOR.group_name)[0]
    people = []
    for i in range(n):
        user = User.objects.create(username=f"coord{i}", real_name=f"协调员{i}", office=office)
        user.groups.add(group)
        people.append(user)
    campaign = Campaign.objects.create(
        title="创建全国文明单位", organ_name="政协机关", start_date="2026-01-01", end_date="2027-12-31", is_current=True
    )
    drafts = [
        services.bulletin_create(
            user=people[0],
            campaign=campaign,
            period_kind=Bulletin.PeriodKind.MONTH,
            period_start=datetime.date(2026, 3, 1),
            period_end=datetime.date(2026, 3, 31),
            office_order=Bulletin.OfficeOrder.RANKED,
        )
        for _i in range(n)
    ]
    return [d.pk for d in drafts], [p.pk for p in people]


def race(n: int, act: Callable[[int], object]) -> list:
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait(10)
            outcomes[i] = act(i)
        except Exception as error:
            outcomes[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


TODAY = datetime.date(2026, 4, 2)


def test_two_drafts_published_at_once_get_two_numbers(race_db):
    draft_pks, people = in_thread(lambda: make_drafts(2))

    def publish(i):
        bulletin = Bulletin.objects.select_related("campaign").get(pk=draft_pks[i])
        user = User.objects.get(pk=people[i])
        return services.bulletin_publish(bulletin=bulletin, user=user, version=1, today=TODAY).number

    outcomes = race(2, publish)
    assert sorted(outcomes) == [1, 2], outcomes
    numbers = in_thread(lambda: sorted(Bulletin.objects.values_list("year", "number")))
    assert numbers == [(2026, 1), (2026, 2)]


def test_one_draft_published_twice_at_once_is_published_once(race_db):
    draft_pks, people = in_thread(lambda: make_drafts(2))

    def publish(i):
        bulletin = Bulletin.objects.select_related("campaign").get(pk=draft_pks[0])
        user = User.objects.get(pk=people[i])
        return services.bulletin_publish(bulletin=bulletin, user=user, version=1, today=TODAY).number

    outcomes = race(2, publish)
    assert sum(isinstance(o, services.StaleBulletin) for o in outcomes) == 1, outcomes
    assert [o for o in outcomes if not isinstance(o, Exception)] == [1]
    events = in_thread(lambda: list(Bulletin.objects.get(pk=draft_pks[0]).events.values_list("action", flat=True)))
    assert events == ["created", "published"]
