"""A hand-built archive for the binder's tests: items with several standards, Chinese and unsafe titles,
duplicate titles, versions, the recycle bin, a link, an item without a standard and one of another year."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from campaign.models import Criterion
from evidence.models import EvidenceItem
from evidence.services import EvidenceMeta, evidence_accept, evidence_delete, evidence_edit, evidence_register_link
from tests.evidence import samples
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory

UNSAFE = 'a<b>c:"d"/e\\f|g?h*\t.  '
LONG = "关于开展" + "学雷锋志愿服务活动暨社区共建" * 8 + "的情况报告"
FORMULA = '=HYPERLINK("http://evil.example","点我")'


@dataclass
class Archive:
    standards: dict[str, Criterion]
    items: dict[str, EvidenceItem]
    data: dict[str, bytes] = field(default_factory=dict)  # the bytes of each item's file


def build_archive(cast, campaign) -> Archive:
    parent = CriterionFactory(campaign=campaign, code="6", title="志愿服务", is_leaf=False, ordering=1)
    s = {
        "6.2.1": CriterionFactory(
            campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务", parent=parent, ordering=2
        ),
        "6.2.2": CriterionFactory(campaign=campaign, code="6.2.2", title="社区共建", parent=parent, ordering=3),
        "6.3.1": CriterionFactory(campaign=campaign, code="6.3.1", title="文明/礼仪:教育?", parent=parent, ordering=4),
        "7.1": CriterionFactory(campaign=campaign, code="7.1", title="暂无佐证的标准", ordering=5),
    }
    march5 = datetime.date(2026, 3, 5)
    archive = Archive(standards=s, items={})

    def add(key, *, standards, title, taken_on=march5, data=None, name="", accept=True, user=None, **meta):
        data = data if data is not None else samples.jpeg(color=(len(archive.items) * 9 % 256, 40, 80)) + key.encode()
        item = make_evidence(
            user=user or cast.staff_a,
            campaign=campaign,
            data=data,
            name=name or f"{key}.jpg",
            title=title,
            taken_on=taken_on,
            standards=[s[c] for c in standards],
            **meta,
        )
        if accept:
            evidence_accept(user=cast.coordinator, item=item)
            item.refresh_from_db()
        archive.items[key] = item
        archive.data[key] = data
        return item

    add("several", standards=["6.2.1", "6.2.2"], title="学雷锋社区服务", category="photo")
    add("duplicate", standards=["6.2.1"], title="学雷锋社区服务", category="photo")
    add("unsafe", standards=["6.3.1"], title=UNSAFE, category="photo")
    add("long", standards=["6.2.1"], title=LONG, data=samples.pdf() + b"%long", name="long.pdf", category="summary")
    add(
        "formula",
        standards=["6.2.1", "6.3.1"],
        title=FORMULA,
        category="minutes",
        data=samples.pdf() + b"%f",
        name="f.pdf",
    )
    add("upper", standards=["6.2.2"], title="Report", category="photo")
    add("lower", standards=["6.2.2"], title="report", category="photo")
    add("unlinked", standards=[], title="未关联的照片", category="photo")
    add("last_year", standards=["6.2.2"], title="去年的活动", taken_on=datetime.date(2025, 12, 30), category="photo")
    add("pending", standards=["6.2.1"], title="尚未审核", accept=False)
    binned = add("binned", standards=["6.2.1"], title="已删除")
    evidence_delete(user=cast.coordinator, item=binned)
    revised = add("revised", standards=["6.2.2"], title="已采用的版本")
    evidence_edit(user=cast.coordinator, item=revised, changes={"title": "待审核的新版本"})  # a pending version 2
    link = evidence_register_link(
        user=cast.staff_a,
        campaign=campaign,
        url="https://news.example.cn/2026/03/05/xueleifeng.html",
        meta=EvidenceMeta(title="媒体报道：学雷锋", category="media_report", standards=[s["6.2.2"]], taken_on=march5),
    )
    evidence_accept(user=cast.coordinator, item=link)
    archive.items["link"] = link
    return archive
