"""The complaints API, written out by hand: role × endpoint → status. Only `cd` (the conduct
role) reads complaints; everybody else, admins and supervisors included, gets 403 for the list
and 404 for a complaint, and never a word of one. Every read by conduct staff is recorded.

The world (tests/conduct/conftest.py): `routed` is the complaint triage took from Kavira's SMS
(its stub stays in the alerts), `typed` one conduct staff entered with a CBCM member."""

import pytest
from django.test import Client

from conduct.models import Complaint, ComplaintListRead, ComplaintView
from conduct.services import complaint_create, member_create
from tests.conduct.conftest import COMPLAINT, KAVIRA_PHONE, SECRET, sms_triaged

pytestmark = pytest.mark.django_db

ROLES = ("ana", "roaming", "beni_cla", "sup", "root", "vee", "cd", "anonymous")
A, R, C, S, ROOT, V, CD, ANON = ROLES
TYPED = "Un militaire du contingent a frappé et abusé de Neema au marché"
TYPED_WORD = "Neema"
MEMBER_NAME = "Furaha Zawadi"
MEMBER_PHONE = "+243992000009"
MASKED_KAVIRA = "+243 ••• ••• 001"
STUB_EN = "A confidential report was received from Beni"

# (path, {role: status}). Names in braces become ids; {missing} is an id no complaint has.
ENDPOINTS = [
    (
        "/api/v1/complaints/",
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 401},
    ),
    (
        "/api/v1/complaints/?status=received&page_size=1",
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 401},
    ),
    (
        "/api/v1/complaints/?status=nonsense",
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 400, ANON: 401},
    ),
    (
        "/api/v1/complaints/{routed}/",
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 200, ANON: 401},
    ),
    (
        "/api/v1/complaints/{typed}/",
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 200, ANON: 401},
    ),
    (
        "/api/v1/complaints/{missing}/",
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 404, ANON: 401},
    ),
]
SECRETS = [SECRET, "violé", TYPED_WORD, KAVIRA_PHONE, KAVIRA_PHONE[-9:], MEMBER_NAME, MEMBER_PHONE]


@pytest.fixture
def world(client, people, kavira, places):
    stub = sms_triaged(client, COMPLAINT)
    member = member_create(name=MEMBER_NAME, phone=MEMBER_PHONE, location=places["mbau"])
    typed = complaint_create(
        text=TYPED,
        source="form",
        by=people["cd"],
        member=member,
        location=places["mbau"],
        sender=MEMBER_PHONE,
    )
    routed = Complaint.objects.get(stub_alert_id=stub.pk)
    return {**people, "stub": stub, "routed": routed, "typed": typed, "member": member}


def _path(template: str, world) -> str:
    ids = {name: getattr(obj, "pk", None) for name, obj in world.items()}
    return template.format(missing=world["typed"].pk + 1000, **ids)


def _get(api, world, role: str, template: str):
    return api(None if role == ANON else world[role]).get(_path(template, world))


