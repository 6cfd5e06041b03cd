"""Each role logs in through the real form and sees the navigation meant for it."""

import pytest

# The navigation entries each role must see, and those it must not.
EVERYONE = {"home", "plan", "criteria", "tasks", "evidence"}
EXPECTED = {
    "staff_a": (EVERYONE | {"my_tasks", "upload"}, {"manage", "admin"}),
    "head_a": (EVERYONE | {"my_tasks", "upload"}, {"manage", "admin"}),
    "coordinator": (EVERYONE | {"my_tasks", "upload", "manage"}, {"admin"}),
    "leader": (EVERYONE, {"manage", "admin", "upload"}),
    "admin": (EVERYONE | {"manage", "admin"}, set()),
}


@pytest.mark.django_db(transaction=True)
def test_each_role_sees_its_navigation(page, live_server, cast, campaign, browser_login, screenshot):
    for who, (must, must_not) in EXPECTED.items():
        user = cast.everyone[who]
        browser_login(page, user)
        keys = set(page.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)"))
        assert must <= keys, (who, must - keys)
        assert not (keys & must_not), (who, keys & must_not)
        assert user.display_name in page.locator("[data-testid=user-menu]").inner_text()
        screenshot(page, f"nav-{who}")
        page.locator("[data-testid=user-menu]").click()
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/accounts/login/")
    assert "登录" in page.content()
