"""The office head returns one photo with a reason and accepts two; the uploader sees the return, replaces the
photo, and the head accepts the new version; the coordinator finds it by searching 志愿."""

import pytest

from evidence.models import EvidenceItem
from tests.evidence.review_factories import jpeg_bytes, make_item, make_stored_file
from tests.factories import CriterionFactory

Status = EvidenceItem.Status


def _switch(page, browser_login, user):
    page.context.clear_cookies()
    browser_login(page, user)


@pytest.mark.django_db(transaction=True)
def test_head_returns_one_photo_uploader_replaces_it_and_coordinator_finds_it(
    page, live_server, cast, campaign, browser_login, screenshot
):
    standard = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务")
    photos = [
        make_item(
            campaign=campaign,
            uploader=cast.staff_a,
            standards=[standard],
            title=title,
            caption="2026年3月5日 研究室在阳光社区开展志愿服务",
            stored_file=make_stored_file(jpeg_bytes(color=color, size=(640, 480))),
        )
        for title, color in (("社区清扫", (180, 40, 40)), ("慰问老人", (40, 160, 60)), ("合影", (40, 60, 170)))
    ]
    returned, *accepted = photos

    # The head returns one photo with a reason, then accepts the other two together.
    _switch(page, browser_login, cast.head_a)
    page.goto(f"{live_server.url}/evidence/review/")
    row = page.locator(f"tr[data-evidence='{returned.pk}']")
    row.locator("[data-testid=return-reason]").fill("照片中看不到单位名称，请重拍")
    screenshot(page, "evidence-review-queue")
    with page.expect_navigation():
        row.locator("[data-testid=return]").click()
    for item in accepted:
        page.locator(f"tr[data-evidence='{item.pk}'] input[name=items]").check()
    with page.expect_navigation():
        page.locator("[data-testid=bulk-accept]").click()
    screenshot(page, "evidence-review-after")
    assert [i.status for i in EvidenceItem.objects.filter(pk__in=[p.pk for p in photos]).order_by("pk")] == [
        Status.RETURNED,
        Status.ACCEPTED,
        Status.ACCEPTED,
    ]

    # The uploader sees the return in the notifications, opens it and replaces the photo.
    _switch(page, browser_login, cast.staff_a)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_text("照片中看不到单位名称").first.click()
    page.wait_for_selector("[data-testid=return-note]")
    assert "照片中看不到单位名称，请重拍" in page.locator("[data-testid=return-note]").inner_text()
    screenshot(page, "evidence-review-uploader-sees-return")
    page.locator("[data-testid=replace]").click()
    page.set_input_files(
        "#id_file", {"name": "重拍.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((230, 200, 40), (800, 600))}
    )
    page.locator("[data-testid=replace-submit]").click()
    page.wait_for_selector("[data-version='2']")
    screenshot(page, "evidence-review-new-version")
    new = EvidenceItem.objects.get(lineage=returned.lineage, version=2)
    assert (new.status, new.is_current) == (Status.PENDING, True)

    # The head accepts the new version from its page.
    _switch(page, browser_login, cast.head_a)
    page.goto(f"{live_server.url}/evidence/review/")
    with page.expect_navigation():
        page.locator(f"tr[data-evidence='{new.pk}'] [data-testid=accept]").click()
    new.refresh_from_db()
    assert new.status == Status.ACCEPTED

    # The coordinator finds it by searching 志愿, in the photo grid, and opens the lightbox.
    _switch(page, browser_login, cast.coordinator)
    page.goto(f"{live_server.url}/evidence/")
    page.fill("[data-testid=search-box]", "志愿")
    page.select_option("#id_kind", "photo")
    page.locator("[data-testid=search-submit]").click()
    page.wait_for_selector("[data-testid=photo-grid]")
    assert "3" in page.locator("[data-testid=result-count]").inner_text()
    screenshot(page, "evidence-review-search-grid")
    card = page.locator(f"[data-evidence='{new.pk}']")
    assert card.count() == 1
    card.locator(".evidence-lightbox-link").click()
    page.wait_for_selector("#evidence-lightbox.show")
    page.wait_for_timeout(400)  # the modal's fade-in
    assert page.locator("#evidence-lightbox-title").inner_text() == "社区清扫"
    screenshot(page, "evidence-review-coordinator-search")
