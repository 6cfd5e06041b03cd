"""Benchmark: the report to 市文明办 as a PDF, for the demo campaign and for a large one, beside WeasyPrint alone.

    .venv/bin/python bench/report_bench.py [--only demo|large] [--standards 300] [--photos 500] [--keep DIR] [--json]

Builds each campaign in a scratch SQLite database in a temporary folder (DATABASE_URL is ignored):
- demo: `seed_demo`, as `make run` loads it;
- large: the dashboard's data set (tests/reports/dataset.py: --standards standards in 10 items and 30 indicators,
  --tasks tasks (600: two breakdown lines a standard), --documents evidence items that are not photos (1,000),
  with their history), an explanation report of about 480 characters on every indicator, and --photos
  accepted photos of 4000 × 3000 pixels as phones take them (distinct images, JPEG quality 90, about 1–3 MB each)
  spread over the standards, each with the previews the worker makes on upload (evidence/previews.py: a print copy
  with a long side of 1000 px, the printed width of a half-page figure at 300 dpi). Making them takes minutes; they
  are kept in --photo-cache (default: a folder under the system's temporary folder) for the next run.

Then, each in a fresh Python process (so that its peak memory, ru_maxrss, is its own):
1. the whole path, as the background job runs it: report_content() (the queries), the templates, each print copy
   read once and checked, WeasyPrint's layout of each part (the body, each attachment; a large evidence index a
   测评项目 at a time), the parts joined by pypdf and written to a file (a first, untimed pass keeps the very HTML
   and stylesheet WeasyPrint is given for each part, from pdf.draw_html);
2. WeasyPrint alone on that same HTML, part by part, with the same stylesheets and fetcher, each part written to
   a file (no joining). Like the report's renderer, it first freezes the objects alive before (gc.freeze()), so
   that on both sides the collector walks only what WeasyPrint makes.
Prints time, peak memory and PDF size of both, and the ratio of the times. Targets for the large report:
time <= 1.3 x WeasyPrint alone, peak memory <= 500 MB, file <= 60 MB. With --json the figures are also printed
as JSON (bench/benchlib.py), as bench/run reads them.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.benchlib import Figure, info_figure, json_output, limit_figure, ratio_figure  # noqa: E402

FIGURES: list[Figure] = []  # for --json


def setup_django(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("DEBUG", "off")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


# --- Building the campaigns (parent process) ---------------------------------------------------------------------


BASES = 40  # distinct scenes; each photo adds its own patch and number, so no two print copies are alike
_bases: dict[int, object] = {}


def phone_photo(n: int, rng: random.Random) -> bytes:
    """A 4000 × 3000 JPEG that compresses like a photo (about 1.5 MB): one of BASES scenes (shapes on a gradient
    drawn at a quarter of the size, scaled up, with grain) with a patch and a number of its own."""
    import os

    from PIL import Image, ImageDraw

    base = _bases.get(n % BASES)
    if base is None:
        base = _bases[n % BASES] = scene(random.Random(n % BASES))
    im = base.copy()  # type: ignore[attr-defined]
    patch = Image.frombytes("L", (100, 75), os.urandom(7500)).resize((800, 600)).convert("RGB")
    im.paste(patch, (rng.randrange(3200), rng.randrange(2400)))
    ImageDraw.Draw(im).rectangle((0, 2760, 4000, 3000), fill=(20, 20, 20))
    ImageDraw.Draw(im).text((80, 2820), f"photo {n}", fill=(255, 255, 255), font_size=120)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def scene(rng: random.Random):
    from PIL import Image, ImageDraw, ImageFilter

    w, h = 1000, 750
    base = Image.linear_gradient("L").resize((w, h))
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    im = Image.merge("RGB", [base.point(lambda v, c=c: (v * c) // 255 + (255 - c) // 3) for c in colour])
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(20, 180)
        fill = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=fill)
    im = im.filter(ImageFilter.GaussianBlur(1.5)).resize((w * 4, h * 4), Image.Resampling.BILINEAR)
    grain = Image.effect_noise((w * 2, h * 2), 40).resize((w * 4, h * 4)).convert("RGB")
    return Image.blend(im, grain, 0.08)


def photo_corpus(cache: Path, count: int) -> list[tuple[Path, Path]]:
    """(original, print copy) paths of `count` photos, made once with the worker's own preview code."""
    from PIL import Image

    from evidence import previews

    cache.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    found = []
    started = time.monotonic()
    for n in range(count):
        original, copy = cache / f"photo-{n:04d}.jpg", cache / f"photo-{n:04d}-print.jpg"
        if not (original.exists() and copy.exists()):
            data = phone_photo(n, random.Random(rng.random()))
            original.write_bytes(data)
            with previews._open_photo(original) as im:  # the worker's path: draft() decoding, EXIF upright
                copy.write_bytes(previews._render_variants(im)["print_copy"])
            if n % 25 == 24:
                print(f"  photos made: {n + 1}/{count} ({time.monotonic() - started:.0f} s)", flush=True)
        else:
            rng.random()
        found.append((original, copy))
    with Image.open(found[0][0]) as im, Image.open(found[0][1]) as pc:
        print(f"  photos: {count} originals of {im.size[0]}x{im.size[1]}, print copies of {pc.size[0]}x{pc.size[1]}")
    return found


