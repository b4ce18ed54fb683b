"""The CLAs' pages and handing one CLA's work to a successor from them: who may open what
(written out by hand), the two steps of the handover, what each CLA sees afterwards, and the
pages in French."""

import re
import uuid

import pytest
from django.urls import reverse

from cla.models import CLAHandover, FollowUp
from lpc.models import LPC
from tests.browser import french_page_problems, html_visible_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("admin", "supervisor", "analyst", "kavira", "ngabo", "viewer", "conduct", "anonymous")


@pytest.fixture
def people(world):
    """Every role's user; kavira (the outgoing CLA) and ngabo (the successor) are the CLAs."""
    made = {role: UserFactory(username=f"u-{role}", role=role) for role in ROLES[:3]}
    made |= {role: UserFactory(username=f"u-{role}", role=role) for role in ROLES[5:7]}
    return made | {"kavira": world["kavira"], "ngabo": world["ngabo"], "anonymous": None}


def as_(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def confirm_data(world, **overrides) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "to_cla": str(world["ngabo"].pk),
        "note": "Kavira part à Bunia.",
        "step": "confirm",
    }
    return data | overrides


# Expected answers, typed in: (page, {role: status}).
PAGE_READS = [
    (
        "team",
        {
            "admin": 200,
            "supervisor": 200,
            "analyst": 200,
            "kavira": 403,
            "ngabo": 403,
            "viewer": 403,
            "conduct": 403,
            "anonymous": 302,
        },
    ),
    (
        "kavira's page",
        {
            "admin": 200,
            "supervisor": 200,
            "analyst": 200,
            "kavira": 200,
            "ngabo": 404,
            "viewer": 403,
            "conduct": 403,
            "anonymous": 302,
        },
    ),
    (
        "kavira's handover",
        {
            "admin": 200,
            "supervisor": 200,
            "analyst": 403,
            "kavira": 403,
            "ngabo": 403,
            "viewer": 403,
            "conduct": 403,
            "anonymous": 302,
        },
    ),
]


def url_of(page: str, world) -> str:
    kavira = world["kavira"].pk
    return {
        "team": reverse("cla:team"),
        "kavira's page": reverse("cla:profile", args=[kavira]),
        "kavira's handover": reverse("cla:handover", args=[kavira]),
    }[page]


@pytest.mark.parametrize(("page", "expected"), PAGE_READS, ids=[p for p, _e in PAGE_READS])
def test_who_may_open_the_clas_pages(client, world, people, page, expected):
    answers = {}
    for role in ROLES:
        client.logout()
        answers[role] = as_(client, people, role).get(url_of(page, world)).status_code
    assert answers == expected


# Who may hand over: (role, status of the confirmation, whether the work moved).
HANDOVER_WRITES = [
    ("admin", 302, True),
    ("supervisor", 302, True),
    ("analyst", 403, False),
    ("kavira", 403, False),
    ("ngabo", 403, False),
    ("viewer", 403, False),
    ("conduct", 403, False),
    ("anonymous", 302, False),  # to the login page
]


@pytest.mark.parametrize(("role", "status", "moved"), HANDOVER_WRITES)
def test_only_supervisors_and_admins_may_hand_over(client, world, people, role, status, moved):
    response = as_(client, people, role).post(
        reverse("cla:handover", args=[world["kavira"].pk]), confirm_data(world)
    )
    assert response.status_code == status
    assert LPC.objects.filter(cla=world["ngabo"]).exists() is moved
    assert CLAHandover.objects.exists() is moved
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_what_will_move_and_that_phone_drafts_stay(client, world):
    client.force_login(world["sup"])
    page = client.get(reverse("cla:handover", args=[world["kavira"].pk])).content.decode()
    for name in ("CLP Mbau", "CLP Oicha", "CAN Mbau", "Mbau", "Oicha", "Apporter des cartes SIM"):
        assert name in page
    assert "CLP Kirumba" not in page and "CAN Kirumba" not in page
    assert "Revoir le chef" not in page  # done already: nothing to hand over
    assert "Visits kept on the phone cannot be moved." in page
    assert 'name="idempotency_key"' in page


def test_handing_over_takes_a_review_then_a_confirmation(client, world):
    client.force_login(world["sup"])
    url = reverse("cla:handover", args=[world["kavira"].pk])
    data = confirm_data(world, step="review")
    review = client.post(url, data)
    assert review.status_code == 200
    page = review.content.decode()
    assert "Check and confirm" in page and 'value="confirm"' in page
    assert "New places for ngabo:" in page and "Kavira part à Bunia." in page
    assert "ngabo has no base yet: Beni becomes theirs." in page
    assert not CLAHandover.objects.exists()  # nothing moved yet
    # Going back keeps what was typed.
    back = client.post(url, data | {"step": "change"}).content.decode()
    assert "Kavira part à Bunia." in back and "Review the handover" in back
    # The confirmation carries the same key: sent twice, one handover.
    done = client.post(url, data | {"step": "confirm"}, follow=True)
    assert done.redirect_chain == [(reverse("cla:profile", args=[world["kavira"].pk]), 302)]
    assert "Handover recorded: ngabo now holds the work of kavira." in done.content.decode()
    again = client.post(url, data | {"step": "confirm"}, follow=True)
    assert "This handover was already recorded: nothing moved twice." in again.content.decode()
    assert CLAHandover.objects.count() == 1
    assert LPC.objects.filter(cla=world["ngabo"]).count() == 2


