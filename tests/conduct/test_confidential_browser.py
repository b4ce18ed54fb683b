"""A real browser, role after role: one complaint comes in by SMS (signed webhook, then triage
as the worker runs it); admin, supervisor, analyst, CLA and viewer each go through the queue,
the stub's page, the map, the statistics, the exports and a search for a word of the
complaint, and see only the stub ("confidential report"), never a word of the complaint nor
the sender's number. Then conduct staff open the complaint, and their reading is in its trail."""

import pytest
from django.test import Client

from alerts.models import Alert
from cla.models import CLAProfile
from conduct.models import Complaint, ComplaintView
from networks.models import Location
from networks.services import focal_point_create
from tests.browser import OUTSIDE, expect, log_in, needs_playwright, off_loop, phone_leaks
from tests.conduct.conftest import COMPLAINT, KAVIRA_PHONE, SECRET, sms_triaged
from tests.factories import UserFactory
from triage.models import AnalystProfile

pytestmark = [pytest.mark.slow, needs_playwright]

# Words of the complaint (COMPLAINT) no other role may read anywhere; "casques" is searched.
WORDS = [SECRET, "casques", "bleus", "violé"]
SEARCHED = "casques"
STUB = "Signalement confidentiel reçu de Beni"
OTHERS = ["root", "sup", "ana", "beni_cla", "vee"]  # admin, supervisor, analyst, CLA, viewer


def _world() -> dict:
    beni = Location.objects.create(
        name="Beni", kind="territory", latitude="0.49", longitude="29.47"
    )
    mbau = Location.objects.create(
        name="Mbau", kind="village", parent=beni, latitude="0.58", longitude="29.45"
    )
    focal_point_create(name="Kavira Beni", phone=KAVIRA_PHONE, home_location=mbau)
    UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    UserFactory(username="sup", role="supervisor")
    AnalystProfile.objects.create(user=UserFactory(username="ana", role="analyst")).areas.add(beni)
    cla = UserFactory(username="beni_cla", role="cla")
    CLAProfile.objects.create(user=cla).assigned_places.add(beni)
    UserFactory(username="vee", role="viewer")
    UserFactory(username="cd", role="conduct")
    stub = sms_triaged(Client(), COMPLAINT)
    return {"stub": stub, "complaint": Complaint.objects.get(stub_alert_id=stub.pk)}


def _clean(where: str, text: str) -> None:
    """Not a word of the complaint, not the sender's number in any format."""
    assert [word for word in WORDS if word in text] == [], where
    assert phone_leaks(text, KAVIRA_PHONE) == [], where


@pytest.mark.django_db(transaction=True)
def test_every_other_role_sees_only_the_stub_and_conduct_staff_read_it(live_server, browser_page):
    world = off_loop(_world)
    stub, complaint = world["stub"], world["complaint"]
    assert off_loop(Alert.objects.count) == 1
    page, base = browser_page, live_server.url
    page.route(OUTSIDE, lambda route: route.abort())  # no map tiles from outside the machine

    for username in OTHERS:
        page.context.clear_cookies()
        log_in(page, base, username)

        # The queue: the stub is there, as a confidential report.
        expect(page.locator("#queue-rows")).to_contain_text(STUB)
        _clean(f"{username} queue", page.inner_text("body"))
        _clean(f"{username} queue html", page.content())
        export_link = page.locator("a.queue-export")
        export_href = (
            export_link.get_attribute("href") if export_link.count() else "/api/v1/alerts/export/"
        )

        # The stub's page.
        page.goto(f"{base}/dashboard/alerts/{stub.pk}/")
        expect(page.locator("main")).to_contain_text(STUB)
        _clean(f"{username} stub page", page.inner_text("body"))
        _clean(f"{username} stub page html", page.content())

        # The map, and the data it draws.
        with page.expect_response(lambda r: "/dashboard/map/data/" in r.url) as drawn:
            page.goto(f"{base}/dashboard/map/")
        assert drawn.value.status == 200, username
        _clean(f"{username} map data", drawn.value.text())
        expect(page.locator(".leaflet-container")).to_be_visible()
        markers = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
        for index in range(markers.count()):  # every marker's popup
            markers.nth(index).click(force=True)
            _clean(f"{username} map popup", page.locator(".leaflet-popup-pane").inner_text())
        _clean(f"{username} map", page.inner_text("body"))

        # The statistics.
        page.goto(f"{base}/dashboard/stats/")
        expect(page.locator("h1")).to_be_visible()
        _clean(f"{username} stats", page.inner_text("body"))
        _clean(f"{username} stats html", page.content())

        # The exports: the queue's link, the alerts with their texts, the incidents.
        for path in (export_href, "/api/v1/alerts/export/?text=true", "/api/v1/incidents/export/"):
            answer = page.request.get(f"{base}{path}")
            assert answer.status in (200, 403), (username, path, answer.status)
            _clean(f"{username} {path}", answer.text())
        with_text = page.request.get(f"{base}/api/v1/alerts/export/?text=true")
        if with_text.status == 200:  # the viewer may not export texts
            assert STUB in with_text.text(), username

        # A search for a word of the complaint, through the queue's search box: nothing found.
        page.goto(f"{base}/dashboard/")
        page.locator("#f-q").fill(SEARCHED)
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url(f"**q={SEARCHED}**")
        expect(page.locator("#queue-rows")).not_to_contain_text(STUB)
        rows = page.inner_text("#queue-rows")
        _clean(f"{username} search rows", rows)
        body = page.inner_text("body").replace(SEARCHED, "")  # the box shows the query
        _clean(f"{username} search", body)

        # And the complaints themselves are not theirs.
        refused = page.goto(f"{base}/conduct/{complaint.pk}/")
        assert refused.status == 403, username
        _clean(f"{username} complaint page", page.content())
        api = page.request.get(f"{base}/api/v1/complaints/{complaint.pk}/")
        assert api.status == 404, username
        _clean(f"{username} complaint api", api.text())

    # Nobody above opened it.
    assert off_loop(lambda: list(ComplaintView.objects.all())) == []

    page.context.clear_cookies()
    log_in(page, base, "cd", then="/conduct/")
    page.get_by_role("link", name=complaint.reference).click()
    expect(page.locator(".complaint-text")).to_contain_text(SECRET)
    expect(page.locator(".complaint-text")).to_contain_text("casques bleus")
    assert phone_leaks(page.inner_text("body"), KAVIRA_PHONE) == []  # masked even for them
    expect(page.locator("main")).to_contain_text("+243 ••• ••• 001")
    trail = page.locator(".audit-trail tbody tr")
    expect(trail).to_have_count(1)
    expect(trail.first).to_contain_text("cd")
    expect(trail.first).to_contain_text("A ouvert la plainte")
    views = off_loop(lambda: list(ComplaintView.objects.values_list("user__username", "what")))
    assert views == [("cd", "detail")]