def build_demo() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)


def build_large(standards: int, photos: int, tasks: int, documents: int, cache: Path) -> None:
    import datetime
    import hashlib

    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.utils import timezone

    from campaign.models import Campaign, Criterion, EvidenceCategory, Explanation
    from civunit.accounts.models import User
    from civunit.accounts.roles import Role
    from evidence.models import EvidenceItem, EvidenceKind, EvidenceStandard, StoredFile
    from tests.reports.dataset import build
    from tests.reports.report.world import explanation_text

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="创建全国文明单位",
        organ_name="某市政协机关",
        start_date=today - datetime.timedelta(days=300),
        end_date=today + datetime.timedelta(days=400),
        is_current=True,
    )
    data = build(campaign, today=today, standards=standards, tasks=tasks, evidence=documents)
    # the data set's rows share a few stored files and have no previews: documents here, the photos come below
    EvidenceItem.objects.filter(campaign=campaign).update(kind=EvidenceKind.DOCUMENT)
    EvidenceItem.objects.filter(campaign=campaign, category=EvidenceCategory.PHOTO).update(
        category=EvidenceCategory.SUMMARY
    )
    coordinator = data.heads[0]
    from django.contrib.auth.models import Group

    coordinator.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR.group_name)[0])
    indicators = Criterion.objects.filter(campaign=campaign, level=2)
    Explanation.objects.bulk_create(
        [Explanation(criterion=c, text=explanation_text(n)) for n, c in enumerate(indicators)]
    )
    corpus = photo_corpus(cache, photos)
    store = storages["default"]
    items, links = [], []
    for n, (original, copy) in enumerate(corpus):
        digest = hashlib.sha256(original.read_bytes()).hexdigest()
        with original.open("rb") as fh:
            name = store.save(f"evidence/files/bench/{digest}.jpg", fh)
        with copy.open("rb") as fh:
            print_copy = store.save(f"evidence/previews/{digest[:2]}/{digest}-print_copy.jpg", fh)
        stored = StoredFile.objects.create(
            sha256=digest,
            size=original.stat().st_size,
            kind=EvidenceKind.PHOTO,
            format="jpeg",
            content_type="image/jpeg",
            file=name,
            width=4000,
            height=3000,
            preview_status=StoredFile.PreviewStatus.READY,
            screen=print_copy,
            thumbnail=print_copy,
            print_copy=print_copy,
        )
        standard = data.standards[n % len(data.standards)]
        office = n % len(data.offices)
        items.append(
            EvidenceItem(
                campaign=campaign,
                stored_file=stored,
                original_name=f"IMG_{n:04d}.jpg",
                kind=EvidenceKind.PHOTO,
                category=EvidenceCategory.PHOTO,
                title=f"志愿服务活动照片{n + 1}",
                caption="机关青年志愿者在阳光社区开展便民服务",
                taken_on=today - datetime.timedelta(days=n % 200),
                place="阳光社区",
                people="机关青年志愿者",
                office=data.offices[office],
                uploader=data.staff[office],
                primary_standard=standard,
                archive_number=f"{standard.code}-P{n:04d}",
                status=EvidenceItem.Status.ACCEPTED,
                reviewed_by=data.heads[office],
                reviewed_at=timezone.now(),
            )
        )
    EvidenceItem.objects.bulk_create(items)
    links = [EvidenceStandard(item=i, criterion=i.primary_standard, position=0) for i in items]
    EvidenceStandard.objects.bulk_create(links)
    User.objects.filter(pk=coordinator.pk).update(username="coordinator")


