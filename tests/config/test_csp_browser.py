"""A real browser under the content security policy: no page of ours trips it."""

import pytest

from tests.browser import log_in, needs_playwright, off_loop

pytestmark = [pytest.mark.slow, needs_playwright]

# Every violation the page reports, from the browser's own event (not subject to the policy:
# init scripts are injected by the browser).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def seed():
    from alerts.models import Alert
    from tests.factories import FocalPointFactory, UserFactory

    UserFactory.with_role("admin", username="root", is_staff=True, is_superuser=True)
    reporter = FocalPointFactory()
    alert = Alert.objects.create(
        source="sms", status="triaged", priority=2, reporter=reporter, text="Hommes armés à Mbau"
    )
    return alert.pk, reporter.pk


@pytest.mark.django_db(transaction=True)
def test_pages_load_without_a_content_security_policy_violation(live_server, browser_page):
    alert_id, person_id = off_loop(seed)
    pages = [
        "/dashboard/",
        f"/dashboard/alerts/{alert_id}/",
        "/dashboard/map/",
        "/lpc/",
        "/cla/",
        "/admin/",
        "/admin/networks/focalpoint/",
        f"/admin/networks/focalpoint/{person_id}/change/",
        "/admin/networks/auditentry/",
        "/api/docs/",
    ]
    page = browser_page
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("window.__csp") == []
    log_in(page, live_server.url, "root")
    seen = {}
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__csp")
    # Swagger UI really ran (its script is not inline) and read the schema.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    reported = list(console)
    # And the watcher does see a violation: an inline script is refused.
    page.goto(f"{live_server.url}/dashboard/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None
    assert {path: found for path, found in seen.items() if found} == {}
    assert reported == []
