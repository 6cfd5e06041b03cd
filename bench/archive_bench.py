"""Binder benchmark: a binder of at least 1 GB exported, beside `zip -0 -r` of the same files in the same run.

    .venv/bin/python bench/archive_bench.py [--size-mb 1100] [--repeat 2] [--keep] [--json]

Prepares a throw-away SQLite database and MEDIA_ROOT under a temporary directory (checking first that it has
room for the files and two archives), and fills it with a campaign of 30 standards and accepted evidence items
whose files are incompressible random bytes: photos of 4 MiB and videos of 64 MiB, about --size-mb in all, half
of the items supporting a second standard. Then, --repeat times and alternately:

- the baseline: `zip -0 -r -q` of the stored files (evidence/files), then `sync` of the archive, since the export
  fsyncs its own;
- the binder: the export (evidence.binder.export_binder, what `manage.py export_archive` runs) in a child
  process of its own, written to a file and fsynced; once with a one-line stand-in for the cover (the time
  compared with zip's) and once with the real cover PDF.

Each is timed by the wall clock; peak memory is the child's maximum resident set (ru_maxrss from wait4), the
export's own and, apart, that of the process that rendered the cover PDF (civunit/pdf_process.py). Targets: the
binder without its cover <= 1.2 x zip -0, the export's peak memory <= 150 MB. Everything is removed afterwards
unless --keep. With --json the figures are also printed as JSON (bench/benchlib.py), as bench/run reads them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
MIB = 1024 * 1024
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, json_output, limit_figure, ratio_figure  # noqa: E402

PHOTO = 4 * MIB
VIDEO = 64 * MIB
STANDARDS = 30


def scratch_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "civunit.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "FILE_UPLOAD_TEMP_DIR": str(tmp / "upload-tmp"),
            "DEBUG": "on",
            "SECRET_KEY": "archive-bench",
            "AWS_STORAGE_BUCKET_NAME": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_measured(cmd: list[str], *, env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    """Run `cmd`; returns (wall seconds, peak RSS of it and its children in KiB, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)  # the child's rusage: Popen.wait() would not give it
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"{cmd[0]} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read().decode()