# --- Measuring (child processes) ---------------------------------------------------------------------------------


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_report(folder: Path) -> dict:
    """The whole path; keeps the HTML of each part it drew (and what the fetcher may serve) for the WeasyPrint-only
    run."""
    from campaign.models import Campaign
    from civunit.accounts.models import User
    from civunit.reports.report import pdf
    from civunit.reports.report.content import report_content

    kept: list[dict[str, object]] = []
    draw = pdf.draw_html

    def keep(html, **kwargs):  # the very HTML and stylesheet WeasyPrint is given, for WeasyPrint alone next
        kept.append({"html": html, "css": pdf.font_css() + pdf._continuation_css(kwargs.get("first_page", 1))})
        return draw(html, **kwargs)

    user = User.objects.get(username="coordinator")
    campaign = Campaign.objects.current()
    assert campaign is not None
    # a first pass with the HTML kept (not timed), then the timed run
    pdf.draw_html = keep  # wrapped for the first pass only
    content = report_content(campaign, user=user)
    pdf.render_report_pdf(content, io.BytesIO(), user=user)
    pdf.draw_html = draw
    (folder / "parts.json").write_text(json.dumps(kept))
    (folder / "allowed.json").write_text(json.dumps(pdf.allowed_print_copies(content.photos(), user=user)))
    started, cpu = time.perf_counter(), cpu_seconds()
    content = report_content(campaign, user=user)
    content_s = time.perf_counter() - started
    out = folder / "report.pdf"
    with out.open("wb") as fh:
        pdf.render_report_pdf(content, fh, user=user)
    total = time.perf_counter() - started
    return {
        "seconds": total,
        "cpu": cpu_seconds() - cpu,
        "content_seconds": content_s,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pdf_mb": out.stat().st_size / 1e6,
        "photos": len(content.photos()),
        "standards": len([r for r in content.assessment_rows if r.is_standard]),
        "pages": len(__import__("pypdf").PdfReader(out).pages),
        "parts": len(kept),
    }


