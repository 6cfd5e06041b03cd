"""The task lists: filters, sorting, pagination, and the number of queries each page makes, pinned and the same at
100 and at 2,000 tasks."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.models import WorkArea
from tasks.models import ProgressReport, Status, Task, TaskOccurrence, code_sort_key
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory


def make_tasks(n: int, *, campaign, cast) -> list[Task]:
    """n tasks (a tenth of them sub-tasks) with people, supporting offices, standards, periods and progress, made
    with bulk_create to stay fast."""
    today = timezone.localdate()
    area = WorkArea.objects.create(campaign=campaign, name="学习教育")
    standards = [CriterionFactory(campaign=campaign, code=f"1.1.{i}") for i in range(1, 4)]
    offices = itertools.cycle([cast.office_a, cast.office_b, cast.office_main])
    statuses = itertools.cycle(list(Status))
    recurrences = itertools.cycle(["none", "none", "none", "monthly", "ongoing"])
    top = n - n // 10
    tasks = Task.objects.bulk_create(
        Task(
            campaign=campaign,
            code=str(i),
            code_key=code_sort_key(str(i)),
            title=f"工作任务{i}",
            lead_office=next(offices),
            work_area=area,
            status=next(statuses),
            recurrence=(rec := next(recurrences)),
            # deadlines from 30 days ago to 60 days ahead: some overdue, some due soon, at any size
            deadline=None if rec != "none" else today + datetime.timedelta(days=i % 90 - 30),
        )
        for i in range(1, top + 1)
    )
    subs = Task.objects.bulk_create(
        Task(
            campaign=campaign,
            code=f"{parent.code}.1",
            code_key=code_sort_key(f"{parent.code}.1"),
            title=f"子任务{parent.code}",
            parent=parent,
            lead_office=parent.lead_office,
            deadline=datetime.date(2026, 9, 30),
        )
        for parent in tasks[: n // 10]
    )
    everything = tasks + subs
    Task.responsible_people.through.objects.bulk_create(
        Task.responsible_people.through(task_id=t.pk, user_id=cast.staff_a.pk if i % 2 else cast.staff_b.pk)
        for i, t in enumerate(everything)
    )
    Task.supporting_offices.through.objects.bulk_create(
        Task.supporting_offices.through(task_id=t.pk, office_id=cast.office_b.pk) for t in everything[::3]
    )
    Task.standards.through.objects.bulk_create(
        Task.standards.through(task_id=t.pk, criterion_id=standards[i % 3].pk) for i, t in enumerate(everything)
    )
    monthly = [t for t in tasks if t.recurrence == "monthly"]
    TaskOccurrence.objects.bulk_create(
        TaskOccurrence(
            task=t,
            period_start=datetime.date(2026, m, 1),
            period_end=datetime.date(2026, m, 28),
            due_date=datetime.date(2026, m, 28),
        )
        for t in monthly
        for m in (1, 2)
    )
    ProgressReport.objects.bulk_create(ProgressReport(task=t, author=cast.staff_a, text="进展") for t in tasks[::4])
    return everything


DUMP = False

PAGES = {
    # session, user, groups (roles), headed offices, notification bell, current campaign,
    # COUNT for the pager, the page of rows (flags as subqueries), 2 prefetches (supporting offices, people: no
    # row shows the standards), and the filter form's choices (offices, work areas; the standard is typed, its
    # matches loaded by the page's script)
    "list": "/tasks/",
    "list_filtered": "/tasks/?office={office_a}&status=in_progress&overdue=on&sort=due&page=2",
    "list_standard": "/tasks/?standard={standard}&due_within=30&sort=-due",
    "list_standard_id": "/tasks/?standard={standard_id}",  # an id, as links made before named it
    "mine": "/tasks/mine/",
    "office": "/tasks/office/",
    "detail": "/tasks/{parent}/",
    "detail_leaf": "/tasks/{leaf}/",
}


def count_queries(client, url) -> int:
    client.get(url)  # warm-up: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    if DUMP:
        print(url)
        for q in ctx.captured_queries:
            print("   ", q["sql"][:150])
    return len(ctx.captured_queries)


@pytest.fixture
def counts_at(cast, campaign, login):
    def measure(n: int) -> dict[str, int]:
        tasks = make_tasks(n, campaign=campaign, cast=cast)
        parent = next(t for t in tasks if t.parent_id is None and Task.objects.filter(parent=t).exists())
        standard = Task.standards.through.objects.select_related("criterion").earliest("pk").criterion
        leaf = next(t for t in tasks if t.parent_id is not None)
        values = {
            "office_a": cast.office_a.pk,
            "standard": standard.code,
            "standard_id": standard.pk,
            "parent": parent.pk,
            "leaf": leaf.pk,
        }
        result = {}
        for name, url in PAGES.items():
            who = cast.staff_a if name == "mine" else cast.head_a
            result[name] = count_queries(login(who), url.format(**values))
        return result

    return measure


# What each page asks the database after a warm-up request, whatever the number of tasks.
EXPECTED = {
    # (the signed-in person comes with their roles, headships and office in the user's query)
    "list": 10,
    "list_filtered": 11,  # + the office named in the filter
    "list_standard": 11,  # + the standard named in the filter
    "list_standard_id": 11,
    "mine": 8,  # no filter form; + headed offices (for "awaiting my review") and the review list
    "office": 10,  # + the office, the people for the bulk form (one plain query, no COUNT nor cursor)
    # task, 3 prefetches, flags, periods, history, children + 2 prefetches, reports, ..., and the campaigns for
    # the navigation's switcher (a list page's own choice of campaign serves it; an object's page has none)
    "detail": 15,
    # a sub-task: no sub-tasks of its own (no children query, nor their prefetches); its parent came with it
    "detail_leaf": 12,
}


@pytest.mark.slow
@pytest.mark.parametrize("n", [100, 2000])
def test_list_pages_make_the_same_number_of_queries_at_100_and_2000_tasks(counts_at, n):
    assert counts_at(n) == EXPECTED


def test_filters_combine_and_sorting_orders_rows(cast, campaign, login):
    area = WorkArea.objects.create(campaign=campaign, name="推动工作")
    standard = CriterionFactory(campaign=campaign, code="3.2.1")
    t10 = TaskFactory(
        campaign=campaign, code="10", lead_office=cast.office_a, work_area=area, deadline=datetime.date(2026, 3, 1)
    )
    t2 = TaskFactory(
        campaign=campaign,
        code="2",
        lead_office=cast.office_b,
        supporting=[cast.office_a],
        deadline=datetime.date(2026, 8, 1),
    )
    TaskFactory(campaign=campaign, code="3", lead_office=cast.office_b, status=Status.DONE)
    t2.standards.add(standard)
    client = login(cast.staff_a)

    def codes(query):
        page = client.get("/tasks/" + query).content.decode()
        import re

        return re.findall(r'<tr data-task="([^"]+)"', page)

    assert codes("") == ["2", "3", "10"]  # natural order of numbers, not "10" < "2"
    assert codes(f"?office={cast.office_a.pk}") == ["2", "10"]  # leads or supports
    assert codes(f"?work_area={area.pk}") == ["10"]
    assert codes(f"?standard={standard.code}") == ["2"]
    assert codes(f"?standard={standard.pk}") == ["2"]  # an id, as links made before named it
    assert codes("?status=done") == ["3"]
    TaskFactory(campaign=campaign, code="4", lead_office=cast.office_b, recurrence="ongoing", deadline=None)
    assert codes("?sort=due") == ["10", "2", "3", "4"]  # tasks with no due date last, either way
    assert codes("?sort=-due") == ["3", "2", "10", "4"]
    assert codes(f"?q={t10.title}") == ["10"]
    assert codes("?sort=status") == ["2", "4", "10", "3"]  # not started (by number) before done


@pytest.mark.parametrize(
    "query",
    [
        "?office=abc",
        "?status=nonsense",
        "?due_within=-3",
        "?sort=drop+table",
        "?page=999",
        "?standard=0",
        "?due_within=99999999999",
    ],
)
def test_bad_filter_values_are_ignored_never_an_error(cast, campaign, login, query):
    TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a)
    response = login(cast.staff_a).get("/tasks/" + query)
    assert response.status_code == 200


def test_my_tasks_lists_what_is_assigned_and_what_awaits_my_review(cast, campaign, login):
    mine = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, people=[cast.staff_a])
    TaskFactory(campaign=campaign, code="2", lead_office=cast.office_b, people=[cast.staff_b])
    pending = TaskFactory(campaign=campaign, code="3", lead_office=cast.office_b, status=Status.PENDING_REVIEW)
    page = login(cast.staff_a).get("/tasks/mine/").content.decode()
    assert f'data-task="{mine.code}"' in page and 'data-task="2"' not in page
    review = login(cast.coordinator).get("/tasks/mine/").content.decode()
    assert 'data-testid="to-review"' in review and f'data-task="{pending.code}"' in review


def test_no_current_campaign_shows_a_message_not_an_error(cast, login, db):
    for url in ("/tasks/", "/tasks/mine/", "/tasks/office/"):
        response = login(cast.staff_a).get(url)
        assert response.status_code == 200
        assert "领导小组办公室" in response.content.decode()


def test_the_standard_page_partial_lists_the_standard_tasks_with_their_flags(cast, campaign, django_assert_num_queries):
    from django.template.loader import render_to_string

    from tasks.selectors import tasks_by_standard, tasks_for_standard

    standard = CriterionFactory(campaign=campaign, code="6.2.1")
    other = CriterionFactory(campaign=campaign, code="6.2.2")
    linked = TaskFactory(campaign=campaign, code="24", lead_office=cast.office_a, deadline=datetime.date(2020, 1, 1))
    linked.standards.add(standard)
    TaskFactory(campaign=campaign, code="25", lead_office=cast.office_a)
    # the tasks with their flags (1) and three prefetches (supporting offices, people, standards)
    with django_assert_num_queries(4):
        html = render_to_string(
            "tasks/_criterion_tasks.html", {"tasks": tasks_for_standard(user=cast.staff_a, criterion=standard)}
        )
    assert 'data-task="24"' in html and 'data-task="25"' not in html and 'data-flag="overdue"' in html
    empty = render_to_string(
        "tasks/_criterion_tasks.html", {"tasks": tasks_for_standard(user=cast.staff_a, criterion=other)}
    )
    assert "尚无工作任务关联本标准" in empty
    assert [t.code for t in tasks_by_standard(user=cast.staff_a, campaign=campaign)[standard.pk]] == ["24"]


def test_an_unknown_office_is_404_and_a_person_without_office_sees_a_message(cast, campaign, login):
    assert login(cast.head_a).get("/tasks/office/?office=987654").status_code == 404
    cast.admin.office = None
    cast.admin.save()
    response = login(cast.admin).get("/tasks/office/")
    assert response.status_code == 200 and "您不属于任何科室" in response.content.decode()


def test_the_standard_filter_is_typed_never_an_option_per_standard(cast, campaign, login):
    """The list's standard filter takes a code (typed, or chosen from the matches campaign:standard_choices gives
    the page's script), never lists every standard: the page's size does not grow with the standards."""
    standards = [CriterionFactory(campaign=campaign, code=f"9.9.{i}", title=f"测评标准第{i}条") for i in range(40)]
    task = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a)
    task.standards.add(standards[7])
    client = login(cast.staff_a)
    page = client.get("/tasks/").content.decode()
    assert "9.9.7" not in page and "测评标准第7条" not in page
    assert 'data-url="/campaign/standards/choices/"' in page and "js/task-choice.js" in page
    chosen = client.get("/tasks/?standard=9.9.7").content.decode()
    assert 'data-task="1"' in chosen and 'data-testid="standard-choice-label">测评标准第7条<' in chosen
    unknown = client.get("/tasks/?standard=no-such").content.decode()  # an unknown code: said, the filter dropped
    assert 'data-testid="standard-choice-error"' in unknown and 'data-task="1"' in unknown


def test_the_task_page_links_its_standards_to_the_list_by_code(cast, campaign, login):
    standard = CriterionFactory(campaign=campaign, code="4.1.2")
    task = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a)
    task.standards.add(standard)
    page = login(cast.staff_a).get(f"/tasks/{task.pk}/").content.decode()
    assert 'href="/tasks/?standard=4.1.2"' in page


def test_a_table_row_shows_every_cell_escaped(cast, campaign, login):
    """The rows are written by a template tag (tasks/templatetags/task_tags.py): the parent, the supporting offices,
    the people with and without an account, a recurring task's next due date and periods, the flags, the status
    and the sub-task progress, every value escaped."""
    parent = TaskFactory(
        campaign=campaign, code="1", title="<b>加粗</b>", lead_office=cast.office_a, deadline=datetime.date(2020, 1, 1)
    )
    sub = TaskFactory(
        campaign=campaign,
        code="1.1",
        parent=parent,
        lead_office=cast.office_a,
        supporting=[cast.office_b],
        people=[cast.staff_a],
        responsible_names="王五",
        status=Status.DONE,
    )
    monthly = TaskFactory(campaign=campaign, code="2", lead_office=cast.office_a, recurrence="monthly", deadline=None)
    TaskOccurrence.objects.create(
        task=monthly,
        period_start=datetime.date(2099, 1, 1),
        period_end=datetime.date(2099, 1, 31),
        due_date=datetime.date(2099, 1, 31),
    )
    page = login(cast.head_a).get("/tasks/office/").content.decode()
    rows = dict(re.findall(r'<tr data-task="([^"]+)"[^>]*>(.*?)</tr>', page, re.S))
    assert "&lt;b&gt;加粗&lt;/b&gt;" in rows["1"] and "<b>" not in rows["1"]
    assert 'data-flag="overdue"' in rows["1"] and "1/1" in rows["1"]  # one sub-task, done
    assert f'<a href="/tasks/{sub.pk}/">' in rows["1.1"] and "属于 1" in rows["1.1"]
    assert f"配合： {cast.office_b.name}" in rows["1.1"]
    assert f'{cast.staff_a.display_name}、<span class="text-muted" title="尚无账号">王五</span>' in rows["1.1"]
    assert 'data-status="done"' in rows["1.1"]
    assert "下次 2099-01-31" in rows["2"] and "完成 0 期 · 逾期 0 期 · 未完成 0 期" in rows["2"]
    assert f'name="tasks" value="{monthly.pk}"' in rows["2"]  # the head's bulk checkbox