def test_a_wrong_successor_is_refused_on_the_form(client, world):
    client.force_login(world["sup"])
    url = reverse("cla:handover", args=[world["kavira"].pk])
    analyst = UserFactory(username="ana", role="analyst")
    for wrong in (world["kavira"].pk, analyst.pk, 2**70, "abc"):
        response = client.post(url, confirm_data(world, to_cla=str(wrong)))
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    assert not CLAHandover.objects.exists()


def test_a_cla_with_nothing_left_shows_so_and_a_new_handover_is_refused(client, world):
    client.force_login(world["sup"])
    url = reverse("cla:handover", args=[world["kavira"].pk])
    client.post(url, confirm_data(world))
    page = client.get(url).content.decode()
    assert "kavira has nothing to hand over" in page and '<form method="post"' not in page
    refused = client.post(url, confirm_data(world, to_cla=str(world["bahati"].pk)))
    assert refused.status_code == 400
    assert "kavira has nothing left to hand over" in refused.content.decode()
    assert CLAHandover.objects.count() == 1


def test_afterwards_both_clas_pages_show_the_handover(client, world):
    client.force_login(world["sup"])
    client.post(reverse("cla:handover", args=[world["kavira"].pk]), confirm_data(world))
    for cla in (world["kavira"], world["ngabo"]):
        page = client.get(reverse("cla:profile", args=[cla.pk])).content.decode()
        history = page[page.index("<h2>Handovers</h2>") :]
        assert "Kavira part à Bunia." in history
        assert re.search(r"from\s+<a [^>]*>kavira</a>\s+to\s+<a [^>]*>ngabo</a>", history)
        assert "recorded by sup" in history and "2 committees" in history


def test_the_successor_finds_the_work_in_their_own_pages(client, world):
    client.force_login(world["sup"])
    client.post(reverse("cla:handover", args=[world["kavira"].pk]), confirm_data(world))
    ngabo = world["ngabo"]
    client.force_login(ngabo)
    mine = client.get(reverse("cla:profile", args=[ngabo.pk])).content.decode()
    for name in ("CLP Mbau", "CLP Oicha", "CAN Mbau", "Mbau", "Oicha", "Beni"):
        assert name in mine
    assert "Apporter des cartes SIM" in mine and "Kavira part à Bunia." in mine
    follow_ups = client.get(reverse("cla:follow-ups")).content.decode()
    assert "Apporter des cartes SIM" in follow_ups
    assert "handed over · visit by kavira" in follow_ups
    # He cannot open kavira's visit (it stays hers), and the list does not link to it.
    visit_url = reverse("cla:visit", args=[world["visit"].pk])
    assert visit_url not in follow_ups
    assert client.get(visit_url).status_code == 404
    # He may mark it done; kavira no longer may.
    open_one = world["open"]
    client.force_login(world["kavira"])
    assert client.post(reverse("cla:follow-up-done", args=[open_one.pk])).status_code == 403
    assert "Apporter des cartes SIM" not in client.get(reverse("cla:follow-ups")).content.decode()
    client.force_login(ngabo)
    done = client.post(reverse("cla:follow-up-done", args=[open_one.pk]), {"next": "profile"})
    assert done["Location"] == reverse("cla:profile", args=[ngabo.pk])
    assert FollowUp.objects.get(pk=open_one.pk).done_by == ngabo


def test_a_cla_reads_their_own_handovers_but_an_analyst_does_not(client, world, people):
    client.force_login(world["sup"])
    client.post(reverse("cla:handover", args=[world["kavira"].pk]), confirm_data(world))
    url = reverse("cla:profile", args=[world["kavira"].pk])
    client.force_login(world["kavira"])
    assert "Kavira part à Bunia." in client.get(url).content.decode()
    client.force_login(people["analyst"])
    page = client.get(url).content.decode()
    assert "Kavira part à Bunia." not in page and "Handovers" not in page


def test_the_team_lists_a_cla_who_left_while_they_still_hold_work(client, world):
    kavira = world["kavira"]
    kavira.groups.clear()
    kavira.is_active = False
    kavira.save()
    client.force_login(world["sup"])
    page = client.get(reverse("cla:team")).content.decode()
    assert reverse("cla:profile", args=[kavira.pk]) in page
    assert "account closed" in page and "no longer in the CLA role" in page
    assert "2 committees" in page and "1 follow-up open" in page


FRENCH_PAGES = ("team", "kavira's page", "kavira's handover")


def test_the_pages_read_in_french_with_no_english(client, world):
    client.force_login(world["sup"])
    client.cookies["django_language"] = "fr"
    url = reverse("cla:handover", args=[world["kavira"].pk])
    texts = {page: client.get(url_of(page, world)).content.decode() for page in FRENCH_PAGES}
    texts["review"] = client.post(url, confirm_data(world, step="review")).content.decode()
    texts["refused"] = client.post(
        url, confirm_data(world, to_cla=str(world["bahati"].pk), note="x" * 2001)
    ).content.decode()
    client.post(url, confirm_data(world))
    texts["history"] = client.get(url_of("kavira's page", world)).content.decode()
    texts["nothing left"] = client.get(url).content.decode()
    client.force_login(world["ngabo"])
    texts["successor"] = client.get(reverse("cla:profile", args=[world["ngabo"].pk])).content
    texts["successor"] = texts["successor"].decode()
    texts["follow-ups"] = client.get(reverse("cla:follow-ups")).content.decode()
    assert "Transmettre" in texts["kavira's handover"]  # French it is
    problems = {
        name: found
        for name, html in texts.items()
        if (found := french_page_problems(html_visible_text(html)))
    }
    assert problems == {}
