"""A CLA's phone in a real browser: the field interview form fits the screen, speaks French,
and records one respondent's answers with their group and place."""

import pytest

from polls.models import Interview, Response
from tests.browser import PHONE, log_in, needs_playwright, off_loop, untranslated, visible_text
from tests.factories import CLAProfileFactory, UserFactory
from tests.polls.conftest import build_poll

pytestmark = [pytest.mark.slow, needs_playwright]


def _world():
    from tests.alerts.broadcast_support import make_roster

    roster = make_roster()
    supervisor = UserFactory(username="sup", role="supervisor")
    poll = build_poll(supervisor)
    type(poll).objects.filter(pk=poll.pk).update(status="open")
    CLAProfileFactory(
        user=UserFactory(username="kavira", role="cla"), assigned_places=[roster.beni]
    )
    return poll, roster


@pytest.mark.django_db(transaction=True)
def test_a_cla_records_a_field_interview_on_a_phone_in_french(live_server, browser):
    poll, roster = off_loop(_world)
    q1, q2, q3 = off_loop(lambda: list(poll.questions.order_by("position")))
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    page = context.new_page()
    then = f"/dashboard/polls/{poll.pk}/interview/"
    log_in(page, live_server.url, "kavira", then=then)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert untranslated(visible_text(page)) == []
    page.select_option("select[name=group]", value="women")
    page.select_option("select[name=location]", value=str(roster.mbau.pk))
    page.check(f"input[name=q{q1.pk}][value='1']")
    page.check(f"input[name=q{q2.pk}][value='3']")
    page.fill(f"textarea[name=q{q3.pk}]", "Des patrouilles la nuit")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}{then}")
    assert "Réponses enregistrées" in page.content()
    interview = off_loop(lambda: Interview.objects.get())
    answers = off_loop(
        lambda: sorted(
            (r.question.position, r.choice.number if r.choice_id else None, r.text)
            for r in Response.objects.select_related("question", "choice")
        )
    )
    assert (interview.group, interview.location_id) == ("women", roster.mbau.pk)
    assert answers == [(1, 1, ""), (2, 3, ""), (3, None, "Des patrouilles la nuit")]
    context.close()
