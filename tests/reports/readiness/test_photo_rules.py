"""The photo rules on photos drawn here and uploaded through the real intake and previews job (which computes
the perceptual hash): the same photo filed twice, and camera dates that do not fit.

The near-duplicate rule must catch a resized, recompressed copy with new EXIF filed for another standard, and
must not catch a different photo of the same scene (the camera moved, the people elsewhere). The camera-date
rule is tried with EXIF dates inside and outside the window around the activity's date, and outside the
campaign."""

from __future__ import annotations

import datetime

import pytest

from civunit.reports.models import Severity
from evidence import hashing
from evidence.models import Activity
from tests.evidence.factories import make_evidence

from .photos import jpeg, scene


@pytest.fixture
def upload(cast, campaign, django_capture_on_commit_callbacks):
    """upload(data, standard, activity=None, user=staff_a) -> the item, its previews and hash made."""

    def _upload(data: bytes, standard, *, activity=None, user=None, title: str = ""):
        with django_capture_on_commit_callbacks(execute=True):
            item = make_evidence(
                user=user or cast.staff_a,
                campaign=campaign,
                data=data,
                standards=[standard],
                activity=activity,
                title=title,
                caption="学雷锋志愿服务",
                place="社区",
                people="志愿者",
            )
        item.stored_file.refresh_from_db()
        return item

    return _upload


def activity(cast, campaign, title: str, day: datetime.date) -> Activity:
    return Activity.objects.create(campaign=campaign, title=title, date=day, organiser_office=cast.office_a)


# --- the same photo filed twice --------------------------------------------------------------------------------


def test_a_resized_recompressed_copy_with_new_exif_filed_elsewhere_is_caught_and_another_shot_is_not(
    cast, campaign, tree, findings, upload
):
    shot = scene(seed=3, people=4)
    march = activity(cast, campaign, "学雷锋志愿服务", datetime.date(2026, 3, 5))
    april = activity(cast, campaign, "社区共建活动", datetime.date(2026, 4, 20))
    original = upload(jpeg(shot, date="2026:03:05 09:30:00"), tree.s111, activity=march, title="三月学雷锋")
    # the same pixels, smaller, recompressed, with another camera's EXIF and date: filed for another standard
    copy = upload(
        jpeg(shot, size=(600, 450), quality=65, date="2026:04:20 15:00:00", camera="OtherPhone"),
        tree.s211,
        activity=april,
        user=cast.staff_b,
        title="四月社区共建",
    )
    # another photo of the same scene, minutes later: the camera moved and the people too
    second = upload(
        jpeg(scene(seed=3, people=9, shift=(80, 20)), date="2026:03:05 09:40:00"),
        tree.s112,
        activity=march,
        title="三月学雷锋（二）",
    )
    assert hashing.distance(original.stored_file.phash, copy.stored_file.phash) <= 2
    assert hashing.distance(original.stored_file.phash, second.stored_file.phash) > 6

    (finding,) = findings("near_duplicate_photo")
    assert finding.severity == Severity.CRITICAL
    # the copy is the finding: its standard, its office, and the photo it copies
    assert finding.criterion == tree.s211
    assert finding.office == cast.office_b
    (mention,) = finding.mentions
    assert (mention.pk, mention.other_pk) == (copy.pk, original.pk)
    assert mention.other_label == "三月学雷锋（1.1.1 学雷锋志愿服务）"


def test_a_copy_filed_for_the_same_standard_and_activity_is_not_a_fabrication(cast, campaign, tree, findings, upload):
    shot = scene(seed=5)
    march = activity(cast, campaign, "学雷锋志愿服务", datetime.date(2026, 3, 5))
    upload(jpeg(shot, date="2026:03:05 09:30:00"), tree.s111, activity=march)
    upload(jpeg(shot, size=(640, 480), quality=70, date="2026:03:05 09:30:00"), tree.s111, activity=march)
    assert findings("near_duplicate_photo") == []


