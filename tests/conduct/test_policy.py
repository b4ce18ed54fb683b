"""Who reads complaints, written out by hand: role × endpoint × object. Only `cd` (the conduct
role) reads a complaint; everybody else, admins and supervisors included, sees at most the
stub triage left in the general queue, and never the complaint's words or its sender.

The world (tests/conduct/conftest.py): `stub` is the alert left by an SMS from Kavira that
reported abuse by peacekeepers (its complaint `routed`), `plain` an ordinary alert of hers,
`typed` a complaint conduct staff entered from the form, `member` a CBCM member."""

import pytest
from django.test import Client

from alerts.models import Alert
from conduct.models import Complaint, ComplaintView
from conduct.services import complaint_create, member_create
from tests.conduct.conftest import COMPLAINT, KAVIRA_PHONE, SECRET, sms_triaged

pytestmark = pytest.mark.django_db

ROLES = ("ana", "roaming", "beni_cla", "sup", "root", "vee", "cd", "anonymous")
A, R, C, S, ROOT, V, CD, ANON = ROLES
TYPED = "Un militaire du contingent a frappé et abusé de Neema au marché"
TYPED_WORD = "Neema"
MEMBER_NAME = "Furaha Zawadi"
MEMBER_PHONE = "+243992000009"
STUB_FR = "Signalement confidentiel reçu de Beni"
STUB_EN = "A confidential report was received from Beni"

# Pages and API reads: (path, {role: status}). Names in braces become ids.
READS = [
    ("/dashboard/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 302}),
    (
        f"/dashboard/?q={SECRET}",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 302},
    ),
    (
        "/dashboard/alerts/{stub}/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 404, ANON: 302},
    ),
    (
        "/dashboard/alerts/{stub}/thread/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 404, ANON: 302},
    ),
    (
        "/dashboard/map/data/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 302},
    ),
    ("/dashboard/stats/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 302}),
    ("/api/v1/alerts/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 401}),
    (
        f"/api/v1/alerts/?q={SECRET}",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 401},
    ),
    (
        "/api/v1/alerts/{stub}/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 404, ANON: 401},
    ),
    (
        "/api/v1/alerts/{stub}/messages/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 404, ANON: 401},
    ),
    (
        "/api/v1/alerts/{stub}/history/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 404, ANON: 401},
    ),
    ("/api/v1/messages/", {A: 200, R: 200, C: 403, S: 200, ROOT: 200, V: 403, CD: 403, ANON: 401}),
    (
        "/api/v1/alerts/export/?text=true",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 403, CD: 403, ANON: 401},
    ),
    (
        "/api/v1/alerts/export/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, CD: 200, ANON: 401},
    ),
    ("/conduct/", {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 302}),
    (
        "/conduct/{routed}/",
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 302},
    ),
    (
        "/conduct/{typed}/",
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 302},
    ),
    ("/conduct/new/", {A: 403, R: 403, C: 200, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 302}),
    (
        "/conduct/members/",
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 302},
    ),
    (
        "/admin/conduct/complaint/",
        {A: 302, R: 302, C: 302, S: 302, ROOT: 404, V: 302, CD: 302, ANON: 302},
    ),
    (
        "/admin/conduct/complaintview/",
        {A: 302, R: 302, C: 302, S: 302, ROOT: 404, V: 302, CD: 302, ANON: 302},
    ),
]

# Where the stub is shown, who sees it (the others get no such page or an empty list).
STUB_SHOWN = [
    ("/dashboard/", {A, R, C, S, ROOT, V}),
    ("/dashboard/alerts/{stub}/", {A, R, C, S, ROOT, V}),
    ("/api/v1/alerts/", {A, R, C, S, ROOT, V}),
    ("/api/v1/alerts/{stub}/", {A, R, C, S, ROOT, V}),
    ("/api/v1/alerts/export/?text=true", {A, R, C, S, ROOT}),
]

# The words of the complaints and their senders' numbers: (path, {role shown them}).
COMPLAINT_SHOWN = [
    ("/conduct/{routed}/", {CD}),
    ("/conduct/{typed}/", {CD}),
]


@pytest.fixture
def world(client, people, kavira, places):
    stub = sms_triaged(client, COMPLAINT)
    plain = sms_triaged(client, "Hommes armés à Mbau, on tire, trois morts")
    member = member_create(name=MEMBER_NAME, phone=MEMBER_PHONE, location=places["mbau"])
    typed = complaint_create(
        text=TYPED, source="form", by=people["cd"], member=member, location=places["mbau"]
    )
    objects = {"stub": stub, "plain": plain, "routed": Complaint.objects.get(stub_alert_id=stub.pk)}
    objects.update(typed=typed, member=member)
    return {**people, **objects}