def write_random(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        left = size
        while left:
            chunk = os.urandom(min(MIB, left))
            fh.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def populate(tmp: Path, size_mb: int) -> tuple[int, int]:
    """The scratch archive: returns (items, bytes)."""
    import django

    django.setup()
    import datetime

    from django.utils import timezone

    from campaign.models import Campaign, Criterion
    from civunit.accounts.models import Office, User
    from evidence.models import EvidenceItem, EvidenceStandard, StoredFile

    campaign = Campaign.objects.create(
        title="创建全国文明单位",
        organ_name="某市政协机关",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        is_current=True,
    )
    standards = [
        Criterion.objects.create(campaign=campaign, code=f"{i // 5 + 1}.{i % 5 + 1}", title=f"测评标准{i}", ordering=i)
        for i in range(STANDARDS)
    ]
    office = Office.objects.create(name="研究室")
    user = User.objects.create(username="bench", real_name="张伟", office=office)
    files_dir = tmp / "media" / "evidence" / "files" / "2026" / "03"
    files_dir.mkdir(parents=True)
    budget = size_mb * MIB
    videos = max(1, budget // 4 // VIDEO)  # about a quarter of the bytes in videos
    sizes = [VIDEO] * videos + [PHOTO] * ((budget - videos * VIDEO) // PHOTO)
    now = timezone.now()
    total = 0
    for n, size in enumerate(sizes):
        ext, kind, fmt = ("mp4", "video", "mp4") if size == VIDEO else ("jpg", "photo", "jpeg")
        name = f"evidence/files/2026/03/{uuid.uuid4().hex}.{ext}"
        sha = write_random(tmp / "media" / name, size)
        stored = StoredFile.objects.create(
            sha256=sha, size=size, kind=kind, format=fmt, content_type="application/octet-stream", file=name
        )
        primary = standards[n % STANDARDS]
        item = EvidenceItem.objects.create(
            campaign=campaign,
            stored_file=stored,
            original_name=f"{n}.{ext}",
            kind=kind,
            category="photo" if kind == "photo" else "audio_video",
            title=f"学雷锋志愿服务活动第{n // 3 + 1}次",  # titles repeat: the names' numbers count
            taken_on=datetime.date(2026, 3, 1) + datetime.timedelta(days=n % 60),
            office=office,
            uploader=user,
            primary_standard=primary,
            archive_number=f"{primary.code}-{n:03d}",
            status=EvidenceItem.Status.ACCEPTED,
            reviewed_at=now,
        )
        links = [EvidenceStandard(item=item, criterion=primary, position=0)]
        if n % 2:
            links.append(EvidenceStandard(item=item, criterion=standards[(n + 7) % STANDARDS], position=1))
        EvidenceStandard.objects.bulk_create(links)
        total += size
    return len(sizes), total


def child_export(out: str, *, with_cover: bool) -> None:
    """In the child process: the export, and its figures as JSON on stdout. Without the cover, a one-line stand-in
    takes its place (the rest, the final fsync included, is timed as it is)."""
    import resource

    import django

    django.setup()
    from campaign.models import Campaign
    from evidence.binder import BinderPlan, Layout, export_binder
    from evidence.binder.cover import register_cover

    if not with_cover:

        def stand_in(plan: BinderPlan, path: Path) -> int:
            path.write_bytes(b"%PDF-1.7 stand-in")
            return 0

        register_cover(stand_in)

    start = time.perf_counter()
    stages: dict[str, float] = {}

    class Stages:
        def stage(self, code: str, total: int = 0) -> None:
            stages[code] = round(time.perf_counter() - start, 2)

        def advance(self, steps: int = 1) -> None:
            pass

        def heartbeat(self) -> None:
            pass

    with open(out, "wb") as fh:
        plan, result = export_binder(campaign=Campaign.objects.get(), layout=Layout.STANDARD, out=fh, progress=Stages())
        fh.flush()
        os.fsync(fh.fileno())
    figures = {
        "seconds": time.perf_counter() - start,
        "cover_seconds": result.cover_seconds,
        "cover_peak_kib": result.cover_peak_kib,
        "self_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "files": result.files,
        "items": len(plan.entries),
        "problems": len(result.problems),
        "stages": stages,
        "startup_seconds": start - STARTED,
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1100, help="about this many MiB of files (default 1100)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--child-export", help=argparse.SUPPRESS)
    parser.add_argument("--no-cover", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    if args.child_export:
        child_export(args.child_export, with_cover=not args.no_cover)
        return
    results: list[Figure] = []
    with json_output(args.json, results):
        run(args, results)


def run(args: argparse.Namespace, results: list[Figure]) -> None:
    if not shutil.which("zip"):
        sys.exit("zip is not installed (apt-get install zip)")

    base = Path(tempfile.gettempdir())
    need = args.size_mb * MIB * 2.2 + 500 * MIB  # the files, one archive at a time, the database
    free = shutil.disk_usage(base).free
    if free < need:
        sys.exit(f"{base} has {free / 1e9:.1f} GB free, the benchmark needs {need / 1e9:.1f} GB")
    tmp = Path(tempfile.mkdtemp(prefix="archive-bench-", dir=base))
    try:
        env = scratch_env(tmp)
        (tmp / "upload-tmp").mkdir()
        os.environ.update(env)
        t = time.perf_counter()
        run_measured([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT)
        items, total = populate(tmp, args.size_mb)
        print(
            f"scratch archive: {items} items, {total / 1e9:.2f} GB of random files "
            f"({time.perf_counter() - t:.0f} s to prepare)"
        )

        zip_times, binder_times, bare_times, cover_times, peaks, cover_peaks = [], [], [], [], [], []
        media = tmp / "media"
        for r in range(args.repeat):
            baseline = tmp / "baseline.zip"
            seconds, _rss, _out = run_measured(
                ["sh", "-c", f"zip -0 -r -q {baseline} evidence/files && sync {baseline}"], env=env, cwd=media
            )
            zip_size = baseline.stat().st_size
            baseline.unlink()
            zip_times.append(seconds)

            binder = tmp / "binder.zip"
            bare, _rss, out = run_measured(
                [str(PYTHON), str(Path(__file__).resolve()), "--child-export", str(binder), "--no-cover"],
                env=env,
                cwd=ROOT,
            )
            bare_figures = json.loads(out.strip().splitlines()[-1])
            binder.unlink()
            bare_times.append(bare)
            peaks.append(bare_figures["self_peak_kib"])

            seconds, rss_tree, out = run_measured(
                [str(PYTHON), str(Path(__file__).resolve()), "--child-export", str(binder)], env=env, cwd=ROOT
            )
            figures = json.loads(out.strip().splitlines()[-1])
            binder_size = binder.stat().st_size
            binder.unlink()
            binder_times.append(seconds)
            cover_times.append(figures["cover_seconds"])
            peaks.append(figures["self_peak_kib"])
            cover_peaks.append(figures["cover_peak_kib"])
            print(
                f"run {r + 1}: zip -0 {zip_times[-1]:.1f} s ({zip_size / 1e9:.2f} GB); binder without the cover "
                f"{bare:.1f} s (peak {bare_figures['self_peak_kib'] / 1024:.0f} MB, start-up "
                f"{bare_figures['startup_seconds']:.1f} s, stages begin at {bare_figures['stages']}); "
                f"binder {seconds:.1f} s "
                f"({binder_size / 1e9:.2f} GB, {figures['files']} files, {figures['items']} items), of which the "
                f"cover {figures['cover_seconds']:.1f} s; "
                f"peak memory: export {figures['self_peak_kib'] / 1024:.0f} MB, "
                f"cover renderer {figures['cover_peak_kib'] / 1024:.0f} MB (the whole tree {rss_tree / 1024:.0f} MB); "
                f"stages begin at {figures['stages']}"
            )
        zip_s = statistics.median(zip_times)
        bare_s = statistics.median(bare_times)
        binder_s = statistics.median(binder_times)
        cover_s = statistics.median(cover_times)
        ratio = bare_s / zip_s
        print(
            f"median: zip -0 {zip_s:.1f} s; binder without the cover {bare_s:.1f} s -> {ratio:.2f} x zip -0 "
            f"(target <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}); with the cover {binder_s:.1f} s (the cover "
            f"{cover_s:.1f} s); export peak "
            f"{max(peaks) / 1024:.0f} MB (target <= 150: {'met' if max(peaks) / 1024 <= 150 else 'NOT met'}), "
            f"cover renderer {max(cover_peaks) / 1024:.0f} MB"
        )
        size = f"{total / 1e9:.2f} GB"
        results.append(ratio_figure(f"binder export of {size}, without the cover, vs zip -0", bare_s, zip_s, most=1.2))
        results.append(limit_figure(f"binder export of {size}: peak memory", max(peaks) / 1024, most=150, unit="MB"))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
