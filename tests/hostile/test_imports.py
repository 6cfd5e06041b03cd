"""The imports over their pages, fed the hostile corpus: the criteria table (workbook and JSON) and the task
breakdown. Each file gets a clear answer (the page with a Chinese message, never a 5xx) and leaves the database
and the storage as they were; a breakdown that reaches its preview cannot be applied."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import CriterionFactory
from tests.hostile import corpus
from tests.hostile.conftest import Snapshot
from tests.tasks.test_excel_import import HEADER as TASK_HEADER

pytestmark = pytest.mark.slow

CHINESE = re.compile(r"[\u4e00-\u9fff]{4,}")

CRITERIA_HEADER = ["编码", "名称", "分值", "测评方法", "上级编码"]
CRITERIA_ROWS = [["1", "组织领导", 10, "材料审核", ""]]
GOOD_TASK = [1, "6.1", "组织理论学习", "每月一次", "研究室", "提案委员会办公室"]
GOOD_TASK += ["赵国强", "张伟", "2026-09-30", "会议记录", "推进中", ""]
GOOD_CRITERION = {"code": "1", "level": 1, "parent_code": None, "title": "组织领导", "guidance": "有规划"}
GOOD_CRITERION["max_score"] = 10


def criteria_files():
    for what, data in corpus.spoilt_workbooks(CRITERIA_HEADER, CRITERIA_ROWS[0], [0, 1, 3], [2]):
        yield what, "标准.xlsx", data
    for what, data in corpus.spoilt_json(GOOD_CRITERION, ["code", "title", "guidance"], ["max_score", "level"]):
        yield what, "标准.json", data


def test_every_hostile_criteria_file_is_refused_with_a_message_and_changes_nothing(cast, campaign, login):
    client = login(cast.coordinator)
    client.raise_request_exception = False  # a 500 is counted, not raised
    problems = []
    for what, name, data in criteria_files():
        before = Snapshot()
        upload = SimpleUploadedFile(name, data)
        response = client.post(reverse("campaign:criteria_import"), {"file": upload, "import": "1"})
        if response.status_code != 400 or before.unchanged():
            problems.append(f"{name} with {what}: {response.status_code}, changed {before.unchanged()}")
        elif not CHINESE.search(response.content.decode()):
            problems.append(f"{name} with {what}: no Chinese message")
    assert not problems, "\n".join(problems)


def test_every_hostile_breakdown_is_refused_or_previewed_with_its_errors_and_never_applied(cast, campaign, login):
    CriterionFactory(campaign=campaign, code="6.1", title="志愿服务")
    client = login(cast.coordinator)
    client.raise_request_exception = False  # a 500 is counted, not raised
    problems = []
    columns = ("标准编码", "工作任务", "具体措施", "牵头科室", "责任人", "完成时限", "进展情况")
    texts = [TASK_HEADER.index(c) for c in columns]
    numbers = [TASK_HEADER.index("完成时限")]  # a huge 序号 is only an odd code
    for what, data in corpus.spoilt_workbooks(TASK_HEADER, GOOD_TASK, texts, numbers):
        before = Snapshot()
        response = client.post(reverse("tasks:excel_import"), {"file": SimpleUploadedFile("分解表.xlsx", data)})
        if response.status_code >= 500:
            problems.append(f"{what}: {response.status_code}")
            continue
        if response.status_code == 302:  # read: the preview lists its row errors; applying it must fail
            preview = client.get(response["Location"])
            if preview.status_code != 200:
                problems.append(f"{what}: preview {preview.status_code}")
                continue
            if preview.context["plan"].ok:
                problems.append(f"{what}: accepted as a good row")
            digest = preview.context["digest"]
            applied = client.post(
                reverse("tasks:excel_apply", args=[digest]), {"fingerprint": preview.context["fingerprint"]}
            )
            if applied.status_code >= 500:
                problems.append(f"{what}: apply {applied.status_code}")
            changed = [c for c in before.unchanged() if not c.startswith("stored files: +['imports/tasks/")]
        else:
            changed = before.unchanged()
            if not CHINESE.search(response.content.decode()):
                problems.append(f"{what}: no Chinese message")
        if changed:
            problems.append(f"{what}: changed {changed}")
    assert not problems, "\n".join(problems)
