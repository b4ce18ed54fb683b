"""A real browser on a phone-sized screen: a CLA enters a member's complaint and gets its
reference; conduct staff then read it, and the reading is in its trail."""

import pytest

from conduct.models import Complaint
from networks.models import Location
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright]

TEXT = "Un militaire de la base a demandé du sexe à une vendeuse contre de l'argent"


@pytest.mark.django_db(transaction=True)
def test_a_cla_sends_a_complaint_from_a_phone_and_only_conduct_reads_it(live_server, browser_page):
    beni = off_loop(Location.objects.create, name="Beni", kind="territory")
    off_loop(Location.objects.create, name="Mbau", kind="village", parent=beni)
    off_loop(UserFactory, username="beni_cla", role="cla")
    off_loop(UserFactory, username="cd", role="conduct")
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})

    log_in(page, live_server.url, "beni_cla", then="/conduct/new/")
    page.locator("#id_text").fill(TEXT)
    page.locator("#id_location").select_option(label="Mbau")
    page.get_by_role("button", name="Envoyer la plainte").click()
    complaint = off_loop(Complaint.objects.get)
    expect(page.locator("body")).to_contain_text(complaint.reference)
    expect(page.locator("body")).not_to_contain_text("vendeuse")

    page.context.clear_cookies()
    log_in(page, live_server.url, "cd", then="/conduct/")
    page.get_by_role("link", name=complaint.reference).click()
    expect(page.locator(".complaint-text")).to_contain_text("vendeuse")
    expect(page.locator(".audit-trail")).to_contain_text("cd")
