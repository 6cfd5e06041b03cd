"""The pages: plan, criteria tree, criterion, veto list, imports and exports; who sees and changes what; the
tree page's query count does not grow with the tree."""

import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from campaign import services
from campaign.models import Assessment, Criterion, ImportRecord, Plan, Stage, VetoCondition

from .conftest import FIXTURES, import_bytes


def test_everyone_signed_in_reads_the_plan_with_its_inspection_date(imported, cast, login):
    Stage.objects.create(campaign=imported, kind=Stage.Kind.INSPECTION, name="迎检验收", start_date="2027-05-20")
    for user in cast.everyone.values():
        response = login(user).get(reverse("campaign:plan"))
        assert response.status_code == 200
        assert "2027" in response.content.decode()
    assert str(imported.inspection_date) == "2027-05-20"


def test_coordinator_edits_the_plan_and_leadership_may_not(imported, cast, login):
    data = {
        "campaign-title": "创建全国文明单位",
        "campaign-organ_name": "某市政协机关",
        "campaign-target": "national",
        "campaign-status": "active",
        "campaign-start_date": "2026-01-01",
        "campaign-end_date": "2028-12-31",
        "campaign-explanation_limit": "600",
        "campaign-criteria_note": "",
        "guiding_ideology": "以习近平新时代中国特色社会主义思想为指导",
        "goals": "创建成功",
        "measures": "五项措施",
        "organisation": "成立领导小组",
        "stages-TOTAL_FORMS": "1",
        "stages-INITIAL_FORMS": "0",
        "stages-0-kind": "inspection",
        "stages-0-name": "迎检验收",
        "stages-0-start_date": "2027-05-20",
        "stages-0-end_date": "",
        "stages-0-description": "",
        "areas-TOTAL_FORMS": "1",
        "areas-INITIAL_FORMS": "0",
        "areas-0-name": "学习教育",
        "areas-0-description": "",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-role": "leader",
        "members-0-name": "黄建华",
        "members-0-position": "副主席",
        "members-0-duties": "全面领导",
        "members-0-user": "",
    }
    assert login(cast.leader).post(reverse("campaign:plan_edit"), data).status_code == 403
    assert login(cast.head_a).get(reverse("campaign:plan_edit")).status_code == 403
    response = login(cast.coordinator).post(reverse("campaign:plan_edit"), data)
    assert response.status_code == 302
    plan = Plan.objects.get(campaign=imported)
    assert plan.goals == "创建成功" and plan.updated_by == cast.coordinator
    assert imported.inspection_date.isoformat() == "2027-05-20"
    imported.refresh_from_db()
    assert imported.explanation_limit == 600
    assert imported.work_areas.get().name == "学习教育"
    assert imported.leadership.get().name == "黄建华"


def test_the_criteria_tree_shows_status_and_score_at_each_level(imported, cast, login):
    services.assessment_save(
        criterion=Criterion.objects.get(campaign=imported, code="1.1.1"),
        user=cast.coordinator,
        status=Assessment.Status.MET,
        self_score=Decimal("2.5"),
    )
    client = login(cast.staff_a)
    html = client.get(reverse("campaign:criteria")).content.decode()
    # one 测评项目 at a time, the first by default; every item in the list to switch to
    assert 'data-code="1.1.1"' in html and 'data-code="10.2.1"' not in html
    assert all(f'data-item="{n}"' in html for n in range(1, 11))
    assert "2.5 / 12" in html  # item 1
    assert "2.5 / 5" in html  # indicator 1.1
    assert "2.5 / 100" in html  # the campaign
    html = client.get(reverse("campaign:criteria"), {"item": "10"}).content.decode()
    assert 'data-code="10.2.1"' in html and 'data-code="1.1.1"' not in html
    assert "2.5 / 100" in html  # the campaign's figures whatever the item shown
    for unknown in ("99", "<b>", "x" * 100):  # an unknown item: the first
        html = client.get(reverse("campaign:criteria"), {"item": unknown}).content.decode()
        assert 'data-code="1.1.1"' in html


def test_the_tree_filters_by_method_and_status(imported, cast, login):
    services.assessment_save(
        criterion=Criterion.objects.get(campaign=imported, code="5.2.2"),
        user=cast.coordinator,
        status=Assessment.Status.MET,
        self_score=None,
    )
    client = login(cast.staff_a)
    html = client.get(reverse("campaign:criteria"), {"method": "实地考察"}).content.decode()
    # the first item with a matching standard is shown; only the items that match are in the list
    assert 'data-code="1.3.1"' in html and 'data-code="1.1.1"' not in html  # 1.1.1: 材料审核 only
    assert 'data-item="5"' in html and 'data-item="10"' in html and 'data-item="2"' not in html
    html = client.get(reverse("campaign:criteria"), {"method": "实地考察", "item": "5"}).content.decode()
    assert 'data-code="5.2.2"' in html and 'data-code="1.3.1"' not in html
    html = client.get(reverse("campaign:criteria"), {"method": "实地考察", "item": "10"}).content.decode()
    assert 'data-code="10.1.1"' in html and 'data-code="5.2.2"' not in html
    html = client.get(reverse("campaign:criteria"), {"status": "met"}).content.decode()  # item 5 only matches
    assert 'data-code="5.2.2"' in html and 'data-code="5.2"' in html and 'data-code="5"' in html
    assert 'data-code="10.1.1"' not in html
    html = client.get(reverse("campaign:criteria"), {"method": "实地考察", "status": "in_progress"}).content.decode()
    assert 'data-code="5.2.2"' not in html