def _client(world, role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != ANON:
        client.force_login(world[role])
    return client


def _path(template: str, world) -> str:
    return template.format(**{name: obj.pk for name, obj in world.items()})


def _get(world, role: str, template: str):
    return _client(world, role).get(_path(template, world))


def _body(world, role: str, template: str) -> str:
    response = _get(world, role, template)
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("template,expected", READS, ids=[path for path, _ in READS])
def test_each_role_gets_exactly_these_answers(world, template, expected):
    got = {role: _get(world, role, template).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize("template,expected", READS, ids=[path for path, _ in READS])
def test_no_answer_outside_the_conduct_role_holds_a_complaint(world, template, expected):
    """Whatever the page, the API or the export: not a word of either complaint, not the
    sender's number, not the member's name, for anyone but conduct staff."""
    secrets = [SECRET, TYPED_WORD, KAVIRA_PHONE, KAVIRA_PHONE[-9:], MEMBER_NAME, MEMBER_PHONE]
    secrets = [word for word in secrets if word not in template]  # a search box shows its query
    for role in ROLES:
        if role == CD:
            continue
        body = _body(world, role, template)
        assert [word for word in secrets if word in body] == [], role


@pytest.mark.parametrize("template,shown_to", STUB_SHOWN, ids=[p for p, _ in STUB_SHOWN])
def test_the_stub_is_what_the_others_see(world, template, shown_to):
    seen = set()
    for role in ROLES:
        body = _body(world, role, template)
        if STUB_EN in body and STUB_FR in body:
            seen.add(role)
    assert seen == shown_to


@pytest.mark.parametrize("template,shown_to", COMPLAINT_SHOWN, ids=[p for p, _ in COMPLAINT_SHOWN])
def test_only_conduct_staff_read_the_complaint(world, template, shown_to):
    seen = set()
    for role in ROLES:
        body = _body(world, role, template)
        if SECRET in body or TYPED_WORD in body:
            seen.add(role)
    assert seen == shown_to


def test_the_stub_keeps_the_priority_and_the_territory_for_the_analysts(world):
    stub = world["stub"]
    body = _client(world, A).get(f"/api/v1/alerts/{stub.pk}/").json()
    assert body["priority"] == world["routed"].priority and body["priority"] is not None
    assert body["location_name"] == "Beni"
    assert (body["reporter"], body["sender_known"]) == (None, False)
    assert body["text"] == f"{STUB_FR}. — {STUB_EN}."


def test_the_search_finds_the_ordinary_alert_but_never_the_complaint(world):
    def found(q):
        return {
            row["id"] for row in _client(world, S).get(f"/api/v1/alerts/?q={q}").json()["results"]
        }

    assert found("tire") == {world["plain"].pk}
    assert found(SECRET) == set()
    assert found("casques") == set()


def test_every_opening_is_recorded_and_shown_to_conduct_staff(world):
    routed = world["routed"]
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    for role in (ROOT, S, A):
        _get(world, role, f"/conduct/{routed.pk}/")  # refused: nothing recorded
    assert not ComplaintView.objects.exists()
    _get(world, CD, f"/conduct/{routed.pk}/")
    _get(world, CD, f"/conduct/{routed.pk}/")
    views = list(
        ComplaintView.objects.filter(complaint=routed).values_list("user__username", "what")
    )
    assert views == [("cd", "detail"), ("cd", "detail")]
    other.force_login(world[CD])
    body = other.get(f"/conduct/{routed.pk}/").content.decode()
    assert "Who read it" in body and body.count("Opened the complaint") == 3
    assert ComplaintView.objects.filter(complaint=world["typed"]).count() == 0


def test_the_admin_index_does_not_offer_complaints(world):
    body = _get(world, ROOT, "/admin/").content.decode()
    assert "/admin/conduct/" not in body
    assert Alert.objects.count() == 2


def test_a_reply_to_the_stub_is_refused_plainly_it_has_nobody_to_reach(world):
    stub = world["stub"]
    response = _client(world, S).post(
        f"/api/v1/alerts/{stub.pk}/replies/", {"body": "Pouvez-vous nous rappeler ?"}
    )
    assert response.status_code == 400
    assert not stub.messages.filter(direction="outbound").exists()
