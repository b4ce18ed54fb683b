"""A supervisor hands a departing CLA's work to a successor from a small phone, in French: the
two steps of the form, nothing scrolling sideways, and the history on both CLAs' pages."""

import datetime as dt
import uuid

import pytest

from cla.models import CLAHandover
from cla.services import FollowUpData, field_visit_create
from lpc.models import LPC
from tests.browser import expect, log_in, needs_playwright, off_loop, screenshots_dir
from tests.factories import (
    CLAProfileFactory,
    LPCFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = [pytest.mark.slow, needs_playwright]

SMALL_PHONE = {"width": 360, "height": 740}


def make_world() -> dict:
    beni = TerritoryFactory(name="Beni", parent=ProvinceFactory(name="Nord-Kivu"))
    mbau = VillageFactory(name="Mbau", parent=beni)
    kavira = UserFactory(username="kavira", role="cla", first_name="Kavira", last_name="Masika")
    ngabo = UserFactory(username="ngabo", role="cla", first_name="Ngabo", last_name="Bahati")
    UserFactory(username="sup", role="supervisor")
    CLAProfileFactory(user=kavira, base=beni, assigned_places=[mbau])
    LPCFactory(name="Comité de protection de Mbau-Centre et environs", cla=kavira, places=[mbau])
    NetworkFactory(name="CAN Mbau", code="can-mbau", cla=kavira)
    field_visit_create(
        cla=kavira,
        idempotency_key=uuid.uuid4(),
        visited_on=dt.date.today(),
        places=[mbau],
        follow_ups=[
            FollowUpData(
                description="Rapporter au chef de groupement la liste complète des déplacés "
                + "arrivés-depuis-Oicha-la-semaine-dernière",
                due_on=dt.date.today(),
            )
        ],
    )
    return {"kavira": kavira.pk, "ngabo": ngabo.pk}


def assert_fits(page, path: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SMALL_PHONE["width"], f"{path} is {width} px wide"


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_hands_a_clas_work_over_from_a_phone(live_server, browser):
    ids = off_loop(make_world)
    base = live_server.url
    context = browser.new_context(
        viewport=SMALL_PHONE, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    page = context.new_page()
    log_in(page, base, "sup", then="/cla/team/")
    assert_fits(page, "/cla/team/")
    page.get_by_role("link", name="Kavira Masika").click()
    assert_fits(page, "kavira's page")
    page.get_by_role("link", name="Transmettre à un successeur").click()
    expect(page.locator("h1")).to_have_text("Transmettre le travail de Kavira Masika")
    expect(page.locator("main")).to_contain_text("ne peuvent pas être transmises")
    assert_fits(page, "the handover form")
    page.select_option("select[name=to_cla]", value=str(ids["ngabo"]))
    page.fill("textarea[name=note]", "Kavira part à Bunia ; Ngabo reprend Mbau dès lundi.")
    page.get_by_role("button", name="Vérifier la passation").click()
    expect(page.locator(".card-confirm")).to_contain_text("passe de Kavira Masika à Ngabo Bahati")
    assert_fits(page, "the review")
    page.screenshot(path=screenshots_dir() / "cla-handover-review-360.png", full_page=True)
    assert off_loop(CLAHandover.objects.count) == 0
    page.get_by_role("button", name="Confirmer la passation").click()
    page.wait_for_url(f"{base}/cla/team/{ids['kavira']}/")
    expect(page.locator(".messages")).to_contain_text("Ngabo Bahati reprend le travail")
    expect(page.locator(".handovers")).to_contain_text("Kavira part à Bunia")
    assert_fits(page, "kavira's page afterwards")
    assert off_loop(lambda: LPC.objects.get().cla_id) == ids["ngabo"]
    context.close()

    # The successor finds it all on his own page.
    context = browser.new_context(
        viewport=SMALL_PHONE, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    page = context.new_page()
    log_in(page, base, "ngabo", then="/cla/follow-ups/")
    page.get_by_role("link", name="Mon travail").click()
    main = page.locator("main")
    expect(main).to_contain_text("Comité de protection de Mbau-Centre et environs")
    expect(main).to_contain_text("CAN Mbau")
    expect(main).to_contain_text("Rapporter au chef de groupement")
    expect(page.locator(".handovers")).to_contain_text("Kavira part à Bunia")
    assert_fits(page, "ngabo's page")
    context.close()
