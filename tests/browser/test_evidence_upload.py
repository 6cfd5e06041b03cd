"""Staff upload three photos from the upload page, each with its own progress bar, linked to a standard and a
task; a staff member of an unrelated office cannot find them."""

import pytest
from playwright.sync_api import FilePayload

from campaign.models import CriterionRequirement, EvidenceCategory
from civunit.accounts.roles import Role
from evidence.models import EvidenceItem
from tests.evidence import samples
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory, OfficeFactory, UserFactory
from tests.tasks.factories import TaskFactory


@pytest.mark.django_db(transaction=True)
def test_staff_uploads_three_photos_and_an_unrelated_office_cannot_find_them(
    page, live_server, cast, campaign, browser_login, screenshot
):
    standard = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务", is_leaf=True)
    CriterionRequirement.objects.create(criterion=standard, category=EvidenceCategory.PHOTO, min_count=3)
    task = TaskFactory(campaign=campaign, code="7", title="组织学雷锋志愿服务活动", lead_office=cast.office_a)
    task.standards.set([standard])
    staff_c = UserFactory(
        username="staff_c", real_name="周敏", office=OfficeFactory(name="经济委员会办公室"), roles=[Role.STAFF]
    )

    browser_login(page, cast.staff_a)
    sent: list[dict] = []  # the upload requests' headers: the file itself is the body (evidence/rawbody.py)
    page.on(
        "request",
        lambda request: sent.append(request.headers) if request.url.endswith("/evidence/upload/file/") else None,
    )
    page.goto(f"{live_server.url}/evidence/upload/")
    page.select_option("#id_primary_standard", str(standard.pk))
    page.select_option("#id_tasks", [str(task.pk)])
    page.fill("#id_caption", "2026年3月5日，研究室在阳光社区开展学雷锋志愿服务")
    page.fill("#id_place", "阳光社区")
    photos = [
        {
            "name": f"志愿服务{i}.jpg",
            "mimeType": "image/jpeg",
            "buffer": samples.jpeg(1200, 900, date=f"2026:03:05 09:3{i}:00", color=(40 * i, 90, 160)),
        }
        for i in range(1, 4)
    ]
    page.set_input_files("[data-testid=file-input]", photos)
    rows = page.locator("[data-testid=upload-row]")
    assert rows.count() == 3
    assert page.locator("[data-testid=upload-row] .progress").count() == 3
    page.wait_for_function("() => document.querySelectorAll('[data-testid=upload-row][data-state=done]').length === 3")
    for i in range(3):
        assert "已归档" in rows.nth(i).locator("[data-testid=upload-status]").inner_text()
    page.wait_for_timeout(800)  # let the bars finish their width transition before the picture
    screenshot(page, "evidence-upload-three-photos")

    items = list(EvidenceItem.objects.order_by("pk"))
    assert len(items) == 3
    assert sorted(i.archive_number for i in items) == ["6.2.1-001", "6.2.1-002", "6.2.1-003"]
    for item in items:
        assert item.primary_standard_id == standard.pk
        assert list(item.tasks.values_list("pk", flat=True)) == [task.pk]
        assert item.caption.startswith("2026年3月5日")
        assert item.place == "阳光社区"
    assert sorted(i.original_name for i in items) == ["志愿服务1.jpg", "志愿服务2.jpg", "志愿服务3.jpg"]
    assert len(sent) == 3
    assert all(h["content-type"] == "image/jpeg" and h["x-civunit-file-name"].startswith("%E5%BF%97") for h in sent)

    # The fields are remembered for the next batch.
    page.reload()
    assert page.input_value("#id_caption").startswith("2026年3月5日")
    assert page.input_value("#id_primary_standard") == str(standard.pk)

    page.goto(f"{live_server.url}/evidence/standard/{standard.pk}/")
    assert page.locator("[data-evidence]").count() == 3
    screenshot(page, "evidence-standard-page")
    page.goto(f"{live_server.url}/evidence/{items[0].pk}/")
    assert "6.2.1-001" in page.locator("[data-testid=archive-number]").inner_text()
    screenshot(page, "evidence-detail")
    assert page.evaluate("document.querySelector('[data-testid=evidence-preview] img').naturalWidth") > 0
    # The original opens inline under its restrictive policy and still shows.
    page.goto(f"{live_server.url}/evidence/{items[0].pk}/download/")
    assert page.evaluate("document.images.length && document.images[0].naturalWidth") == 1200

    page.goto(f"{live_server.url}/")
    page.locator("[data-testid=user-menu]").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    browser_login(page, staff_c)
    page.goto(f"{live_server.url}/evidence/")
    assert page.locator("[data-evidence]").count() == 0
    assert "志愿服务1" not in page.content()
    page.goto(f"{live_server.url}/evidence/standard/{standard.pk}/")
    assert page.locator("[data-evidence]").count() == 0
    assert "3" in page.locator(f"[data-testid=requirements-{standard.pk}]").inner_text()  # organ-wide count only
    screenshot(page, "evidence-unrelated-office-standard")
    response = page.goto(f"{live_server.url}/evidence/{items[0].pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/evidence/{items[0].pk}/download/")
    assert response.status == 404


