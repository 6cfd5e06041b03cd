"""What the folder names of an existing archive say.

    6.2.1 常态化志愿服务/                 the top folder begins with a standard's code: its files go under 6.2.1
        2024-03-05 学雷锋志愿服务/          the first other folder below names an activity (a date in it is the
            照片/                          activity's date); a folder named like a category (照片, 会议记录,
                合影.jpg                   方案, 总结 …) gives the category of the files below it
        实施方案.docx

The code may be followed by a space, `_`, `、`, `-`, `.` or nothing (`6.2.1 常态化…`, `6.2.1_…`, `6.2.1、…`,
`6.2.1`); full-width digits and dots count. A folder deeper than the activity's names nothing.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from campaign.models import EvidenceCategory

_CODE = re.compile(r"^\s*(\d+(?:\.\d+)*)(?=$|[^\d.]|\.(?!\d))")
_NUMBERING = re.compile(r"^[\s(（\[【]*(?:\d+|[一二三四五六七八九十]+)[)）\]】.、_\-\s]+")
_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-./_年]\s*(\d{1,2})\s*[-./_月]\s*(\d{1,2})\s*日?(?!\d)"
    r"|(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"
)
_SEPARATORS = " \t_-—–、.·,，:：()（）[]【】"

CATEGORY_FOLDERS: dict[str, str] = {
    **dict.fromkeys(["照片", "图片", "相片", "活动照片", "工作照片"], EvidenceCategory.PHOTO),
    **dict.fromkeys(["会议纪要", "会议记录", "纪要", "记录", "会议材料"], EvidenceCategory.MINUTES),
    **dict.fromkeys(["方案", "计划", "工作方案", "实施方案", "工作计划"], EvidenceCategory.PLAN),
    **dict.fromkeys(["总结", "报告", "工作总结", "总结报告"], EvidenceCategory.SUMMARY),
    **dict.fromkeys(["制度", "规章制度", "管理制度"], EvidenceCategory.RULES),
    **dict.fromkeys(["简报", "信息", "工作简报", "工作信息"], EvidenceCategory.BRIEFING),
    **dict.fromkeys(["媒体报道", "新闻报道", "报道", "宣传报道"], EvidenceCategory.MEDIA_REPORT),
    **dict.fromkeys(["音视频", "视频", "音频", "录像", "影像"], EvidenceCategory.AUDIO_VIDEO),
    **dict.fromkeys(["表格", "名册", "花名册", "统计表"], EvidenceCategory.TABLE),
    **dict.fromkeys(["荣誉证书", "证书", "荣誉", "奖状"], EvidenceCategory.CERTIFICATE),
    **dict.fromkeys(["文件", "正式文件", "通知", "红头文件", "文件通知"], EvidenceCategory.OFFICIAL_DOCUMENT),
    **dict.fromkeys(["其他", "其它", "其他材料"], EvidenceCategory.OTHER),
}


def standard_code(folder: str) -> str | None:
    """The standard's code a top folder's name begins with ('6.2.1 常态化志愿服务' → '6.2.1'), or None."""
    match = _CODE.match(unicodedata.normalize("NFKC", folder))
    return match.group(1) if match else None


def category_of(folder: str) -> str | None:
    """The category a folder's name says ('照片', '2. 会议记录' → minutes), or None."""
    name = unicodedata.normalize("NFKC", folder).strip()
    name = _NUMBERING.sub("", name).strip()
    return CATEGORY_FOLDERS.get(name)


@dataclass(frozen=True)
class ActivityFolder:
    """An activity named by a folder: its title and, when the name carries one, its date."""

    folder: str
    title: str
    date: datetime.date | None


def activity_folder(folder: str) -> ActivityFolder:
    name = unicodedata.normalize("NFC", folder).strip()
    day: datetime.date | None = None
    title = name
    if match := _DATE.search(unicodedata.normalize("NFKC", name)):
        y, m, d = (int(g) for g in (match.groups()[:3] if match.group(1) else match.groups()[3:]))
        try:
            day = datetime.date(y, m, d)
        except ValueError:
            day = None
        else:
            normalised = unicodedata.normalize("NFKC", name)
            title = (normalised[: match.start()] + " " + normalised[match.end() :]).strip(_SEPARATORS)
            title = re.sub(r"\s+", " ", title) or name
    return ActivityFolder(folder=name, title=title[:200], date=day)


@dataclass(frozen=True)
class Placement:
    """Where one file goes: the code of its top folder, its activity folder, its category folder."""

    top: str
    code: str | None
    activity: str | None
    category: str | None


def placement(parts: tuple[str, ...]) -> Placement:
    """`parts` are the entry's path parts, the file name last."""
    if len(parts) < 2:
        return Placement(top="", code=None, activity=None, category=None)
    activity: str | None = None
    category: str | None = None
    for folder in parts[1:-1]:
        if (found := category_of(folder)) is not None:
            category = found
        elif activity is None:
            activity = folder
    return Placement(top=parts[0], code=standard_code(parts[0]), activity=activity, category=category)
