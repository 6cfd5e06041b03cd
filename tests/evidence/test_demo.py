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
    # each copy its own files, each shared by two of its rows (as identical uploads are linked)
    assert StoredFile.objects.filter(file__startswith="evidence/files/demo/").count() == 20
    assert demo_items.values("stored_file").distinct().count() == 20
    # the copy's activities, a day after the first ones, gather the copy's evidence
    assert Activity.objects.filter(title__endswith="（第2场）").count() == 4
    assert EvidenceItem.objects.filter(activity__title__endswith="（第2场）").exists()
    call_command("seed_demo", scale=2)
    assert demo_items.count() == 40
