"""Activities (活动): created and changed by the right people; the page shows the record as inspectors read it
and flags the missing parts; caption fields are inherited unless set."""

import datetime
import re

import pytest
from django.urls import reverse

from evidence import browsing
from evidence.models import Activity, EvidenceItem
from tests.evidence.review_factories import make_item
from tests.factories import CriterionFactory

Status = EvidenceItem.Status


@pytest.fixture
def activity(cast, campaign):
    return Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务进社区",
        date=datetime.date(2026, 3, 5),
        place="幸福社区",
        organiser_office=cast.office_a,
        participants="机关青年志愿者20人",
        theme="弘扬雷锋精神",
        created_by=cast.staff_a,
    )


def test_staff_creates_an_activity_through_the_page(cast, campaign, login):
    standard = CriterionFactory(campaign=campaign, code="6.2.1")
    client = login(cast.staff_a)
    assert client.get(reverse("evidence:activity_create")).status_code == 200
    response = client.post(
        reverse("evidence:activity_create"),
        {
            "title": "文明礼仪培训",
            "date": "2026-04-10",
            "place": "机关会议室",
            "organiser_office": cast.office_a.pk,
            "participants": "全体干部",
            "theme": "文明礼仪",
            "standards": [standard.pk],
        },
    )
    activity = Activity.objects.get(title="文明礼仪培训")
    assert response["Location"] == reverse("evidence:activity", args=[activity.pk])
    assert activity.created_by == cast.staff_a
    assert list(activity.standards.all()) == [standard]


def test_an_activity_names_the_tasks_it_carries_out_and_its_uploads_count_for_them(cast, campaign, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.evidence.review_factories import jpeg_bytes
    from tests.tasks.factories import TaskFactory

    own = TaskFactory(campaign=campaign, code="12", title="开展道德讲堂", lead_office=cast.office_a)
    far = TaskFactory(campaign=campaign, code="13", title="别的科室的任务", lead_office=cast.office_b)
    client = login(cast.staff_a)
    form = client.get(reverse("evidence:activity_create")).content.decode()
    block = re.search(r'<select name="tasks".*?</select>', form, re.S)
    assert block is not None
    listed = re.findall(r'value="(\d+)"', block.group(0))
    assert listed == [str(own.pk)]  # the person's own office's; any other is found by typing
    fields = {"title": "道德讲堂", "date": "2026-04-10", "organiser_office": cast.office_a.pk}
    client.post(reverse("evidence:activity_create"), {**fields, "tasks": [own.pk, far.pk]})
    activity = Activity.objects.get(title="道德讲堂")
    assert set(activity.tasks.all()) == {own, far}
    page = client.get(reverse("evidence:activity", args=[activity.pk])).content.decode()
    assert "开展道德讲堂" in page.split('data-testid="activity-tasks"')[1].split("</dd>")[0]
    upload = SimpleUploadedFile("讲堂.jpg", jpeg_bytes(color=(9, 8, 7)), content_type="image/jpeg")
    client.post(reverse("evidence:activity_upload", args=[activity.pk]), {"file": upload, "category": "photo"})
    assert set(EvidenceItem.objects.get(activity=activity).tasks.all()) == {own, far}
    # a task of another campaign, or none at all, is refused and changes nothing
    from tests.factories import CampaignFactory

    foreign = TaskFactory(campaign=CampaignFactory(is_current=False), code="1", lead_office=cast.office_a)
    for junk in (foreign.pk, 999999, "abc"):
        response = client.post(reverse("evidence:activity_edit", args=[activity.pk]), {**fields, "tasks": [junk]})
        assert response.status_code == 200, junk
    assert set(activity.tasks.all()) == {own, far}


def test_a_bad_date_re_renders_the_form_and_stores_nothing(cast, campaign, login):
    response = login(cast.staff_a).post(
        reverse("evidence:activity_create"), {"title": "x", "date": "2026-02-30", "organiser_office": cast.office_a.pk}
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_who_may_change_an_activity(cast, activity, login):
    url = reverse("evidence:activity_edit", args=[activity.pk])
    data = {"title": "改名", "date": "2026-03-05", "organiser_office": cast.office_a.pk}
    assert login(cast.staff_b).post(url, data).status_code == 403
    assert login(cast.leader).post(url, data).status_code == 403
    assert login(cast.leader).post(reverse("evidence:activity_create"), data).status_code == 403
    for user in (cast.staff_a, cast.head_a, cast.coordinator):
        assert login(user).post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "改名"


def test_the_organising_office_is_the_persons_own_whatever_is_posted(cast, campaign, login):
    """Issue 11: the head of the organiser office may change an activity, so choosing another office would hand it
    to that office. Only the coordinator chooses; anyone else's activity is their own office's."""
    data = {"title": "文明礼仪培训", "date": "2026-04-10", "organiser_office": cast.office_b.pk}
    assert login(cast.staff_a).post(reverse("evidence:activity_create"), data).status_code == 302
    assert Activity.objects.get(title="文明礼仪培训").organiser_office == cast.office_a
    page = login(cast.staff_a).get(reverse("evidence:activity_create")).content.decode()
    assert re.search(r'<select name="organiser_office"[^>]* disabled', page)
    page = login(cast.coordinator).get(reverse("evidence:activity_create")).content.decode()
    assert not re.search(r'<select name="organiser_office"[^>]* disabled', page)


def test_an_edit_by_anyone_but_the_coordinator_keeps_the_organising_office(cast, activity, login):
    url = reverse("evidence:activity_edit", args=[activity.pk])
    for user in (cast.staff_a, cast.head_a):
        data = {"title": f"{user.username} 改", "date": "2026-03-05", "organiser_office": cast.office_b.pk}
        assert login(user).post(url, data).status_code == 302
        activity.refresh_from_db()
        assert (activity.title, activity.organiser_office) == (f"{user.username} 改", cast.office_a)


def test_the_coordinator_chooses_the_organising_office(cast, campaign, activity, login):
    data = {"title": "联合活动", "date": "2026-04-10", "organiser_office": cast.office_b.pk}
    assert login(cast.coordinator).post(reverse("evidence:activity_create"), data).status_code == 302
    assert Activity.objects.get(title="联合活动").organiser_office == cast.office_b
    edit = {"title": activity.title, "date": "2026-03-05", "organiser_office": cast.office_b.pk}
    login(cast.coordinator).post(reverse("evidence:activity_edit", args=[activity.pk]), edit)
    activity.refresh_from_db()
    assert activity.organiser_office == cast.office_b


def test_a_person_of_no_office_is_told_so_when_creating_an_activity(cast, campaign, login):
    cast.staff_a.office = None
    cast.staff_a.save()
    response = login(cast.staff_a).post(
        reverse("evidence:activity_create"), {"title": "无委室活动", "date": "2026-04-10"}
    )
    assert response.status_code == 200
    assert "未归属任何委室" in response.content.decode()
    assert not Activity.objects.filter(title="无委室活动").exists()


def test_the_activity_page_groups_evidence_and_flags_what_is_missing(cast, campaign, activity, login):
    make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, category="plan", title="活动方案")
    make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, category="photo", title="照片一")
    make_item(
        campaign=campaign,
        uploader=cast.staff_a,
        activity=activity,
        category="photo",
        title="照片二(退回)",
        status=Status.RETURNED,
    )
    parts = {p["part"].key: p for p in browsing.activity_record(user=cast.staff_a, activity=activity) if p["part"]}
    assert not parts["plan"]["missing"]
    assert parts["photos"]["missing"]  # one photo that counts; a returned one does not; two are needed
    assert parts["sign_in"]["missing"] and parts["minutes"]["missing"] and parts["write_up"]["missing"]
    assert [i.title for i in parts["photos"]["items"]] == ["照片一", "照片二(退回)"]

    body = login(cast.staff_a).get(reverse("evidence:activity", args=[activity.pk])).content.decode()
    assert 'data-testid="activity-missing"' in body
    assert "活动方案" in body


