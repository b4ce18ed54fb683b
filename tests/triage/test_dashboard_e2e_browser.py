"""The dashboard end to end, in a real browser, on a live server with a real Celery worker.

An SMS signed as Twilio signs it comes in from a focal point; the worker triages it and the
analyst's open queue shows it without a reload; the analyst answers from the alert page; the
answer leaves through the local Twilio stand-in; Twilio's signed delivery callback turns the
message to delivered on the page, again without a reload. A viewer then goes through the same
pages without meeting a single phone number, and no French page shows English the catalogue
translates. Full-page screenshots of each page are kept (see tests/browser.py for where).
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.utils import translation

from alerts.models import Alert, Message
from core.taxonomy import CATEGORY_CHOICES
from tests.browser import (
    DESKTOP,
    OUTSIDE,
    PHONE,
    expect,
    log_in,
    needs_playwright,
    off_loop,
    phone_leaks,
    screenshots_dir,
    screenshots_on_failure,
    untranslated,
    visible_text,
)
from tests.factories import (
    FocalPointFactory,
    MembershipFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)
from tests.realworker import Worker, wait_for
from tests.twilio_support import sign, sms_params

pytestmark = [pytest.mark.slow, needs_playwright]

AUTH_TOKEN = "e2e-twilio-auth-token"  # the live server's and the signer's, deliberately shared
REPORTER_PHONE = "+243991234567"
REPORTER_NAME = "Kavira Masika"
INBOUND = "Hommes armés à Mbau maintenant, on tire sur les maisons"
REPLY = "Bien reçu, Kavira. Mettez-vous à l’abri, nous alertons la MONUSCO."
QUEUE_POLL_WITHIN = 5_000  # ms: the queue polls every 3 s
TRIAGE_WITHIN = 45_000  # ms: a real worker on a busy two-core machine
DELIVERY_WITHIN = 20_000  # ms: the thread polls every 5 s while a reply is settling
# Canned replies are data in each reporter's language: their titles are not the UI's text.
CANNED_REPLIES = ("#canned-reply option:not([value=''])",)


def french(text) -> str:
    """A msgid or a lazy label, as the French pages show it."""
    with translation.override("fr"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def make_world() -> None:
    """A village with coordinates (for the map), a network there and a focal point in it."""
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    mbau = VillageFactory(name="Mbau", parent=beni, latitude=0.63, longitude=29.49)
    network = NetworkFactory(name="CAN Mbau", code="can-mbau", base=mbau, area=[mbau])
    focal_point = FocalPointFactory(
        name=REPORTER_NAME, phone=REPORTER_PHONE, language="fr", home_location=mbau
    )
    MembershipFactory(focal_point=focal_point, network=network)


def post_signed_to(url: str, params: dict) -> tuple[int, str]:
    """POST to the live server exactly as Twilio does: urlencoded form, X-Twilio-Signature over
    the full URL and the parameters, with the account's auth token."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, params),
            "User-Agent": "TwilioProxy/1.1",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def reply_sent(fake) -> dict | None:
    """The request that asked the stand-in to send the analyst's reply, once it came."""
    return next((r for r in fake.sent if r.get("Body") == REPLY), None)


def provider_sid_of_reply(alert_id: int) -> str:
    return (
        Message.objects.filter(alert_id=alert_id, direction="outbound", body=REPLY)
        .values_list("provider_sid", flat=True)
        .first()
        or ""
    )


@pytest.fixture
def twilio_stand_in(settings, fake_twilio):
    """Twilio's REST API stood in for locally; the live server (this process) checks webhook
    signatures with the token the tests sign with, over its own URL (no public origin)."""
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = ""
    return fake_twilio


@pytest.fixture
def worker(transactional_db, twilio_stand_in):
    """A real worker process that sends SMS through the Twilio stand-in."""
    running = Worker(
        env={
            "SMS_BACKEND": "twilio",
            "TWILIO_API_BASE_URL": twilio_stand_in.url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": "",
        }
    )
    try:
        yield running.start(purge=True)
    finally:
        running.stop()  # SIGTERM, then SIGKILL if it lingers


