"""Demo evidence, called by `manage.py seed_demo` after the campaign and the tasks. Running it again leaves the
same rows; `--scale N` makes N times the rows (stored files are shared between rows, as identical uploads of
the same file would be linked rather than stored twice).

Photos are drawn here as scenes of their activity (people under a red banner, a meeting room, a library …) with
EXIF dates (some stored rotated with an orientation tag, one with a GPS position), PDFs and spreadsheets are
generated. Each item is filed under the standard it proves, uploaded by someone of an office that leads a task
for that standard where there is one, and linked to that task.
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
    standard: str = ""  # the code of the standard it is filed under
    scene: str = "outdoor"  # what the photo shows (see _photo)
    uploader: str = ""  # the demo username who uploads it, where not the leading office's (below)


def _t(key, title, category, caption, place, people, date, kind, standard, **extra) -> Template:
    return Template(key, title, category, caption, place, people, date, kind, standard=standard, **extra)


D = datetime.date
P, M, T, PL = EvidenceCategory.PHOTO, EvidenceCategory.MINUTES, EvidenceCategory.TABLE, EvidenceCategory.PLAN
# Each item under the standard it proves (the demo criteria's codes); photos drawn as scenes of their kind.
TEMPLATES = [
    _t(
        "volunteer",
        "学雷锋志愿服务进社区",
        P,
        "机关青年志愿者在阳光社区开展便民服务",
        "阳光社区",
        "机关青年志愿者",
        D(2026, 3, 5),
        "photo",
        "6.2.1",
        scene="outdoor",
        color=(190, 50, 40),
    ),
    _t(
        "volunteer-2",
        "文明交通劝导志愿服务",
        P,
        "在人民路路口开展文明交通劝导",
        "人民路路口",
        "机关志愿者12人",
        D(2026, 3, 20),
        "photo",
        "9.2.1",
        orientation=6,
        scene="road",
        color=(40, 120, 180),
    ),
    _t(
        "study",
        "理论学习中心组集中学习",
        P,
        "机关理论学习中心组专题学习",
        "机关三楼会议室",
        "机关党组成员、各委室负责人",
        D(2026, 4, 8),
        "photo",
        "2.1.1",
        scene="meeting",
        color=(60, 140, 70),
    ),
    _t(
        "reading",
        "书香机关读书分享会",
        P,
        "“书香机关”读书分享会",
        "机关图书室",
        "干部职工30余人",
        D(2026, 4, 23),
        "photo",
        "7.1.1",
        orientation=8,
        scene="library",
        color=(150, 110, 40),
    ),
    _t(
        "environment",
        "办公区环境整治",
        P,
        "办公区域环境整治后的走廊",
        "机关办公楼",
        "",
        D(2026, 5, 12),
        "photo",
        "10.1.1",
        gps=True,
        scene="corridor",
        color=(90, 90, 160),
    ),
    _t(
        "festival",
        "“我们的节日·端午”包粽子活动",
        P,
        "干部职工及家属一起包粽子",
        "机关食堂",
        "干部职工及家属",
        D(2026, 6, 19),
        "photo",
        "3.2.1",
        scene="hall",
        color=(30, 150, 140),
    ),
    _t("plan", "创建全国文明单位实施方案", PL, "机关创建工作实施方案（印发稿）", "", "", D(2026, 3, 1), "pdf", "1.2.1"),
    _t(
        "minutes",
        "创建工作领导小组第一次会议纪要",
        M,
        "研究部署年度创建工作",
        "机关二楼会议室",
        "领导小组成员",
        D(2026, 3, 10),
        "pdf",
        "1.1.1",
    ),
    _t("roster", "学雷锋志愿服务签到表", T, "学雷锋志愿服务活动签到", "阳光社区", "", D(2026, 3, 5), "xlsx", "6.2.1"),
    _t(
        "training",
        "文明礼仪专题培训签到表",
        T,
        "文明礼仪专题培训签到",
        "机关报告厅",
        "",
        D(2026, 5, 28),
        "xlsx",
        "5.1.1",
    ),
    _t(
        "training-photo",
        "文明礼仪专题培训",
        P,
        "邀请礼仪专家讲授政务接待礼仪",
        "机关报告厅",
        "全体干部职工",
        D(2026, 5, 28),
        "photo",
        "5.1.1",
        scene="meeting",
        color=(120, 40, 60),
    ),
    _t(
        "billboard",
        "社会主义核心价值观公益广告宣传栏",
        P,
        "机关大院新设公益广告宣传栏",
        "机关大院",
        "",
        D(2026, 4, 15),
        "photo",
        "3.1.1",
        scene="billboard",
        color=(180, 30, 30),
    ),
    _t(
        "sports",
        "干部职工趣味运动会",
        P,
        "机关工会组织趣味运动会",
        "市体育中心",
        "干部职工80余人",
        D(2026, 5, 20),
        "photo",
        "7.2.2",
        scene="field",
        color=(30, 110, 190),
    ),
    _t(
        "visit",
        "结对帮扶走访慰问",
        P,
        "走访慰问结对帮扶村困难群众",
        "青山村",
        "机关党员代表",
        D(2026, 6, 5),
        "photo",
        "9.1.1",
        scene="outdoor",
        color=(200, 120, 30),
    ),
    _t(
        "integrity",
        "党风廉政建设责任书",
        PL,
        "机关各委室签订党风廉政建设责任书",
        "",
        "",
        D(2026, 4, 20),
        "pdf",
        "2.2.2",
    ),
    _t("morality", "“道德讲堂”活动方案", PL, "机关“道德讲堂”年度活动安排", "", "", D(2026, 5, 8), "pdf", "4.1.1"),
    _t("energy", "节约型机关能耗统计表", T, "上半年水电能耗统计", "", "", D(2026, 6, 30), "xlsx", "5.2.1"),
    _t(
        "smokefree",
        "无烟机关宣传",
        P,
        "在机关各楼层张贴禁烟标识",
        "机关办公楼",
        "",
        D(2026, 6, 10),
        "photo",
        "5.2.2",
        scene="corridor",
        color=(40, 140, 90),
    ),
    _t(
        "report",
        "政协机关服务履职工作情况报告",
        PL,
        "上半年机关服务委员履职情况",
        "",
        "",
        D(2026, 6, 25),
        "pdf",
        "8.1.2",
        uploader="staff",
    ),
    _t(
        "award",
        "文明科室评选表彰会",
        P,
        "表彰年度文明科室和文明职工",
        "机关报告厅",
        "机关全体干部职工",
        D(2026, 6, 28),
        "photo",
        "1.3.1",
        scene="meeting",
        color=(170, 30, 30),
    ),
]
del D, P, M, T, PL


def _font(size: int):
    for path in FONT_FILES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _people(draw, rng, count: int, floor: int, height: int, width: int, scale: float = 1.0) -> None:
    """Figures standing on the floor line, the farther ones smaller and higher, drawn back to front."""
    clothes = [(30, 40, 70), (200, 40, 40), (240, 240, 235), (40, 60, 40), (90, 90, 100), (220, 150, 30)]
    rows = sorted(rng.random() for _ in range(count))
    for depth in rows:
        size = scale * (0.5 + depth) * height / 9
        x = rng.uniform(0.04, 0.96) * width
        y = floor + depth * (height - floor) * 0.8
        body = rng.choice(clothes)
        draw.rounded_rectangle(
            (x - size * 0.32, y - size * 1.25, x + size * 0.32, y), radius=int(size * 0.18), fill=body
        )
        skin = (rng.randint(210, 240), rng.randint(170, 200), rng.randint(140, 170))
        r = size * 0.2
        draw.ellipse((x - r, y - size * 1.25 - 2 * r, x + r, y - size * 1.25), fill=skin)
        draw.chord((x - r, y - size * 1.25 - 2 * r, x + r, y - size * 1.25 - 0.6 * r), 180, 360, fill=(25, 22, 20))


def _banner(draw, t: Template, box: tuple[int, int, int, int]) -> None:
    draw.rectangle(box, fill=(196, 24, 24))
    size = max(24, (box[3] - box[1]) // 2)
    draw.text(
        ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), t.title, fill=(255, 226, 120), font=_font(size), anchor="mm"
    )


def _scene(t: Template, width: int, height: int) -> Image.Image:
    """A scene of the photo's kind: outdoors (sky, trees, buildings, people under a red banner), a road with a
    zebra crossing, a meeting room, a library, a corridor, a hall, a sports field or a notice board."""
    import random

    from PIL import ImageFilter

    rng = random.Random(t.key)  # noqa: S311 (a drawing, not a secret)
    im = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(im)
    horizon = int(height * 0.5)

    def gradient(top, bottom, y0, y1):
        for y in range(y0, y1):
            f = (y - y0) / max(1, y1 - y0)
            draw.line((0, y, width, y), fill=tuple(int(a + (b - a) * f) for a, b in zip(top, bottom, strict=True)))

    outdoor = t.scene in ("outdoor", "road", "field", "billboard")
    if outdoor:
        gradient((120, 170, 225), (205, 225, 240), 0, horizon)
        for _i in range(rng.randint(3, 6)):  # buildings behind
            bx = rng.randint(-100, width)
            bw, bh = rng.randint(160, 360), rng.randint(120, horizon - 60)
            tone = rng.randint(170, 215)
            draw.rectangle((bx, horizon - bh, bx + bw, horizon), fill=(tone, tone - 5, tone - 15))
            for wy in range(horizon - bh + 20, horizon - 20, 38):
                for wx in range(bx + 15, bx + bw - 20, 34):
                    draw.rectangle((wx, wy, wx + 16, wy + 20), fill=(150, 175, 200))
        ground = {"road": (95, 95, 100), "field": (70, 140, 70)}.get(t.scene, (175, 170, 160))
        gradient(tuple(c - 20 for c in ground), ground, horizon, height)
        for _i in range(rng.randint(3, 6)):  # trees
            tx = rng.randint(0, width)
            draw.rectangle((tx - 8, horizon - 60, tx + 8, horizon + 10), fill=(90, 60, 40))
            draw.ellipse((tx - 70, horizon - 190, tx + 70, horizon - 40), fill=(50 + rng.randint(0, 40), 120, 60))
        if t.scene == "road":
            for x in range(0, width, 90):
                draw.polygon(
                    [(x, height), (x + 50, height), (x + 40 + width // 20, horizon + 80), (x + 20, horizon + 80)],
                    fill=(235, 235, 230),
                )
        if t.scene == "field":
            for y in (horizon + 120, horizon + 260):
                draw.line((0, y, width, y), fill=(240, 240, 240), width=6)
        if t.scene == "billboard":
            draw.rectangle(
                (width * 0.15, horizon - 260, width * 0.85, horizon - 20),
                fill=(245, 245, 240),
                outline=(120, 120, 120),
                width=10,
            )
            draw.rectangle((width * 0.15 + 20, horizon - 240, width * 0.85 - 20, horizon - 150), fill=(196, 24, 24))
            draw.text(
                (width // 2, horizon - 195), "富强 民主 文明 和谐", fill=(255, 226, 120), font=_font(56), anchor="mm"
            )
            draw.text(
                (width // 2, horizon - 90),
                "自由 平等 公正 法治 · 爱国 敬业 诚信 友善",
                fill=(170, 30, 30),
                font=_font(34),
                anchor="mm",
            )
            _people(draw, rng, 5, horizon + 40, height, width, 0.9)
        else:
            _banner(draw, t, (int(width * 0.18), horizon - 130, int(width * 0.82), horizon - 50))
            if t.scene == "outdoor":  # a service tent
                draw.polygon(
                    [
                        (width * 0.55, horizon + 20),
                        (width * 0.92, horizon + 20),
                        (width * 0.88, horizon - 20),
                        (width * 0.59, horizon - 20),
                    ],
                    fill=(30, 90, 170),
                )
                draw.rectangle((width * 0.57, horizon + 20, width * 0.9, horizon + 90), fill=(235, 235, 235))
            _people(draw, rng, rng.randint(9, 16), horizon + 20, height, width)
    else:
        wall = {"library": (225, 210, 185), "corridor": (225, 228, 230), "hall": (235, 225, 205)}.get(
            t.scene, (220, 215, 205)
        )
        gradient(wall, tuple(c - 25 for c in wall), 0, horizon + 60)
        floor = (150, 120, 90) if t.scene in ("library", "meeting") else (190, 190, 185)
        gradient(floor, tuple(c - 40 for c in floor), horizon + 60, height)
        for x in range(0, width, width // 8):  # ceiling lights
            draw.ellipse((x + 40, 20, x + 140, 50), fill=(255, 252, 235))
        if t.scene == "library":
            for sx in range(40, width, 260):
                draw.rectangle((sx, 90, sx + 220, horizon + 60), fill=(110, 75, 45))
                for sy in range(110, horizon + 40, 70):
                    bx = sx + 10
                    while bx < sx + 205:
                        bw = rng.randint(10, 22)
                        draw.rectangle(
                            (bx, sy, bx + bw, sy + 55),
                            fill=(rng.randint(60, 220), rng.randint(40, 180), rng.randint(40, 160)),
                        )
                        bx += bw + 2
            _people(draw, rng, rng.randint(6, 10), horizon + 60, height, width)
        elif t.scene == "corridor":
            cx, cy = width // 2, int(height * 0.42)
            draw.polygon([(0, height), (width, height), (cx + 120, cy + 90), (cx - 120, cy + 90)], fill=(185, 180, 172))
            draw.rectangle((cx - 120, cy - 110, cx + 120, cy + 90), fill=(200, 210, 215))
            for side in (-1, 1):
                for k in range(4):
                    x0 = cx + side * (170 + k * 150)
                    draw.rectangle(
                        (min(x0, x0 + side * 70), cy - 60 - k * 30, max(x0, x0 + side * 70), cy + 110 + k * 60),
                        fill=(150, 105, 70),
                    )
            draw.rectangle((cx - 260, cy - 200, cx - 140, cy - 120), fill=(30, 140, 60))
            draw.text((cx - 200, cy - 160), "文明", fill=(255, 255, 255), font=_font(36), anchor="mm")
        else:  # meeting room or hall: a banner on the wall, a screen, rows of seats
            _banner(draw, t, (int(width * 0.12), 70, int(width * 0.88), 150))
            if t.scene == "meeting":
                draw.rectangle(
                    (width * 0.3, 180, width * 0.7, horizon - 10), fill=(245, 245, 250), outline=(60, 60, 60), width=6
                )
                draw.text(
                    (width // 2, (180 + horizon) // 2), t.caption[:14], fill=(170, 30, 30), font=_font(40), anchor="mm"
                )
                draw.rectangle((width * 0.1, horizon + 40, width * 0.9, horizon + 110), fill=(120, 80, 50))
            else:
                for k in range(3):
                    y = horizon + 90 + k * 110
                    draw.rectangle((width * 0.08 + k * 30, y, width * 0.92 - k * 30, y + 40), fill=(245, 240, 230))
            _people(draw, rng, rng.randint(12, 20), horizon + 40, height, width)
    # A camera's look: soft focus, grain, darker corners.
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    im = Image.blend(im, noise, 0.06)
    vignette = Image.radial_gradient("L").resize((width, height))
    im = Image.composite(Image.new("RGB", (width, height), (0, 0, 0)), im, vignette.point(lambda v: int(v * 0.35)))
    return im


def _photo(t: Template) -> bytes:
    width, height = 1200, 900
    im = _scene(t, width, height)
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
    tasks_by_standard: dict[int, list] = {}
    try:
        from tasks.models import Task

        for task in Task.objects.filter(campaign=campaign).prefetch_related("standards").order_by("pk"):
            tasks_by_office.setdefault(task.lead_office_id, []).append(task)
            for criterion in task.standards.all():
                tasks_by_standard.setdefault(criterion.pk, []).append(task)
    except LookupError:  # pragma: no cover
        pass

    # Each copy of the demo (`--scale N`) is a later session of the same work (第2期 …), with files of its own (the
    # template drawn with the session's title), filed under copy k of its standard and dated a day after the
    # previous copy's (it joins the copy of the activity held that day, evidence.demo_review).
    wanted = len(TEMPLATES) * scale
    stored = {
        (t.key, copy): _stored_file(
            t if copy == 0 else replace(t, key=f"{t.key}_copy{copy + 1}", title=f"{t.title}·第{copy + 1}期")
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
        copy = n // len(TEMPLATES)
        sf = stored[(t.key, copy)]
        ext = "jpg" if sf.kind == EvidenceKind.PHOTO else sf.format
        # filed under the standard it proves (another campaign's criteria: spread over its standards), in its copy
        base = by_code.get(t.standard) or standards[(n * 7) % len(standards)]
        standard = by_code.get(scaled_code(base.code, copy), base)
        title = t.title if copy == 0 else f"{t.title}·第{copy + 1}期"
        name = f"{standard.code}_{t.date:%Y%m%d}_{title}_{n + 1:02d}.{ext}"
        if name in have:
            continue
        # uploaded by someone of an office that leads a task for the standard, where a demo uploader is one
        leading = {task.lead_office_id for task in tasks_by_standard.get(standard.pk, [])}
        candidates = [u for u in uploaders if u.office_id in leading] or uploaders
        uploader = users.get(t.uploader) or candidates[n % len(candidates)]
        if uploader.office_id is None:
            uploader = candidates[n % len(candidates)]
        office_tasks = tasks_by_office.get(uploader.office_id, [])
        with transaction.atomic():
            item = EvidenceItem.objects.create(
                campaign=campaign,
                stored_file=sf,
                original_name=name,
                kind=sf.kind,
                category=t.category,
                title=title,
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
            # the task it reports on: one for its standard (the uploader's office's first), else one of the office's
            for_standard = tasks_by_standard.get(standard.pk, [])
            ours = [task for task in for_standard if task.lead_office_id == uploader.office_id]
            task = (ours or for_standard or office_tasks or [None])[0]
            if task is not None:
                item.tasks.add(task)
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