@pytest.mark.parametrize("template,expected", ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_each_role_gets_exactly_these_answers(api, world, template, expected):
    got = {role: _get(api, world, role, template).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize("template,expected", ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_a_signed_in_session_gets_the_same_answers(world, template, expected):
    """The pages' session works on the API too, and is refused the same way."""
    got = {}
    for role in ROLES:
        client = Client()
        if role != ANON:
            client.force_login(world[role])
        got[role] = client.get(_path(template, world)).status_code
    assert got == expected


@pytest.mark.parametrize("template,expected", ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_no_answer_outside_the_conduct_role_holds_a_complaint(api, world, template, expected):
    for role in ROLES:
        if role == CD:
            continue
        body = _get(api, world, role, template).content.decode(errors="replace")
        assert [word for word in SECRETS if word in body] == [], role
        assert world["routed"].reference not in body and world["typed"].reference not in body


def test_others_leave_no_trace_and_read_nothing(api, world):
    for role in (A, R, C, S, ROOT, V, ANON):
        for template, _ in ENDPOINTS:
            _get(api, world, role, template)
    assert not ComplaintView.objects.exists()
    assert not ComplaintListRead.objects.exists()


def test_conduct_staff_read_a_complaint_with_the_number_masked(api, world):
    routed = api(world[CD]).get(f"/api/v1/complaints/{world['routed'].pk}/").json()
    assert routed["text"] == COMPLAINT
    assert routed["sender"] == MASKED_KAVIRA
    assert routed["reference"] == world["routed"].reference
    assert (routed["source"], routed["location_name"], routed["member_name"]) == (
        "sms_triage",
        "Mbau",
        None,
    )
    typed = api(world[CD]).get(f"/api/v1/complaints/{world['typed'].pk}/")
    body = typed.content.decode()
    assert typed.json()["text"] == TYPED and typed.json()["member_name"] == MEMBER_NAME
    assert typed.json()["sender"] == "+243 ••• ••• 009"
    assert MEMBER_PHONE not in body and MEMBER_PHONE[-9:] not in body


def test_the_list_gives_references_not_texts_nor_numbers(api, world):
    body = api(world[CD]).get("/api/v1/complaints/")
    rows = body.json()["results"]
    assert {row["reference"] for row in rows} == {
        world["routed"].reference,
        world["typed"].reference,
    }
    assert body.json()["count"] == 2
    text = body.content.decode()
    assert [word for word in SECRETS if word in text] == []
    assert all("text" not in row and "sender" not in row for row in rows)


def test_each_reading_of_a_complaint_is_in_its_own_trail_as_from_its_page(api, world):
    routed = world["routed"]
    api(world[CD]).get(f"/api/v1/complaints/{routed.pk}/")
    api(world[CD]).get(f"/api/v1/complaints/{routed.pk}/")
    Client().get(f"/conduct/{routed.pk}/")  # anonymous: sent to the login, nothing recorded
    trail = list(routed.views.values_list("user__username", "what"))
    assert trail == [("cd", "detail"), ("cd", "detail")]
    assert not world["typed"].views.exists()
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(world[CD])
    body = page.get(f"/conduct/{routed.pk}/").content.decode()
    assert body.count("Opened the complaint") == 3  # two through the API, this page


def test_a_list_read_is_one_entry_naming_the_complaints_it_gave(api, world):
    cd = api(world[CD])
    cd.get("/api/v1/complaints/")
    first = cd.get("/api/v1/complaints/?page_size=1").json()["results"]
    cd.get("/api/v1/complaints/?status=closed")
    reads = list(ComplaintListRead.objects.order_by("pk"))
    assert len(reads) == 3
    assert all(read.user == world[CD] for read in reads)
    named = [{c.reference for c in read.complaints.all()} for read in reads]
    assert named == [
        {world["routed"].reference, world["typed"].reference},
        {first[0]["reference"]},
        set(),
    ]
    assert set(world["routed"].list_reads.all()) == {reads[0]} | (
        {reads[1]} if first[0]["reference"] == world["routed"].reference else set()
    )
    assert not ComplaintView.objects.exists()  # a list opens no complaint


def test_the_stub_stays_in_the_alerts_api_as_it_was(api, world):
    rows = api(world[A]).get("/api/v1/alerts/").json()["results"]
    stub = next(row for row in rows if row["id"] == world["stub"].pk)
    assert STUB_EN in stub["text"] and SECRET not in stub["text"]
    assert api(world[CD]).get(f"/api/v1/alerts/{world['stub'].pk}/").status_code == 404


def test_a_complaint_is_changed_only_through_its_status_and_never_deleted(api, world):
    """Conduct staff enter complaints and set their status (tests/conduct/test_api_writes.py);
    the API names no capability for changing or deleting one, so nobody may."""
    cd = api(world[CD])
    path = f"/api/v1/complaints/{world['routed'].pk}/"
    assert cd.patch(path, {"status": "closed"}).status_code == 403
    assert cd.put(path, {"status": "closed"}).status_code == 403
    assert cd.delete(path).status_code == 403
    assert Complaint.objects.count() == 2
    world["routed"].refresh_from_db()
    assert world["routed"].status == "received"