@pytest.mark.django_db(transaction=True)
def test_fields_too_long_for_a_header_go_as_multipart(page, live_server, cast, campaign, browser_login):
    browser_login(page, cast.staff_a)
    sent: list[dict] = []
    page.on(
        "request",
        lambda request: sent.append(request.headers) if request.url.endswith("/evidence/upload/file/") else None,
    )
    page.goto(f"{live_server.url}/evidence/upload/")
    description = "文明实践" * 900  # 3,600 characters: 32 KB percent-encoded, more than a header takes
    # The field sits in a folded section: set it as a person would after unfolding it.
    page.evaluate(
        "(text) => { const el = document.getElementById('id_description'); el.value = text;"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }",
        description,
    )
    page.set_input_files(
        "[data-testid=file-input]", [{"name": "长说明.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}]
    )
    page.wait_for_selector("[data-testid=upload-row][data-state=done]")
    item = EvidenceItem.objects.get()
    assert item.description == description
    assert item.original_name == "长说明.jpg"
    assert len(sent) == 1
    assert sent[0]["content-type"].startswith("multipart/form-data")
    assert "x-civunit-file-name" not in sent[0]


@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_connection_drops_can_be_retried(page, live_server, cast, campaign, browser_login):
    browser_login(page, cast.staff_a)
    page.goto(f"{live_server.url}/evidence/upload/")
    failures: list[str] = []

    def drop_once(route):
        if not failures:
            failures.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/evidence/upload/file/", drop_once)
    page.set_input_files(
        "[data-testid=file-input]", [{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}]
    )
    page.wait_for_selector("[data-testid=upload-retry]")
    assert EvidenceItem.objects.count() == 0
    page.click("[data-testid=upload-retry]")
    page.wait_for_selector("[data-testid=upload-row][data-state=done]")
    assert EvidenceItem.objects.count() == 1
    assert len(failures) == 1


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_is_linked_instead_by_who_may_change_it_and_only_offered_to_them(
    page, live_server, cast, campaign, browser_login
):
    standard = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务", is_leaf=True)
    task = TaskFactory(campaign=campaign, code="7", title="组织学雷锋志愿服务活动", lead_office=cast.office_b)
    photo: FilePayload = {"name": "志愿服务.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg(color=(12, 34, 56))}
    item = make_evidence(user=cast.staff_a, campaign=campaign, data=photo["buffer"], tasks=[task])

    # office B reads the photo through its task but may not change it: no offer, only who can link it
    browser_login(page, cast.staff_b)
    page.goto(f"{live_server.url}/evidence/upload/")
    page.set_input_files("[data-testid=file-input]", [photo])
    page.wait_for_selector("[data-testid=upload-row][data-state=duplicate]")
    assert "负责人" in page.locator("[data-testid=upload-status]").inner_text()
    assert page.get_by_role("button", name="关联已有资料").count() == 0
    page.goto(f"{live_server.url}/")
    page.locator("[data-testid=user-menu]").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")

    # the head of the item's office links it to the standard chosen on the page
    browser_login(page, cast.head_a)
    # (the page lists the standards of one's own tasks and the one it was opened for; others are searched for)
    page.goto(f"{live_server.url}/evidence/upload/?standard={standard.pk}")
    page.select_option("#id_primary_standard", str(standard.pk))
    page.set_input_files("[data-testid=file-input]", [photo])
    page.wait_for_selector("[data-testid=upload-row][data-state=duplicate]")
    page.get_by_role("button", name="关联已有资料").click()
    page.wait_for_selector("[data-testid=upload-row][data-state=done]")
    assert EvidenceItem.objects.count() == 1
    assert list(item.standard_links.values_list("criterion_id", flat=True)) == [standard.pk]

    # the same once more: nothing changed, and the row says so
    page.set_input_files("[data-testid=file-input]", [photo])
    page.wait_for_selector("[data-testid=upload-row][data-state=duplicate]")
    page.get_by_role("button", name="关联已有资料").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=upload-row][data-state=done]').length === 2")
    assert "没有变化" in page.locator("[data-testid=upload-status]").nth(1).inner_text()