def new_context(browser, **options):
    context = browser.new_context(locale="fr-FR", **{"viewport": DESKTOP, **options})
    context.route(OUTSIDE, lambda route: route.abort())  # map tiles: never leave the machine
    return context


def shoot(page, name: str) -> None:
    page.screenshot(path=screenshots_dir() / f"{name}.png", full_page=True)


def wait_for_map(page) -> None:
    """Markers drawn and the zoom onto them over (Leaflet animates it for 250 ms)."""
    expect(page.locator("#map")).to_have_attribute("data-loaded", re.compile(r"[1-9]\d*"))
    page.wait_for_timeout(300)
    expect(page.locator("#map .leaflet-zoom-anim")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_an_sms_travels_from_the_webhook_to_a_delivered_reply_and_viewers_see_no_number(
    live_server, twilio_stand_in, worker, browser, capsys
):
    off_loop(make_world)
    off_loop(UserFactory, username="amani", role="analyst", first_name="Amani", last_name="Bahati")
    off_loop(UserFactory, username="vumilia", role="viewer")
    base = live_server.url
    attack = french(dict(CATEGORY_CHOICES)["attack"])
    queued, delivered = french(Message.Status.QUEUED.label), french(Message.Status.DELIVERED.label)
    texts: dict[str, str] = {}
    with capsys.disabled():
        print(f"\nscreenshots: {screenshots_dir()}")

    with screenshots_on_failure(browser, "dashboard-e2e"):
        # 1. The analyst logs in through the form; the UI is French by default.
        analyst = new_context(browser)
        page = analyst.new_page()
        page.goto(f"{base}/accounts/login/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        texts["login"] = visible_text(page)
        log_in(page, base, "amani")
        expect(page.locator("h1")).to_have_text(french("Alert queue"))
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        # 2. A focal point's SMS, signed over the live server's URL as Twilio signs it.
        sms = sms_params(INBOUND, sender=REPORTER_PHONE, sid="SM" + uuid.uuid4().hex)
        status, body = post_signed_to(f"{base}/webhooks/twilio/sms/", sms)
        assert status == 200 and "<Response" in body, (status, body)
        alert = off_loop(Alert.objects.get, messages__provider_sid=sms["MessageSid"])
        assert alert.reporter_id is not None  # recognised as the registered focal point

        # 3. The open queue shows it without a reload, then as the real worker triaged it.
        row = page.locator("#queue-rows tr[data-alert]", has_text=alert.reference)
        expect(row).to_be_visible(timeout=QUEUE_POLL_WITHIN)
        expect(row).to_contain_text("Hommes armés à Mbau")
        expect(row.locator(".badge")).to_have_text("P1", timeout=TRIAGE_WITHIN)
        expect(row.locator(".cats")).to_contain_text(attack)
        expect(row).to_contain_text("Mbau")
        assert page.evaluate("window.__sameDocument") is True
        texts["queue"] = visible_text(page)
        shoot(page, "dashboard-queue")
        phone = new_context(
            browser,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            storage_state=analyst.storage_state(),  # the same analyst, already logged in
        )
        on_phone = phone.new_page()
        on_phone.goto(f"{base}/dashboard/")
        expect(
            on_phone.locator("#queue-rows tr[data-alert]", has_text=alert.reference)
        ).to_be_visible()
        shoot(on_phone, "dashboard-queue-phone")
        phone.close()

        # 4. The analyst opens it and replies through the form.
        row.get_by_role("link", name=alert.reference).click()
        page.wait_for_url(f"{base}/dashboard/alerts/{alert.pk}/")
        expect(page.locator(".reporter")).to_contain_text(REPORTER_PHONE)  # analysts may
        assert REPORTER_PHONE in phone_leaks(page.content(), REPORTER_PHONE)  # the check sees it
        page.fill("#id_body", REPLY)
        page.click("form.reply button[type=submit]")
        page.wait_for_url(f"{base}/dashboard/alerts/{alert.pk}/")
        expect(page.locator(".messages")).to_contain_text(french("Reply queued for sending."))
        outbound = page.locator("#thread .bubble-outbound", has_text="Mettez-vous à l’abri")
        expect(outbound).to_be_visible()
        page.evaluate("window.__sameDocument = true")

        # 5. The worker hands it to Twilio (the stand-in): the focal point's number, the body.
        request = wait_for(lambda: reply_sent(twilio_stand_in), 60)
        assert request, f"the stand-in got no reply to send; see {worker.log_path}"
        assert request["To"] == REPORTER_PHONE and request["Body"] == REPLY
        assert request["_path"].endswith("/Messages.json")
        assert request["StatusCallback"] == f"{base}/webhooks/twilio/status/"
        sid = off_loop(wait_for, lambda: provider_sid_of_reply(alert.pk), 30)
        assert sid.startswith("SM"), f"no Twilio sid stored; see {worker.log_path}"
        expect(outbound.locator(".delivery")).to_have_text(queued, timeout=DELIVERY_WITHIN)

        # 6. Twilio's signed delivery callback: the page catches up by itself.
        callback = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": request["_path"].split("/")[3],
            "From": request.get("From", ""),
            "To": REPORTER_PHONE,
            "MessageStatus": "delivered",
            "SmsStatus": "delivered",
            "ApiVersion": "2010-04-01",
        }
        status, body = post_signed_to(request["StatusCallback"], callback)
        assert status == 204, (status, body)
        expect(outbound.locator(".delivery")).to_have_text(delivered, timeout=DELIVERY_WITHIN)
        expect(page.locator("#thread[hx-get]")).to_have_count(0)  # settled: polling stops
        assert page.evaluate("window.__sameDocument") is True
        texts["alert"] = visible_text(page, skip=CANNED_REPLIES)
        shoot(page, "dashboard-alert")

        page.goto(f"{base}/dashboard/map/")
        wait_for_map(page)
        texts["map"] = visible_text(page)
        shoot(page, "dashboard-map")
        page.goto(f"{base}/dashboard/stats/")
        expect(page.locator("h1")).to_have_text(french("Statistics"))
        texts["stats"] = visible_text(page)
        shoot(page, "dashboard-stats")
        analyst.close()

        # 7. A viewer goes through the same pages: no number, in any format, anywhere.
        viewer = new_context(browser)
        page = viewer.new_page()
        log_in(page, base, "vumilia")
        expect(
            page.locator("#queue-rows tr[data-alert]", has_text=alert.reference)
        ).to_contain_text("P1")
        seen = {"viewer-queue": (visible_text(page), page.content())}
        shoot(page, "dashboard-viewer-queue")
        page.goto(f"{base}/dashboard/alerts/{alert.pk}/")
        expect(page.locator(".reporter")).to_contain_text(french("Registered focal point"))
        expect(page.locator("#thread")).to_contain_text("Mettez-vous à l’abri")
        expect(page.locator("form.reply")).to_have_count(0)
        seen["viewer-alert"] = (visible_text(page), page.content())
        shoot(page, "dashboard-viewer-alert")
        page.goto(f"{base}/dashboard/map/")
        wait_for_map(page)
        map_data = viewer.request.get(base + page.locator("#map").get_attribute("data-url"))
        assert map_data.ok
        seen["viewer-map"] = (visible_text(page), page.content() + json.dumps(map_data.json()))
        page.goto(f"{base}/dashboard/stats/")
        expect(page.locator("h1")).to_have_text(french("Statistics"))
        seen["viewer-stats"] = (visible_text(page), page.content())
        viewer.close()

    leaks = {
        name: phone_leaks(text, REPORTER_PHONE) + phone_leaks(html, REPORTER_PHONE)
        for name, (text, html) in seen.items()
    }
    assert not any(leaks.values()), f"a viewer sees phone numbers: {leaks}"
    names = [name for name, (_text, html) in seen.items() if REPORTER_NAME in html]
    assert not names, f"a viewer sees the reporter's name on {names}"

    # 8. French pages: no English the catalogue translates.
    texts |= {name: text for name, (text, _html) in seen.items()}
    english = [f"{name}: {hit}" for name, text in texts.items() for hit in untranslated(text)]
    assert not english, "English left on French pages:\n" + "\n".join(english)
