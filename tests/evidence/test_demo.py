import pytest
from django.core.management import call_command
from PIL import Image

from evidence.models import Activity, EvidenceItem, StoredFile

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _exif(field_file):
    with field_file.open("rb") as fh, Image.open(fh) as im:
        return im.getexif()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_demo_evidence_has_photos_pdfs_and_spreadsheets_with_previews(demo, settings):
    items = EvidenceItem.objects.current().filter(description__endswith="（演示数据）")
    assert items.count() == 20
    assert set(items.values_list("kind", flat=True)) == {"photo", "pdf", "spreadsheet"}
    assert all(i.archive_number and i.primary_standard_id for i in items)
    # each filed under the standard it proves, with a title of its own (no "（2）" copies)
    assert len({i.title for i in items}) == 20 and not items.filter(title__contains="（").exists()
    filed = {i.title: i.primary_standard.code for i in items.select_related("primary_standard") if i.primary_standard}
    assert filed["学雷锋志愿服务进社区"] == "6.2.1" and filed["书香机关读书分享会"] == "7.1.1"
    assert filed["创建工作领导小组第一次会议纪要"] == "1.1.1"
    photos = StoredFile.objects.filter(kind="photo", file__startswith="evidence/files/demo/")
    assert all(sf.preview_status == StoredFile.PreviewStatus.READY for sf in photos)
    assert photos.filter(taken_at__isnull=False).count() == photos.count()
    # the GPS photo's original keeps its position, its preview does not
    gps = [sf for sf in photos if 0x8825 in _exif(sf.file)]
    assert len(gps) == 1
    assert 0x8825 not in _exif(gps[0].screen)


def test_demo_evidence_twice_adds_nothing_and_scale_multiplies_rows(demo, settings):
    demo_items = EvidenceItem.objects.current().filter(description__endswith="（演示数据）")
    call_command("seed_demo")
    assert demo_items.count() == 20
    call_command("seed_demo", scale=2)
    assert demo_items.count() == 40
    # each copy its own files, a later session (第2期) and not a "（2）" copy
    assert StoredFile.objects.filter(file__startswith="evidence/files/demo/").count() == 40
    assert demo_items.values("stored_file").distinct().count() == 40
    assert demo_items.filter(title__contains="·第2期").count() == 20
    # the copy's activities, a day after the first ones, gather the copy's evidence
    assert Activity.objects.filter(title__endswith="（第2场）").count() == 4
    assert EvidenceItem.objects.filter(activity__title__endswith="（第2场）").exists()
    call_command("seed_demo", scale=2)
    assert demo_items.count() == 40