def test_the_activity_page_hides_evidence_the_user_may_not_read_but_counts_it(cast, campaign, activity, login):
    make_item(campaign=campaign, uploader=cast.staff_b, activity=activity, category="minutes", title="提案办纪要")
    body = login(cast.staff_a).get(reverse("evidence:activity", args=[activity.pk])).content.decode()
    assert "提案办纪要" not in body
    parts = {p["part"].key: p for p in browsing.activity_record(user=cast.staff_a, activity=activity) if p["part"]}
    assert not parts["minutes"]["missing"] and parts["minutes"]["items"] == []


def test_a_complete_record_is_shown_as_complete(cast, campaign, activity, login):
    for category in ("plan", "table", "minutes", "photo", "photo", "summary"):
        make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, category=category)
    body = login(cast.head_a).get(reverse("evidence:activity", args=[activity.pk])).content.decode()
    assert 'data-testid="activity-complete"' in body


def test_activity_list_counts_current_evidence(cast, campaign, activity, login):
    make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, status=Status.ACCEPTED)
    make_item(campaign=campaign, uploader=cast.staff_a, activity=activity)
    body = login(cast.leader).get(reverse("evidence:activities")).content.decode()
    assert activity.title in body
    assert "1 / 2" in body


def test_caption_fields_are_inherited_unless_set(activity):
    merged = browsing.apply_activity_defaults({"place": "会议室", "caption": ""}, activity)
    assert merged["place"] == "会议室"
    assert merged["caption"] == "弘扬雷锋精神"
    assert merged["taken_on"] == datetime.date(2026, 3, 5)
    assert merged["people"] == "机关青年志愿者20人"
    assert browsing.apply_activity_defaults({"place": ""}, None) == {"place": ""}


