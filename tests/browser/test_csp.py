"""The browser itself reports no Content-Security-Policy violation on any page of the URL matrix, as the
coordinator (who may use every form of the matrix's world) and as staff, the admin's index included."""

import pytest
from django.test import Client

from tests import test_url_matrix
from tests.test_csp import world_pages

world = test_url_matrix.world  # the matrix's fixture: one object of every kind a URL names

VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["coordinator", "staff_a", "admin"])
def test_no_page_violates_the_policy_in_the_browser(page, live_server, cast, world, browser_login, role):
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(VIOLATION_LISTENER)
    user = getattr(cast, role)
    client = Client()
    client.force_login(user)
    # The pages this person may open, found with the test client first (no 405, 404 or download answers).
    pages = []
    for url in world_pages(world):
        answer = client.get(url)
        if "/logout/" not in url and answer.status_code == 200 and "text/html" in answer.get("Content-Type", ""):
            pages.append(url)
    browser_login(page, user)
    for url in pages:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None
        assert response.status == 200, (url, response.status)
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations || []")
        assert violations == [], (role, url, violations)
        assert console == [], (role, url, console)
    assert len(pages) >= 15, pages
