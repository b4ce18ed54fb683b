"""One poll from its creation to its results, in a real browser on a live server.

An analyst builds it in the dashboard (a numbered question and a yes-or-no one, in French);
a supervisor sends it to two networks of focal points; the broadcast's SMS leave through the
outbound path as the workers send them; the focal points answer by SMS through Twilio's
signed webhook, each answer bringing the next question back as the reply; the results page
then shows the counts per answer and the response rate of each question."""

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from alerts.channels.backends import LocmemBackend
from alerts.models import Message
from alerts.services import broadcast_fan_out, broadcast_recipient_send, message_deliver
from polls.models import Poll
from tests.browser import (
    DESKTOP,
    expect,
    log_in,
    needs_playwright,
    off_loop,
    screenshots_on_failure,
    untranslated,
    visible_text,
)
from tests.factories import UserFactory
from tests.twilio_support import sign, sms_params

pytestmark = [pytest.mark.slow, needs_playwright]

TITLE = "Perception de la sécurité, décembre"
FIRST = "Depuis un mois, la sécurité dans votre village est :"
SECOND = "Pouvez-vous aller au champ sans crainte ?"
LABELS = ("Meilleure", "Pareille", "Pire")


def french(msgid: str) -> str:
    with translation.override("fr"):
        return translation.gettext(msgid)


def _world():
    from tests.alerts.broadcast_support import make_roster

    roster = make_roster()
    UserFactory(username="kahindo", role="analyst")
    UserFactory(username="sup", role="supervisor")
    return roster


def _deliver(poll_pk: int) -> list[dict[str, str]]:
    """What the workers do after the send button: fan out, make each recipient's SMS, hand
    each to the SMS backend (locmem: its outbox is what the provider received)."""
    poll = Poll.objects.get(pk=poll_pk)
    broadcast_fan_out(broadcast_id=poll.broadcast_id)
    for recipient in poll.broadcast.recipients.filter(state="waiting"):
        broadcast_recipient_send(recipient_id=recipient.pk)
    for pk in Message.objects.filter(kind=Message.Kind.BROADCAST).values_list("pk", flat=True):
        message_deliver(message_id=pk)
    return list(LocmemBackend.outbox)


def post_signed_to(url: str, params: dict, *, signed_for: str = "") -> tuple[int, str]:
    """POST to the live server exactly as Twilio does: urlencoded form, X-Twilio-Signature over
    the full URL (or `signed_for`, to forge one) and the parameters, with the auth token."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(signed_for or url, params),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def reply_of(twiml: str) -> str:
    """The SMS the webhook's TwiML sends back ("" when none)."""
    return "\n".join(m.text or "" for m in ET.fromstring(twiml).iter("Message"))  # noqa: S314