def test_a_file_uploaded_into_the_activity_inherits_its_caption_fields_and_standards(cast, campaign, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.evidence.review_factories import jpeg_bytes

    standard = CriterionFactory(campaign=campaign, code="6.2.1")
    activity = Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务",
        date=datetime.date(2026, 3, 5),
        place="幸福社区",
        organiser_office=cast.office_a,
        participants="青年志愿者",
    )
    activity.standards.set([standard])
    upload = SimpleUploadedFile("签到.jpg", jpeg_bytes(color=(1, 2, 3)), content_type="image/jpeg")
    response = login(cast.staff_a).post(
        reverse("evidence:activity_upload", args=[activity.pk]),
        {"file": upload, "category": "table", "caption": "", "title": "签到表"},
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(activity=activity)
    assert (item.title, item.category, item.status) == ("签到表", "table", Status.PENDING)
    assert (item.taken_on, item.place, item.people, item.caption) == (
        datetime.date(2026, 3, 5),
        "幸福社区",
        "青年志愿者",
        "学雷锋志愿服务",
    )
    assert item.primary_standard == standard
    assert item.archive_number == "6.2.1-001"


def test_leadership_cannot_upload_into_an_activity(cast, activity, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.evidence.review_factories import jpeg_bytes

    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = login(cast.leader).post(
        reverse("evidence:activity_upload", args=[activity.pk]), {"file": upload, "category": "photo"}
    )
    assert response.status_code == 403
    assert not EvidenceItem.objects.exists()


def test_each_part_shows_its_oldest_items_up_to_the_limit_and_links_to_the_rest(cast, campaign, activity, login):
    """Photos beyond PART_LIMIT and items of no expected part beyond it: the oldest PART_LIMIT of each (by date
    taken, then as filed), a "show all" link; a part within the limit has none. One item of another office's
    the user may not read takes no place in the page."""
    from evidence.browsing.activities import PART_LIMIT

    day = datetime.date(2026, 3, 1)
    for n in range(PART_LIMIT + 3):
        taken = day + datetime.timedelta(days=(n * 7) % (PART_LIMIT + 3))  # filed out of date order
        make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, title=f"照片{n}", taken_on=taken)
    for n in range(PART_LIMIT + 1):
        make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, category="other", title=f"其他{n}")
    make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, category="minutes", title="纪要")
    make_item(campaign=campaign, uploader=cast.staff_b, activity=activity, taken_on=day, title="别室照片")
    parts = {
        p["part"].key if p["part"] else "other": p
        for p in browsing.activity_record(user=cast.staff_a, activity=activity)
    }
    photos = parts["photos"]
    assert photos["more"] and len(photos["items"]) == PART_LIMIT and photos["count"] == PART_LIMIT + 4
    assert [i.taken_on for i in photos["items"]] == [day + datetime.timedelta(days=d) for d in range(PART_LIMIT)]
    assert "别室照片" not in [i.title for i in photos["items"]]
    assert parts["other"]["more"] and [i.title for i in parts["other"]["items"]] == [
        f"其他{n}" for n in range(PART_LIMIT)
    ]
    assert not parts["minutes"]["more"] and [i.title for i in parts["minutes"]["items"]] == ["纪要"]
    assert parts["plan"]["items"] == [] and parts["plan"]["missing"]

    body = login(cast.staff_a).get(reverse("evidence:activity", args=[activity.pk])).content.decode()
    assert body.count(f"?activity={activity.pk}&amp;category=photo") == 1  # photos: one category, filtered
    assert body.count(f'href="/evidence/?activity={activity.pk}"') == 1  # other: the activity's whole list


@pytest.mark.parametrize("who", ["staff_a", "head_a", "coordinator", "leader"])
def test_the_activity_page_asks_as_many_queries_for_sixty_items_as_for_two(cast, campaign, activity, login, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    url = reverse("evidence:activity", args=[activity.pk])
    client = login(getattr(cast, who))
    for category in ("plan", "photo"):
        make_item(campaign=campaign, uploader=cast.staff_a, activity=activity, category=category)
    small = queries()
    for n in range(60):
        category = ("plan", "table", "minutes", "photo", "summary", "other")[n % 6]
        make_item(campaign=campaign, uploader=[cast.staff_a, cast.staff_b][n % 2], activity=activity, category=category)
    assert queries() == small == PINNED_DETAIL[who], small


# session, user, the activity, its standards, roles, headed offices, the items the user may read (at most
# PART_LIMIT + 1 of each part, numbered by a window: one query where there were six, one a part), the organ-wide
# counts by category, the bell, the menu's office (not for the leader), the selected campaign (menu), the tasks
# the activity carries out
PINNED_DETAIL = {"staff_a": 9, "head_a": 9, "coordinator": 9, "leader": 9}
