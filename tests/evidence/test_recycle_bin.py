"""The recycle bin (回收站): staff and heads never hard-delete; the coordinator restores or purges (row and files
together, after confirmation); every step is in the item's history. Tests that take `stored` run on the file
system and on S3."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db.models.fields.files import FieldFile

from evidence import services
from evidence.models import EvidenceEvent, EvidenceItem, StoredFile
from tests.evidence.review_factories import make_item, make_stored_file

Action = EvidenceEvent.Action


@pytest.fixture
def item(cast, campaign):
    return make_item(campaign=campaign, uploader=cast.staff_a)


def _exists(name: str) -> bool:
    return storages["default"].exists(name)


def _name(file: FieldFile) -> str:
    assert file.name, "every stored file has a name"
    return file.name


def _actions(item):
    return list(EvidenceEvent.objects.filter(lineage=item.lineage).values_list("action", flat=True))


def test_deleting_moves_every_version_to_the_bin_and_keeps_the_row(cast, item):
    v2 = services.evidence_edit(user=cast.staff_a, item=item, changes={"title": "二"})  # pending: in place
    services.evidence_delete(user=cast.staff_a, item=v2)
    rows = EvidenceItem.objects.filter(lineage=item.lineage)
    assert rows.count() == 1
    assert all(r.deleted_at is not None and r.deleted_by == cast.staff_a for r in rows)
    assert not EvidenceItem.objects.alive().filter(lineage=item.lineage).exists()
    assert _exists(item.stored_file.file.name)


@pytest.mark.parametrize("who", ["staff_b", "head_b", "leader"])
def test_people_who_may_not_change_the_item_cannot_delete_it(cast, item, who):
    with pytest.raises(PermissionDenied):
        services.evidence_delete(user=getattr(cast, who), item=item)


def test_only_the_coordinator_restores(cast, item):
    services.evidence_delete(user=cast.head_a, item=item)
    item.refresh_from_db()
    for who in ("staff_a", "head_a", "leader"):
        with pytest.raises(PermissionDenied):
            services.evidence_restore(user=getattr(cast, who), item=item)
    services.evidence_restore(user=cast.coordinator, item=item)
    item.refresh_from_db()
    assert item.deleted_at is None and item.deleted_by is None
    assert _actions(item) == [Action.UPLOADED, Action.DELETED, Action.RESTORED]


def test_purge_removes_all_versions_and_their_files_but_keeps_the_history(
    cast, campaign, stored, django_capture_on_commit_callbacks
):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    services.evidence_accept(user=cast.head_a, item=item)
    second_file = make_stored_file()
    v2 = services.evidence_new_version(user=cast.staff_a, item=item, stored_file=second_file)
    assert item.stored_file is not None
    names = [_name(item.stored_file.file), _name(item.stored_file.thumbnail), _name(second_file.file)]
    assert all(_exists(n) for n in names)
    services.evidence_delete(user=cast.staff_a, item=v2)
    item.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.evidence_purge(user=cast.head_a, item=item)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_purge(user=cast.coordinator, item=item)

    assert not EvidenceItem.objects.filter(lineage=item.lineage).exists()
    assert not StoredFile.objects.filter(pk__in=[item.stored_file_id, second_file.pk]).exists()
    assert not any(_exists(n) for n in names)
    assert stored.names() == []
    assert _actions(item) == [
        Action.UPLOADED,
        Action.ACCEPTED,
        Action.NEW_VERSION,
        Action.DELETED,
        Action.PURGED,
    ]
    purged = EvidenceEvent.objects.get(lineage=item.lineage, action=Action.PURGED)
    assert purged.actor == cast.coordinator
    assert purged.details["versions"] == 2


def test_purge_keeps_a_file_another_item_still_uses(cast, campaign, django_capture_on_commit_callbacks, stored):
    shared = make_stored_file()
    doomed = make_item(campaign=campaign, uploader=cast.staff_a, stored_file=shared)
    keeper = make_item(campaign=campaign, uploader=cast.staff_b, stored_file=shared)
    services.evidence_delete(user=cast.staff_a, item=doomed)
    doomed.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_purge(user=cast.coordinator, item=doomed)
    assert StoredFile.objects.filter(pk=shared.pk).exists()
    assert _exists(str(shared.file.name))
    assert EvidenceItem.objects.filter(pk=keeper.pk).exists()


def test_an_item_outside_the_bin_cannot_be_purged(cast, item):
    with pytest.raises(services.ReviewError):
        services.evidence_purge(user=cast.coordinator, item=item)
    assert EvidenceItem.objects.filter(pk=item.pk).exists()


def test_a_purge_that_rolls_back_keeps_rows_and_files(cast, campaign, stored):
    from django.db import transaction

    item = make_item(campaign=campaign, uploader=cast.staff_a)
    services.evidence_delete(user=cast.staff_a, item=item)
    item.refresh_from_db()
    assert item.stored_file is not None
    name = _name(item.stored_file.file)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.evidence_purge(user=cast.coordinator, item=item)
        raise Boom
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    assert _exists(name)


def test_history_records_who_deleted_and_restored(cast, item):
    services.evidence_delete(user=cast.head_a, item=item)
    services.evidence_restore(user=cast.coordinator, item=item)
    rows = list(
        EvidenceEvent.objects.filter(lineage=item.lineage).order_by("at", "pk").values_list("action", "actor__username")
    )
    assert rows[1:] == [(Action.DELETED, "head_a"), (Action.RESTORED, "coordinator")]
