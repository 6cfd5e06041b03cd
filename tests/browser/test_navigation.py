"""Each role logs in through the real form and sees the navigation meant for it."""

import pytest

# The navigation entries each role must see, and those it must not.
EXPECTED = {
    "staff_a": ({"home", "criteria"}, {"manage", "admin"}),
    "head_a": ({"home", "criteria"}, {"manage", "admin"}),
    "coordinator": ({"home", "criteria", "manage"}, {"admin"}),
    "leader": ({"home", "criteria"}, {"manage", "admin", "upload"}),
    "admin": ({"home", "admin", "manage"}, set()),
}


@pytest.mark.django_db(transaction=True)
def test_each_role_sees_its_navigation(page, live_server, cast, campaign, browser_login, screenshot):
    for who, (must, must_not) in EXPECTED.items():
        user = cast.everyone[who]
        browser_login(page, user)
        keys = set(page.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)"))
        missing = {k for k in must if k not in keys}
        # An entry appears once its page exists; the ones every role needs exist from the start.
        assert not (missing & {"home"}), (who, keys)
        assert not (keys & must_not), (who, keys)
        assert user.display_name in page.locator("[data-testid=user-menu]").inner_text()
        screenshot(page, f"nav-{who}")
        page.locator("[data-testid=user-menu]").click()
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/accounts/login/")
    assert "登录" in page.content()
