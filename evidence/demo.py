"""Demo evidence, called by `manage.py seed_demo` after the campaign and the tasks. Running it again leaves the
same rows; `--scale N` makes N times the rows (stored files are shared between rows, as identical uploads of
the same file would be linked rather than stored twice).

Photos are drawn here with EXIF dates (some stored rotated with an orientation tag, one with a GPS position),
PDFs and spreadsheets are generated; they are linked to the campaign's standards and to tasks of the
uploader's office where the task breakdown has them.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from campaign.demo import demo_campaign, is_copy, scaled_code
from campaign.models import Criterion, EvidenceCategory
from civunit.accounts.models import User

from . import files, previews, uploads
from .models import EvidenceEvent, EvidenceItem, EvidenceKind, EvidenceStandard, StoredFile
from .services import allocate_archive_number
from .sniffing import sniff

FONT_FILES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
DEMO_NOTE = "（演示数据）"
UPLOADERS = ["staff", "staff2", "head", "head2", "coordinator"]


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    category: str
    caption: str
    place: str
    people: str
    date: datetime.date
    kind: str  # photo, pdf, xlsx
    orientation: int = 0
    gps: bool = False
    color: tuple[int, int, int] = (180, 40, 40)


TEMPLATES = [
    Template(
        "volunteer",
        "学雷锋志愿服务进社区",
        EvidenceCategory.PHOTO,
        "机关青年志愿者在阳光社区开展便民服务",
        "阳光社区",
        "机关青年志愿者",
        datetime.date(2026, 3, 5),
        "photo",
        color=(190, 50, 40),
    ),
    Template(
        "volunteer-2",
        "志愿服务：文明交通劝导",
        EvidenceCategory.PHOTO,
        "在人民路路口开展文明交通劝导",
        "人民路路口",
        "机关志愿者12人",
        datetime.date(2026, 3, 20),
        "photo",
        orientation=6,
        color=(40, 120, 180),
    ),
    Template(
        "study",
        "理论学习中心组集中学习",
        EvidenceCategory.PHOTO,
        "机关理论学习中心组专题学习",
        "机关三楼会议室",
        "机关党组成员、各委室负责人",
        datetime.date(2026, 4, 8),
        "photo",
        color=(60, 140, 70),
    ),
    Template(
        "reading",
        "书香机关读书分享会",
        EvidenceCategory.PHOTO,
        "“书香机关”读书分享会",
        "机关图书室",
        "干部职工30余人",
        datetime.date(2026, 4, 23),
        "photo",
        orientation=8,
        color=(150, 110, 40),
    ),
    Template(
        "environment",
        "机关办公环境整治",
        EvidenceCategory.PHOTO,
        "办公区域环境整治后的走廊",
        "机关办公楼",
        "",
        datetime.date(2026, 5, 12),
        "photo",
        gps=True,
        color=(90, 90, 160),
    ),
    Template(
        "festival",
        "端午节传统文化活动",
        EvidenceCategory.PHOTO,
        "“我们的节日·端午”包粽子活动",
        "机关食堂",
        "干部职工及家属",
        datetime.date(2026, 6, 19),
        "photo",
        color=(30, 150, 140),
    ),
    Template(
        "plan",
        "创建全国文明单位实施方案",
        EvidenceCategory.PLAN,
        "机关创建工作实施方案（印发稿）",
        "",
        "",
        datetime.date(2026, 3, 1),
        "pdf",
    ),
    Template(
        "minutes",
        "创建工作领导小组会议纪要",
        EvidenceCategory.MINUTES,
        "领导小组第一次会议纪要",
        "机关二楼会议室",
        "领导小组成员",
        datetime.date(2026, 3, 10),
        "pdf",
    ),
    Template(
        "roster",
        "志愿服务活动签到表",
        EvidenceCategory.TABLE,
        "学雷锋志愿服务活动签到",
        "阳光社区",
        "",
        datetime.date(2026, 3, 5),
        "xlsx",
    ),
    Template(
        "training",
        "文明礼仪培训签到名册",
        EvidenceCategory.TABLE,
        "文明礼仪专题培训",
        "机关报告厅",
        "",
        datetime.date(2026, 5, 28),
        "xlsx",
    ),
]


def _font(size: int):
    for path in FONT_FILES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _photo(t: Template) -> bytes:
    width, height = 1600, 1200
    im = Image.new("RGB", (width, height), t.color)
    draw = ImageDraw.Draw(im)
    for i in range(0, height, 40):
        shade = tuple(min(255, c + i // 12) for c in t.color)
        draw.rectangle((0, i, width, i + 40), fill=shade)
    draw.rectangle((80, 80, width - 80, 330), fill=(255, 255, 255))
    draw.text((120, 110), t.title, fill=(30, 30, 30), font=_font(72))
    draw.text((120, 220), f"{t.place}  {t.date:%Y-%m-%d}", fill=(90, 90, 90), font=_font(48))
    draw.text((120, height - 140), "演示照片 · 某市政协机关", fill=(255, 255, 255), font=_font(40))
    if t.orientation == 6:
        # Stored as a camera held upright would store it: pixels turned, the tag says turn them back.
        im = im.transpose(Image.Transpose.ROTATE_90)
    elif t.orientation == 8:
        im = im.transpose(Image.Transpose.ROTATE_270)
    exif = Image.Exif()
    stamp = f"{t.date:%Y:%m:%d} 09:30:00"
    exif[0x0132] = stamp
    exif.get_ifd(0x8769)[0x9003] = stamp
    exif[0x010F] = "DemoCam"
    if t.orientation:
        exif[0x0112] = t.orientation
    if t.gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 20.0), 3: "E", 4: (121.0, 28.0, 45.0)}
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=82, exif=exif)
    return buf.getvalue()


def _pdf(t: Template) -> bytes:
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((160, 200), t.title, fill=(200, 0, 0), font=_font(64))
    draw.line((160, 320, 1080, 320), fill=(200, 0, 0), width=4)
    for i, line in enumerate([t.caption, f"{t.date:%Y年%m月%d日}", "演示文件 · 某市政协机关"]):
        draw.text((160, 400 + i * 80), line, fill=(20, 20, 20), font=_font(40))
    buf = io.BytesIO()
    page.save(buf, "PDF", resolution=150)
    return buf.getvalue()


def _xlsx(t: Template) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = cast(Worksheet, wb.active)
    ws.title = "签到表"
    ws.append([t.title])
    ws.append(["序号", "姓名", "委室", "签到时间"])
    names = ["张伟", "刘洋", "李明", "王芳", "陈静", "周敏", "吴磊", "郑洁"]
    for i, name in enumerate(names, 1):
        ws.append([i, name, "研究室" if i % 2 else "提案委员会办公室", f"{t.date:%Y-%m-%d} 08:{20 + i:02d}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _file_for(t: Template) -> tuple[bytes, str]:
    if t.kind == "photo":
        return _photo(t), "jpg"
    if t.kind == "pdf":
        return _pdf(t), "pdf"
    return _xlsx(t), "xlsx"


def _stored_file(t: Template) -> StoredFile:
    """The template's file, stored once under a fixed name (found again by it when seeding runs again: PDFs and
    workbooks carry their creation time, so their bytes differ from run to run)."""
    prefix = f"evidence/files/demo/{t.key}."
    existing = StoredFile.objects.filter(file__startswith=prefix).first()
    if existing is not None:
        return existing
    data, ext = _file_for(t)
    sha = hashlib.sha256(data).hexdigest()
    temp, fd = uploads.open_temp()
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        sniffed = sniff(temp, original_name=f"demo.{ext}")
        # A file left under this name by an earlier database is no row's (the lookup above found none): replace it
        # rather than let the storage pick another name, which the lookup would not find next time.
        files.delete_quietly([f"{prefix}{sniffed.extension}"])
        name = files.save_local_file(temp, f"{prefix}{sniffed.extension}")
        try:
            stored = StoredFile.objects.create(
                sha256=sha,
                size=len(data),
                kind=sniffed.kind,
                format=sniffed.format,
                content_type=sniffed.content_type,
                file=name,
                width=sniffed.width,
                height=sniffed.height,
                taken_at=sniffed.taken_at,
            )
        except BaseException:
            files.delete_quietly([name])
            raise
    finally:
        uploads.remove_quietly(temp)
    previews.make_previews(stored.pk)  # the worker may not run while seeding
    stored.refresh_from_db()
    return stored


def seed(*, scale: int = 1, stdout=None) -> None:
    campaign = demo_campaign()
    if campaign is None:
        if stdout:
            stdout.write("  evidence: no current campaign, skipped")
        return
    users = {u.username: u for u in User.objects.filter(username__in=UPLOADERS).select_related("office")}
    uploaders = [users[name] for name in UPLOADERS if name in users and users[name].office_id]
    if not uploaders:
        return
    leaves = list(Criterion.objects.filter(campaign=campaign, is_leaf=True).order_by("ordering", "pk"))
    by_code = {c.code: c for c in leaves}
    # the example's own standards (not the copies `--scale` made of them): copy k of the evidence goes under copy
    # k of its standard
    standards = [c for c in leaves if not is_copy(c.code)]
    if not standards:
        return
    tasks_by_office: dict[int | None, list] = {}
    try:
        from tasks.models import Task

        for task in Task.objects.filter(campaign=campaign).order_by("pk"):
            tasks_by_office.setdefault(task.lead_office_id, []).append(task)
    except LookupError:  # pragma: no cover
        pass

    # Each copy of the demo (`--scale N`) has files of its own (the template drawn with the copy's number), each
    # shared by the copy's two items; a copy's items are dated a day later than the previous copy's (and join the
    # copy of the activity held that day, evidence.demo_review).
    per_copy = 2 * len(TEMPLATES)
    wanted = per_copy * scale
    stored = {
        (t.key, copy): _stored_file(
            t if copy == 0 else replace(t, key=f"{t.key}_copy{copy + 1}", title=f"{t.title} {copy + 1}")
        )
        for copy in range(scale)
        for t in TEMPLATES
    }
    have = set(
        EvidenceItem.objects.filter(campaign=campaign, description__endswith=DEMO_NOTE).values_list(
            "original_name", flat=True
        )
    )
    created = 0
    for n in range(wanted):
        t = TEMPLATES[n % len(TEMPLATES)]
        copy = n // per_copy
        sf = stored[(t.key, copy)]
        ext = "jpg" if sf.kind == EvidenceKind.PHOTO else sf.format
        base = standards[(n * 7) % len(standards)]
        standard = by_code.get(scaled_code(base.code, copy), base)
        name = f"{standard.code}_{t.date:%Y%m%d}_{t.title}_{n + 1:02d}.{ext}"
        if name in have:
            continue
        uploader = uploaders[n % len(uploaders)]
        office_tasks = tasks_by_office.get(uploader.office_id, [])
        with transaction.atomic():
            item = EvidenceItem.objects.create(
                campaign=campaign,
                stored_file=sf,
                original_name=name,
                kind=sf.kind,
                category=t.category,
                title=t.title if n < len(TEMPLATES) else f"{t.title}（{n // len(TEMPLATES) + 1}）",
                caption=t.caption,
                description=f"{t.caption}{DEMO_NOTE}",
                taken_on=t.date + datetime.timedelta(days=copy),
                place=t.place,
                people=t.people,
                office=uploader.office,  # type: ignore[misc]  # uploaders are people with an office (above)
                uploader=uploader,
                primary_standard=standard,
                archive_number=allocate_archive_number(standard),
            )
            EvidenceStandard.objects.create(item=item, criterion=standard, position=0)
            if office_tasks:
                item.tasks.add(office_tasks[n % len(office_tasks)])
            EvidenceEvent.objects.create(
                lineage=item.lineage,
                item=item,
                actor=uploader,
                action=EvidenceEvent.Action.UPLOADED,
                details={"file": name, "demo": True},
            )
            EvidenceItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - datetime.timedelta(hours=n))
        created += 1
    if stdout:
        stdout.write(f"  evidence: {created} new items, {len(stored)} stored files")