@pytest.mark.django_db(transaction=True)
def test_a_poll_goes_from_the_builder_to_sms_answers_to_its_results(live_server, browser, settings):
    settings.SMS_BACKEND = "locmem"
    settings.PUBLIC_BASE_URL = ""  # the webhook checks signatures over the live server's URL
    roster = off_loop(_world)
    people = roster.people
    base = live_server.url
    webhook = f"{base}/webhooks/twilio/sms/"

    with screenshots_on_failure(browser, "poll-walk"):
        # 1. The analyst creates the poll and adds its two questions, in French.
        analyst = browser.new_context(locale="fr-FR", viewport=DESKTOP)
        page = analyst.new_page()
        log_in(page, base, "kahindo", then="/dashboard/polls/")
        page.fill("input[name=title]", TITLE)
        page.click("main form.card button[type=submit]")
        page.wait_for_url(f"{base}/dashboard/polls/*/")
        poll = off_loop(Poll.objects.get, title=TITLE)
        page.select_option("select[name=kind]", value="choice")
        page.fill("input[name=text_fr]", FIRST)
        page.fill("textarea[name=choices]", "\n".join(LABELS))
        page.click("button[name=add_question]")
        page.wait_for_url(f"{base}/dashboard/polls/{poll.pk}/")
        page.select_option("select[name=kind]", value="yes_no")
        page.fill("input[name=text_fr]", SECOND)
        page.click("button[name=add_question]")
        page.wait_for_url(f"{base}/dashboard/polls/{poll.pk}/")
        questions = page.locator(".poll-question")
        expect(questions).to_have_count(2)
        expect(questions.nth(0)).to_contain_text(FIRST)
        expect(questions.nth(0).locator("ol li")).to_have_text(list(LABELS))
        expect(questions.nth(1)).to_contain_text(SECOND)
        expect(page.locator("button[name=send]")).to_have_count(0)  # analysts do not send
        assert untranslated(visible_text(page)) == []
        analyst.close()

        # 2. The supervisor sends it to both networks.
        supervisor = browser.new_context(locale="fr-FR", viewport=DESKTOP)
        page = supervisor.new_page()
        log_in(page, base, "sup", then=f"/dashboard/polls/{poll.pk}/")
        page.select_option(
            "select[name=networks]",
            value=[str(roster.can_mbau.pk), str(roster.can_butembo.pk)],
        )
        page.click("button[name=send]")
        page.wait_for_url(f"{base}/dashboard/polls/{poll.pk}/")
        expect(page.locator(".messages")).to_contain_text(
            french("The first question is being sent.")
        )

        # 3. The broadcast's SMS go out: the first question with its numbered answers.
        sent = {item["to"]: item["body"] for item in off_loop(_deliver, poll.pk)}
        expected = f"{FIRST}\n1. Meilleure\n2. Pareille\n3. Pire"
        assert sent == {
            people["amani"].phone: expected,  # no Swahili text: French
            people["bahati"].phone: expected,
            people["chance"].phone: expected,
        }

        # 4. Answers by SMS through the signed webhook; each brings the next question back.
        status, twiml = post_signed_to(webhook, sms_params("1", people["amani"].phone))
        assert status == 200, (status, twiml)
        assert reply_of(twiml).startswith(SECOND + "\n1. ")
        status, twiml = post_signed_to(webhook, sms_params("3", people["bahati"].phone))
        assert status == 200 and reply_of(twiml).startswith(SECOND + "\n1. ")
        status, twiml = post_signed_to(webhook, sms_params("2", people["amani"].phone))
        assert status == 200 and SECOND not in reply_of(twiml)  # the last one: thanks
        status, twiml = post_signed_to(webhook, sms_params("1", people["bahati"].phone))
        assert status == 200 and SECOND not in reply_of(twiml)
        # A text signed for another address is refused, and counts for nothing; Chance never
        # answers.
        forged = sms_params("2", people["chance"].phone)
        status, _body = post_signed_to(webhook, forged, signed_for=f"{base}/elsewhere/")
        assert status == 403

        # 5. The results page: counts per answer and the response rate, per question.
        page.goto(f"{base}/dashboard/polls/{poll.pk}/results/")
        expect(page.locator("h1")).to_have_text(french("Results"))
        first, second = page.locator("section.card").all()
        expect(first.locator("h2")).to_have_text(f"1. {FIRST}")
        rate = french("Response rate")
        expect(first.locator("p").first).to_contain_text(f"{rate} : 67 %")
        expect(first.locator("p").first).to_contain_text(f"{french('Answered by SMS')} : 2")
        rows = first.locator("table").first.locator("tbody tr")
        assert [row.inner_text().split("\t") for row in rows.all()] == [
            ["1. Meilleure", "1", "50 %"],
            ["2. Pareille", "0", "0 %"],
            ["3. Pire", "1", "50 %"],
        ]
        expect(second.locator("h2")).to_have_text(f"2. {SECOND}")
        expect(second.locator("p").first).to_contain_text(f"{rate} : 100 %")
        rows = second.locator("table").first.locator("tbody tr")
        assert [row.inner_text().split("\t")[1:] for row in rows.all()] == [
            ["1", "50 %"],
            ["1", "50 %"],
        ]
        assert untranslated(visible_text(page)) == []
        supervisor.close()
