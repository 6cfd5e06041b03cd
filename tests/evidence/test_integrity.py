"""The integrity check (verify_archive) and the sweep of interrupted uploads, on the file system and on S3."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from civunit.jobs.models import Job
from civunit.jobs.services import job_start
from civunit.notifications.models import Notification
from evidence import files, integrity, previews, uploads
from evidence.binder import jobs as binder_jobs
from evidence.binder import writer
from evidence.models import ArchiveCheck, EvidenceItem, StoredFile
from evidence.services import EvidenceMeta, evidence_accept, evidence_register
from tests.evidence import samples
from tests.evidence.factories import make_evidence, received_from_bytes

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(hours=7)  # past the sweep's grace period (EVIDENCE_TEMP_GRACE_HOURS = 6)


@pytest.fixture
def fake_cover(monkeypatch):
    monkeypatch.setattr(writer, "make_cover", lambda plan, path: path.write_bytes(b"%PDF-1.7 cover") and 0)


@pytest.fixture
def kept(stored, cast, campaign, django_capture_on_commit_callbacks, fake_cover, settings):
    """Two items (a photo with its previews, a PDF), and a binder kept by the jobs app."""
    settings.EVIDENCE_TEMP_GRACE_HOURS = 6
    photo = make_evidence(user=cast.staff_a, campaign=campaign)
    pdf = make_evidence(user=cast.staff_a, campaign=campaign, data=samples.pdf(), name="纪要.pdf")
    assert previews.make_previews(photo.stored_file_id) == StoredFile.PreviewStatus.READY
    evidence_accept(user=cast.coordinator, item=photo)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(binder_jobs.KIND, user=cast.coordinator, params={"campaign": campaign.pk, "layout": "standard"})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result.name
    photo.stored_file.refresh_from_db()
    return {"photo": photo.stored_file, "pdf": pdf.stored_file, "job": job}


def findings(**kwargs) -> set[tuple[str, str]]:
    report = integrity.check_archive(**kwargs)
    return {(f.kind, f.name) for f in report.findings}


def test_an_intact_archive_has_no_findings(kept, stored):
    report = integrity.check_archive(now=timezone.now() + LATER)
    assert report.findings == []
    # two originals, three previews of the photo (with their digests), the binder
    assert report.files_checked == 6 and report.unverified == 0
    photo = kept["photo"]
    assert report.bytes_checked == (
        photo.size + kept["pdf"].size + sum(d["size"] for d in photo.preview_digests.values()) + kept["job"].result_size
    )


def test_a_truncated_a_modified_a_missing_and_an_orphan_file_are_each_found(kept, stored):
    store = stored.storage
    photo, pdf, job = kept["photo"], kept["pdf"], kept["job"]
    original = stored.read(photo.file.name)
    store.delete(photo.file.name)
    stored.save(photo.file.name, original[:-100])  # truncated
    changed = bytearray(stored.read(pdf.file.name))
    changed[len(changed) // 2] ^= 0xFF  # one byte flipped: same size, another SHA-256
    store.delete(pdf.file.name)
    stored.save(pdf.file.name, bytes(changed))
    store.delete(photo.screen.name)  # a derived file missing
    binder = stored.read(job.result.name)
    store.delete(job.result.name)
    stored.save(job.result.name, binder + b"appended")  # the kept binder grew
    orphan = stored.save("evidence/files/2026/03/" + "f" * 32 + ".jpg", b"no row names me")
    job_orphan = stored.save("jobs/evidence_binder/999999.zip", b"no job names me")

    assert findings(now=timezone.now() + LATER) == {
        (integrity.SIZE, photo.file.name),
        (integrity.SHA256, pdf.file.name),
        (integrity.MISSING, photo.screen.name),
        (integrity.SIZE, job.result.name),
        (integrity.ORPHAN, orphan),
        (integrity.ORPHAN, job_orphan),
    }
    # a file no row names yet, younger than the grace period, may be an upload being committed: not an orphan
    assert {kind for kind, _name in findings()} == {integrity.SIZE, integrity.SHA256, integrity.MISSING}


def test_a_modified_preview_is_found_by_its_recorded_digest(kept, stored):
    thumb = kept["photo"].thumbnail.name
    data = stored.read(thumb)
    stored.storage.delete(thumb)
    stored.save(thumb, data[:-1] + bytes([data[-1] ^ 1]))
    assert findings() == {(integrity.SHA256, thumb)}


def test_previews_without_a_recorded_digest_are_checked_for_presence(kept, stored):
    photo = kept["photo"]
    StoredFile.objects.filter(pk=photo.pk).update(preview_digests={})
    report = integrity.check_archive()
    assert report.findings == [] and report.unverified == 3
    stored.storage.delete(photo.print_copy.name)
    assert findings() == {(integrity.MISSING, photo.print_copy.name)}


def test_the_command_prints_a_line_per_finding_records_the_run_and_notifies(kept, stored, cast, capsys):
    call_command("verify_archive")  # clean: exit status 0
    clean = ArchiveCheck.objects.get()
    assert clean.ok and clean.files_checked == 6
    assert clean.storage in ("DurableFileSystemStorage", "S3Storage " + stored.bucket.name if stored.bucket else "")
    assert "0 missing, 0 changed, 0 orphaned" in capsys.readouterr().out
    assert not Notification.objects.filter(kind=Notification.Kind.ARCHIVE_CHECK_FAILED).exists()

    stored.storage.delete(kept["pdf"].file.name)
    orphan = stored.save("evidence/previews/ab/" + "e" * 32 + "-screen.jpg", b"nobody's")
    with pytest.raises(CommandError) as exc:
        call_command("verify_archive", "--grace-hours", "0")
    assert "1 missing, 0 changed, 1 orphaned" in str(exc.value)
    lines = capsys.readouterr().out.strip().splitlines()
    assert sorted(line.split("\t")[:2] for line in lines) == sorted(
        [["missing", kept["pdf"].file.name], ["orphan", orphan]]
    )
    failed = ArchiveCheck.objects.newest_first()[0]
    assert (failed.missing, failed.mismatched, failed.orphans, failed.problems) == (1, 0, 1, 2)
    assert {f["name"] for f in failed.findings} == {kept["pdf"].file.name, orphan}
    told = Notification.objects.filter(kind=Notification.Kind.ARCHIVE_CHECK_FAILED, object_id=failed.pk)
    assert {n.recipient for n in told} == {cast.coordinator, cast.admin}
    assert "2 个问题" in told[0].text
    assert told[0].url == failed.get_absolute_url()


def test_if_due_runs_once_per_interval(kept, stored, settings):
    settings.EVIDENCE_VERIFY_INTERVAL_DAYS = 7
    call_command("verify_archive", "--if-due")
    call_command("verify_archive", "--if-due")
    assert ArchiveCheck.objects.count() == 1
    ArchiveCheck.objects.update(started_at=timezone.now() - datetime.timedelta(days=6))
    call_command("verify_archive", "--if-due")
    assert ArchiveCheck.objects.count() == 1
    ArchiveCheck.objects.update(started_at=timezone.now() - datetime.timedelta(days=7, hours=1))
    call_command("verify_archive", "--if-due")
    assert ArchiveCheck.objects.count() == 2


def test_the_sweep_removes_an_interrupted_uploads_files_and_nothing_else(kept, stored, cast, campaign, monkeypatch):
    """A process killed between saving an upload's file and committing its row leaves the stored file and its
    temporary file behind: the check reports the one, the sweep removes both once the grace period is over, and
    nothing else (the other items' originals and previews, the kept binder, a younger upload's temporary file)."""
    before = stored.names()

    class Killed(BaseException):
        pass

    def killed(**kwargs):
        raise Killed

    received = received_from_bytes("中断.jpg", samples.jpeg(color=(1, 2, 3)))
    monkeypatch.setattr(EvidenceItem.objects, "create", killed)
    monkeypatch.setattr(files, "delete_quietly", lambda names: None)  # the process died: no clean-up ran
    with pytest.raises(Killed):
        evidence_register(user=cast.staff_a, campaign=campaign, received=received, meta=EvidenceMeta())
    monkeypatch.undo()
    left = sorted(set(stored.names()) - set(before))
    assert len(left) == 1 and left[0].startswith("evidence/files/")
    if received.temp_path.exists():  # the file system storage renames the temporary file into place
        os.utime(received.temp_path, (0, 0))
    else:
        received = received_from_bytes("中断2.jpg", b"an interrupted upload's temporary file")
        os.utime(received.temp_path, (0, 0))
    later = timezone.now() + LATER
    young, fd = uploads.open_temp()  # an upload still streaming when the sweep runs
    os.close(fd)
    os.utime(young, (later.timestamp() - 60, later.timestamp() - 60))
    assert findings(now=later) == {(integrity.ORPHAN, left[0])}
    assert files.clean_stale_uploads(now=timezone.now()) == 1  # only the old temporary file: the orphan is young
    assert not received.temp_path.exists() and young.exists()
    assert files.clean_stale_uploads(now=later) == 1
    assert stored.names() == before
    assert findings(now=later) == set()
    young.unlink()