def test_a_copy_filed_for_another_activity_of_the_same_standard_is_caught(cast, campaign, tree, findings, upload):
    shot = scene(seed=6)
    march = activity(cast, campaign, "学雷锋志愿服务", datetime.date(2026, 3, 5))
    may = activity(cast, campaign, "五月志愿服务", datetime.date(2026, 5, 5))
    upload(jpeg(shot, date="2026:03:05 09:30:00"), tree.s111, activity=march)
    copy = upload(jpeg(shot, size=(640, 480), quality=70, date="2026:05:05 10:00:00"), tree.s111, activity=may)
    (finding,) = findings("near_duplicate_photo")
    assert [m.pk for m in finding.mentions] == [copy.pk]


def test_the_distance_is_a_setting(cast, campaign, tree, findings, upload):
    first = upload(jpeg(scene(seed=7)), tree.s111)
    other = upload(jpeg(scene(seed=8, people=5)), tree.s211)  # another scene altogether
    bits = hashing.distance(first.stored_file.phash, other.stored_file.phash)
    assert bits > 6
    assert findings("near_duplicate_photo") == []
    assert findings("near_duplicate_photo", phash_distance=bits - 1) == []
    (finding,) = findings("near_duplicate_photo", phash_distance=bits)
    assert [m.pk for m in finding.mentions] == [other.pk]


# --- camera dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exif", "caught"),
    [
        ("2026:03:05 09:30:00", False),  # the activity's day
        ("2026:02:03 09:30:00", False),  # 30 days before: inside the window
        ("2026:04:04 18:00:00", False),  # 30 days after
        ("2026:04:05 09:30:00", True),  # 31 days after: outside
        ("2026:01:20 09:30:00", True),  # 44 days before
        ("2025:12:20 09:30:00", True),  # before the campaign (it starts on 1 January 2026)
    ],
)
def test_a_camera_date_outside_the_window_around_the_activity_is_caught(
    cast, campaign, tree, findings, upload, exif, caught
):
    march = activity(cast, campaign, "学雷锋志愿服务", datetime.date(2026, 3, 5))
    item = upload(jpeg(scene(seed=21), date=exif), tree.s111, activity=march)
    found = findings("camera_date")
    if not caught:
        assert found == []
        return
    (finding,) = found
    assert finding.severity == Severity.CRITICAL
    assert (finding.criterion, finding.office) == (tree.s111, cast.office_a)
    (mention,) = finding.mentions
    assert mention.pk == item.pk
    day = exif[:10].replace(":", "-")
    y, m, d = (int(part) for part in day.split("-"))
    assert f"拍摄于 {y}年{m}月{d}日" in mention.detail


def test_a_photo_without_activity_is_checked_against_the_campaign_only(cast, campaign, tree, findings, upload):
    upload(jpeg(scene(seed=22), date="2026:09:30 10:00:00"), tree.s111)
    assert findings("camera_date") == []
    late = upload(jpeg(scene(seed=23), date="2028:01:02 10:00:00"), tree.s111)  # after the campaign's end
    (finding,) = findings("camera_date")
    assert [m.pk for m in finding.mentions] == [late.pk]
    assert "不在创建周期内" in finding.mentions[0].detail


def test_the_window_is_a_setting(cast, campaign, tree, findings, upload):
    march = activity(cast, campaign, "学雷锋志愿服务", datetime.date(2026, 3, 5))
    upload(jpeg(scene(seed=24), date="2026:03:15 10:00:00"), tree.s111, activity=march)  # 10 days after
    assert findings("camera_date") == []
    assert len(findings("camera_date", exif_days=9)) == 1


def test_a_photo_without_camera_date_is_not_judged(cast, campaign, tree, findings, upload):
    march = activity(cast, campaign, "学雷锋志愿服务", datetime.date(2026, 3, 5))
    upload(jpeg(scene(seed=25)), tree.s111, activity=march)
    assert findings("camera_date") == []