PINNED_TREE_QUERIES = 8


def _big_tree(campaign, items: int, indicators: int, standards: int) -> int:
    entries: list[dict[str, Any]] = []
    for i in range(1, items + 1):
        entries.append({"code": f"{i}", "title": f"项目{i}", "max_score": None})
        for j in range(1, indicators + 1):
            entries.append({"code": f"{i}.{j}", "parent_code": f"{i}", "title": f"指标{i}.{j}", "explanation": "说明"})
            for k in range(1, standards + 1):
                entries.append(
                    {
                        "code": f"{i}.{j}.{k}",
                        "parent_code": f"{i}.{j}",
                        "title": f"标准{i}.{j}.{k}",
                        "max_score": 1,
                        "methods": ["材料审核"],
                        "requirements": [{"category": "照片", "min_count": 2}],
                    }
                )
    entries.append({"code": "N", "title": "负面清单", "veto": True})
    entries.append({"code": "N.1", "parent_code": "N", "title": "否决条件", "veto": True})
    result = import_bytes(campaign, json.dumps(entries, ensure_ascii=False).encode(), "big.json")
    assert result.ok, result.issues
    standards_qs = Criterion.objects.filter(campaign=campaign, is_leaf=True)
    Assessment.objects.bulk_create(
        (Assessment(criterion=c, status=Assessment.Status.MET) for c in standards_qs), ignore_conflicts=True
    )
    return Criterion.objects.filter(campaign=campaign).count()


def _count_queries(client, url) -> int:
    client.get(url)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_tree_page_asks_the_database_the_same_number_of_times_at_50_and_500_nodes(
    campaign, cast, login, django_assert_num_queries
):
    client = login(cast.staff_a)
    url = reverse("campaign:criteria")
    assert _big_tree(campaign, 2, 3, 7) == 50  # 2 items, 6 indicators, 42 standards
    at_50 = _count_queries(client, url)
    assert _big_tree(campaign, 5, 9, 10) == 500  # 5 items, 45 indicators, 450 standards
    client.get(url)
    # the same number whatever the size: the session, the user (with their groups, the offices they head and
    # their office: roles for the navigation, the 自评表 download, the user menu), the current campaign, its
    # stages, the whole tree (criteria joined to their self-assessments and explanation reports: one query), the
    # veto conditions counted by status, the notifications bell.
    with django_assert_num_queries(at_50):
        assert client.get(url).status_code == 200
    assert at_50 == PINNED_TREE_QUERIES


def test_the_criterion_page_shows_guidance_requirements_and_the_links_section(imported, cast, login):
    standard = Criterion.objects.get(campaign=imported, code="2.1.1")
    html = login(cast.staff_a).get(reverse("campaign:criterion", args=[standard.pk])).content.decode()
    assert standard.guidance in html
    assert "≥ 3" in html  # 照片 ≥ 3
    assert standard.requirement_text in html


def test_the_veto_list_is_read_by_all_and_changed_by_the_coordinator(imported, cast, login):
    condition = VetoCondition.objects.get(campaign=imported, code="N.4")
    html = login(cast.staff_b).get(reverse("campaign:veto")).content.decode()
    assert condition.title in html
    url = reverse("campaign:veto_update", args=[condition.pk])
    prefix = f"v{condition.pk}"
    data = {f"{prefix}-status": "at_risk", f"{prefix}-note": "有一条失信记录待核实"}
    for who in ("staff_b", "head_a", "leader"):
        assert login(getattr(cast, who)).post(url, data).status_code == 403
    assert login(cast.coordinator).post(url, data).status_code == 302
    condition.refresh_from_db()
    assert (condition.status, condition.note, condition.updated_by) == (
        "at_risk",
        "有一条失信记录待核实",
        cast.coordinator,
    )


@pytest.mark.parametrize("who", ["staff_a", "head_a", "leader"])
def test_the_manage_page_and_exports_are_the_coordinators(imported, cast, login, who):
    client = login(getattr(cast, who))
    assert client.get(reverse("campaign:manage")).status_code == 403
    assert client.get(reverse("campaign:criteria_export_xlsx")).status_code == 403
    upload = SimpleUploadedFile("t.json", b"[]")
    assert client.post(reverse("campaign:criteria_import"), {"file": upload}).status_code == 403