def child_weasyprint(folder: Path) -> dict:
    """WeasyPrint alone on the same HTML: each part laid out and written (to a file), nothing else."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from civunit.reports.report import pdf

    parts = json.loads((folder / "parts.json").read_text())
    allowed = {int(k): v for k, v in json.loads((folder / "allowed.json").read_text()).items()}
    size = 0
    # As the report's renderer does (pdf.render_official_pdf), the objects alive before (Django, the HTML) are
    # left out of the collector's passes: both sides collect only what WeasyPrint makes.
    gc.freeze()
    started, cpu = time.perf_counter(), cpu_seconds()
    for n, part in enumerate(parts):
        fetcher = pdf.OfficialFetcher(allowed)
        fonts = FontConfiguration()
        out = folder / f"weasyprint-{n:02d}.pdf"
        HTML(string=part["html"], url_fetcher=fetcher).write_pdf(
            out, stylesheets=[CSS(string=part["css"], font_config=fonts, url_fetcher=fetcher)], font_config=fonts
        )
        size += out.stat().st_size
    return {
        "seconds": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pdf_mb": size / 1e6,
    }


def run_child(kind: str, folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--folder", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"{kind} run failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(label: str, folder: Path) -> None:
    report = run_child("report", folder)
    alone = run_child("weasyprint", folder)
    ratio = report["seconds"] / alone["seconds"]
    cpu_ratio = report["cpu"] / alone["cpu"]
    print(
        f"{label}: {report['standards']} standards, {report['photos']} photos, {report['pages']} pages "
        f"in {report['parts']} parts\n"
        f"  report (content + template + checks + WeasyPrint): {report['seconds']:.2f} s, CPU {report['cpu']:.2f} s "
        f"(content {report['content_seconds']:.2f} s), peak {report['peak_mb']:.0f} MB, PDF {report['pdf_mb']:.1f} MB\n"
        f"  WeasyPrint alone on the same HTML (its parts):     {alone['seconds']:.2f} s, CPU {alone['cpu']:.2f} s, "
        f"peak {alone['peak_mb']:.0f} MB, PDF {alone['pdf_mb']:.1f} MB\n"
        f"  ratio {ratio:.2f}x, in CPU time {cpu_ratio:.2f}x (target <= 1.3x)",
        flush=True,
    )
    what = f"report, {label} ({report['standards']} standards, {report['photos']} photos, {report['pages']} pages)"
    if label != "large":  # the targets are the large report's
        FIGURES.append(
            info_figure(f"{what} vs WeasyPrint alone", report["seconds"], baseline=alone["seconds"], unit="s")
        )
        return
    FIGURES.append(ratio_figure(f"{what} vs WeasyPrint alone", report["seconds"], alone["seconds"], most=1.3))
    FIGURES.append(ratio_figure(f"{what} vs WeasyPrint alone, CPU", report["cpu"], alone["cpu"], most=1.3))
    if label == "large":
        FIGURES.append(limit_figure(f"report, {label}: peak memory", report["peak_mb"], most=500, unit="MB"))
        FIGURES.append(limit_figure(f"report, {label}: PDF size", report["pdf_mb"], most=60, unit="MB"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["demo", "large"])
    parser.add_argument("--standards", type=int, default=300)
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=600, help="tasks of the large campaign's breakdown")
    parser.add_argument("--documents", type=int, default=1000, help="other evidence items (not photos)")
    parser.add_argument("--photo-cache", type=Path, default=Path(tempfile.gettempdir()) / "civunit-bench-report-photos")
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep it (the PDFs, the HTML).")
    parser.add_argument("--child", choices=["report", "weasyprint", "build-demo", "build-large"])
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()

    if args.child:
        setup_django(args.folder)
        if args.child == "build-demo":
            build_demo()
            return
        if args.child == "build-large":
            build_large(args.standards, args.photos, args.tasks, args.documents, args.photo_cache)
            return
        result = child_report(args.folder) if args.child == "report" else child_weasyprint(args.folder)
        print(json.dumps(result))
        return
    with json_output(args.json, FIGURES):
        run(args)


def run(args: argparse.Namespace) -> None:
    for label in ("demo", "large"):
        if args.only and args.only != label:
            continue
        if args.keep:
            folder = args.keep / label
            folder.mkdir(parents=True, exist_ok=True)
            holder = None
        else:
            holder = tempfile.TemporaryDirectory(prefix=f"civunit-report-bench-{label}-")
            folder = Path(holder.name)
        started = time.monotonic()
        build_cmd = [sys.executable, __file__, "--child", f"build-{label}", "--folder", str(folder)]
        build_cmd += ["--standards", str(args.standards), "--photos", str(args.photos)]
        build_cmd += ["--tasks", str(args.tasks), "--documents", str(args.documents)]
        build_cmd += ["--photo-cache", str(args.photo_cache)]
        subprocess.run(build_cmd, check=True)
        print(f"{label}: built in {time.monotonic() - started:.0f} s", flush=True)
        measure(label, folder)
        if holder:
            holder.cleanup()


if __name__ == "__main__":
    main()