def test_coordinator_uploads_a_bad_workbook_and_sees_every_row_error(imported, cast, login):
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.append(["编码", "名称", "分值"])
    ws.append(["1", "项目", "十分"])
    ws.append(["1.1", "标准", 5])
    ws.append(["1.1", "重复", 5])
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("bad.xlsx", buf.getvalue())
    before = Criterion.objects.count()
    response = login(cast.coordinator).post(reverse("campaign:criteria_import"), {"file": upload, "import": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "十分" in html and "1.1" in html
    assert Criterion.objects.count() == before


def test_coordinator_checks_then_imports_a_workbook_through_the_page(imported, cast, login):
    client = login(cast.coordinator)
    data = (FIXTURES / "criteria" / "province-merged.xlsx").read_bytes()
    response = client.post(
        reverse("campaign:criteria_import"), {"file": SimpleUploadedFile("省表.xlsx", data), "check": "1"}
    )
    assert response.status_code == 200
    assert 'data-testid="import-preview"' in response.content.decode()
    records = ImportRecord.objects.count()
    response = client.post(reverse("campaign:criteria_import"), {"file": SimpleUploadedFile("省表.xlsx", data)})
    assert response.status_code == 302 and response["Location"] == reverse("campaign:criteria")
    assert ImportRecord.objects.count() == records + 1
    assert ImportRecord.objects.values_list("user", flat=True).first() == cast.coordinator.pk


def test_an_oversized_upload_is_refused_by_the_form(imported, cast, login, monkeypatch):
    monkeypatch.setattr("campaign.forms.MAX_TABLE_BYTES", 10)
    upload = SimpleUploadedFile("big.json", b"[" + b" " * 20 + b"]")
    response = login(cast.coordinator).post(reverse("campaign:criteria_import"), {"file": upload})
    assert response.status_code == 400


def test_the_export_downloads_a_workbook_that_imports_back_unchanged(imported, cast, login):
    response = login(cast.coordinator).get(reverse("campaign:criteria_export_xlsx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    result = import_bytes(imported, response.content, "download.xlsx", dry_run=True)
    assert result.ok and not result.changed


def test_pages_without_a_current_campaign_are_404(db, cast, login):
    client = login(cast.coordinator)
    for name in ("campaign:plan", "campaign:criteria", "campaign:veto", "campaign:manage"):
        assert client.get(reverse(name)).status_code == 404


def test_sections_registered_by_other_apps_appear_on_the_criterion_page(imported, cast, login, monkeypatch):
    from campaign import links

    monkeypatch.setattr(links, "_providers", [])

    @links.register
    def provider(request, criterion):
        return {"title": "关联任务", "items": [{"label": f"任务 {criterion.code}", "url": "/x/", "meta": ""}]}

    standard = Criterion.objects.get(campaign=imported, code="1.1.1")
    html = login(cast.staff_a).get(reverse("campaign:criterion", args=[standard.pk])).content.decode()
    assert 'data-testid="linked-section"' in html and "任务 1.1.1" in html


def test_the_tree_page_shows_the_veto_gate(imported, cast, login):
    condition = VetoCondition.objects.get(campaign=imported, code="N.2")
    services.veto_update(condition=condition, user=cast.coordinator, status=VetoCondition.Status.TRIGGERED, note="")
    html = login(cast.leader).get(reverse("campaign:criteria")).content.decode()
    card = html[html.index('data-testid="veto-card"') :][:600]
    assert "text-danger" in card and "1" in card


def test_campaign_dates_in_the_wrong_order_rerender_the_plan_form_and_change_nothing(imported, cast, login):
    data = {
        "campaign-title": "改名",
        "campaign-organ_name": "某市政协机关",
        "campaign-target": "national",
        "campaign-status": "active",
        "campaign-start_date": "2027-01-01",
        "campaign-end_date": "2026-01-01",
        "campaign-explanation_limit": "0",
        "campaign-criteria_note": "",
        "guiding_ideology": "",
        "goals": "",
        "measures": "",
        "organisation": "",
        **{f"{p}-{k}": "0" for p in ("stages", "areas", "members") for k in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    response = login(cast.coordinator).post(reverse("campaign:plan_edit"), data)
    assert response.status_code == 200
    imported.refresh_from_db()
    assert imported.title != "改名"
    assert imported.explanation_limit == 500


def test_a_criterions_page_leads_back_to_its_item_in_the_tree(imported, cast, login):
    criterion = Criterion.objects.get(campaign=imported, code="10.2.1")
    html = login(cast.staff_a).get(reverse("campaign:criterion", args=[criterion.pk])).content.decode()
    assert 'href="/campaign/criteria/?item=10" data-testid="back-to-tree"' in html
