"""Entering complaints, setting their status and keeping the CBCM members' registry through the
API, as the pages do. Who may do what, written out by hand: role × endpoint → status. Conduct
staff (`cd`) do everything; a CLA (`beni_cla`) enters a complaint and gets its reference back,
as from the form; everybody else, admins and supervisors included, is refused: 403 for a list
or a new complaint or member, 404 for a complaint or a member (an id tells nothing).

The world (tests/conduct/conftest.py): `typed` is a complaint conduct staff entered, `member`
an active CBCM member, `former` an inactive one; Beni's territory holds the village Mbau, in
the province Nord-Kivu."""

import pytest
from django.db import connection
from django.test import Client

from alerts.models import Alert, Message
from conduct.models import CbcmMember, Complaint, ComplaintListRead, ComplaintView
from conduct.services import complaint_create, member_create
from core.crypto import lookup_hash
from tests.factories import ProvinceFactory
from tests.test_no_cleartext_identity import readable

pytestmark = pytest.mark.django_db

ROLES = ("ana", "roaming", "beni_cla", "sup", "root", "vee", "cd", "anonymous")
A, R, C, S, ROOT, V, CD, ANON = ROLES
OTHERS = (A, R, S, ROOT, V)  # neither conduct staff nor CLAs

SECRET = "Amisi"
NEW_TEXT = f"Un soldat du contingent a exigé du sexe de {SECRET} contre de la nourriture"
TYPED = "Un militaire du contingent a frappé et abusé de Neema au marché"
MEMBER_NAME, MEMBER_PHONE = "Furaha Zawadi", "+243992000009"
FORMER_NAME = "Baraka Mumbere"
NEW_NAME, NEW_PHONE_TYPED, NEW_PHONE = "Neema Kasereka", "0992 000 020", "+243992000020"


@pytest.fixture
def world(people, places):
    member = member_create(name=MEMBER_NAME, phone=MEMBER_PHONE, location=places["mbau"])
    former = member_create(name=FORMER_NAME, location=places["mbau"], active=False)
    typed = complaint_create(
        text=TYPED, source="form", by=people["cd"], member=member, location=places["mbau"]
    )
    province = ProvinceFactory(name="Nord-Kivu")
    places["beni"].parent = province
    places["beni"].save()
    return {
        **people,
        **places,
        "province": province,
        "member": member,
        "former": former,
        "typed": typed,
    }


def _ids(world) -> dict:
    ids = {name: obj.pk for name, obj in world.items()}
    return {**ids, "missing": world["typed"].pk + world["member"].pk + 1000}


def _fill(value, world):
    """'{mbau}' -> Mbau's id, in a path or a body."""
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return _ids(world)[value[1:-1]]
    if isinstance(value, str):
        return value.format(**_ids(world))
    return value


def _call(api, world, role: str, method: str, template: str, body=None):
    client = api(None if role == ANON else world[role])
    return getattr(client, method)(_fill(template, world), _fill(body or {}, world), format="json")


NEW_COMPLAINT = {"text": NEW_TEXT, "location": "{mbau}"}
NEW_MEMBER = {"name": NEW_NAME, "phone": NEW_PHONE_TYPED, "gender": "female", "location": "{mbau}"}

# (method, path, body, {role: status}). Names in braces become ids.
ENDPOINTS = [
    (
        "post",
        "/api/v1/complaints/",
        NEW_COMPLAINT,
        {A: 403, R: 403, C: 201, S: 403, ROOT: 403, V: 403, CD: 201, ANON: 401},
    ),
    (
        "post",
        "/api/v1/complaints/{typed}/status/",
        {"status": "referred"},
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 200, ANON: 401},
    ),
    (
        "post",
        "/api/v1/complaints/{missing}/status/",
        {"status": "referred"},
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 404, ANON: 401},
    ),
    (
        "get",
        "/api/v1/complaints/{typed}/status/",
        None,
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 405, ANON: 401},
    ),
    (
        "patch",
        "/api/v1/complaints/{typed}/",
        {"status": "closed"},
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 403, ANON: 401},
    ),
    (
        "delete",
        "/api/v1/complaints/{typed}/",
        None,
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 403, ANON: 401},
    ),
    (
        "get",
        "/api/v1/cbcm-members/",
        None,
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 401},
    ),
    (
        "get",
        "/api/v1/cbcm-members/?active=false",
        None,
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 200, ANON: 401},
    ),
    (
        "post",
        "/api/v1/cbcm-members/",
        NEW_MEMBER,
        {A: 403, R: 403, C: 403, S: 403, ROOT: 403, V: 403, CD: 201, ANON: 401},
    ),
    (
        "get",
        "/api/v1/cbcm-members/{member}/",
        None,
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 200, ANON: 401},
    ),
    (
        "get",
        "/api/v1/cbcm-members/{missing}/",
        None,
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 404, ANON: 401},
    ),
    (
        "patch",
        "/api/v1/cbcm-members/{member}/",
        {"elected_on": "2026-10-03"},
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 200, ANON: 401},
    ),
    (
        "patch",
        "/api/v1/cbcm-members/{missing}/",
        {"elected_on": "2026-10-03"},
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 404, ANON: 401},
    ),
    (
        "put",
        "/api/v1/cbcm-members/{member}/",
        NEW_MEMBER,
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 403, ANON: 401},
    ),
    (
        "delete",
        "/api/v1/cbcm-members/{member}/",
        None,
        {A: 404, R: 404, C: 404, S: 404, ROOT: 404, V: 404, CD: 403, ANON: 401},
    ),
]
IDS = [f"{method} {path}" for method, path, _, _ in ENDPOINTS]
# What none but conduct staff may ever read in an answer.
SECRETS = [SECRET, "Neema", MEMBER_NAME, MEMBER_PHONE, MEMBER_PHONE[-9:], FORMER_NAME, NEW_NAME]


@pytest.mark.parametrize("method,template,body,expected", ENDPOINTS, ids=IDS)
def test_each_role_gets_exactly_these_answers(api, world, method, template, body, expected):
    got = {role: _call(api, world, role, method, template, body).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize("method,template,body,expected", ENDPOINTS, ids=IDS)
def test_a_signed_in_session_gets_the_same_answers(world, method, template, body, expected):
    """The pages' session works on the API too (with its CSRF token), refused the same way."""
    got = {}
    for role in ROLES:
        client = Client()
        if role != ANON:
            client.force_login(world[role])
        call = getattr(client, method)
        path, data = _fill(template, world), _fill(body or {}, world)
        got[role] = call(path, data, content_type="application/json").status_code
    assert got == expected


@pytest.mark.parametrize("method,template,body,expected", ENDPOINTS, ids=IDS)
def test_no_answer_outside_the_conduct_role_holds_a_complaint_or_a_name(
    api, world, method, template, body, expected
):
    for role in ROLES:
        if role == CD:
            continue
        answer = _call(api, world, role, method, template, body).content.decode()
        assert [word for word in SECRETS if word in answer] == [], role
        assert world["typed"].reference not in answer, role


def test_refused_writes_change_nothing_and_leave_no_trace(api, world):
    member = world["member"]
    for role in (*OTHERS, ANON):
        for method, template, body, _ in ENDPOINTS:
            _call(api, world, role, method, template, body)
    assert list(Complaint.objects.all()) == [world["typed"]]
    world["typed"].refresh_from_db()
    assert world["typed"].status == "received"
    assert CbcmMember.objects.count() == 2
    member.refresh_from_db()
    assert (member.name, member.phone, member.elected_on) == (MEMBER_NAME, MEMBER_PHONE, None)
    assert not ComplaintView.objects.exists() and not ComplaintListRead.objects.exists()


# --- Complaints -----------------------------------------------------------------------------------
def test_conduct_staff_enter_a_complaint_and_then_read_it(api, world):
    cd = api(world[CD])
    body = {**_fill(NEW_COMPLAINT, world), "member": world["member"].pk}
    answer = cd.post("/api/v1/complaints/", body, format="json")
    assert answer.status_code == 201
    created = answer.json()
    complaint = Complaint.objects.get(pk=created["id"])
    assert (created["text"], created["member_name"], created["location_name"]) == (
        NEW_TEXT,
        MEMBER_NAME,
        "Mbau",
    )
    assert (created["reference"], created["status"], created["source"]) == (
        complaint.reference,
        "received",
        "form",
    )
    assert (complaint.text, complaint.created_by, complaint.member, complaint.location) == (
        NEW_TEXT,
        world[CD],
        world["member"],
        world["mbau"],
    )
    assert not complaint.views.exists()  # the form's path records no reading either
    listed = cd.get("/api/v1/complaints/").json()["results"]
    assert [row["reference"] for row in listed][0] == complaint.reference
    assert cd.get(f"/api/v1/complaints/{complaint.pk}/").json()["text"] == NEW_TEXT
    assert list(complaint.views.values_list("user__username", "what")) == [("cd", "detail")]


def test_a_cla_gets_the_reference_and_never_the_text_as_from_the_form(api, world):
    cla = api(world[C])
    answer = cla.post("/api/v1/complaints/", _fill(NEW_COMPLAINT, world), format="json")
    assert answer.status_code == 201
    complaint = Complaint.objects.get(created_by=world[C])
    assert set(answer.json()) == {"reference", "received_at", "message"}
    assert answer.json()["reference"] == complaint.reference
    assert complaint.reference in answer.json()["message"]
    assert SECRET not in answer.content.decode()
    assert cla.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert cla.get("/api/v1/complaints/").status_code == 403


def test_the_answer_speaks_french_first(api, world):
    cla = api(world[C])
    answer = cla.post(
        "/api/v1/complaints/",
        _fill(NEW_COMPLAINT, world),
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "reçue ; seul le personnel de conduite et discipline la lit" in answer.json()["message"]
    refused = cla.post(
        "/api/v1/complaints/",
        {**_fill(NEW_COMPLAINT, world), "member": world["member"].pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refused.json()["member"] == [
        "Seul le personnel de conduite et discipline indique le membre CBCM qui a apporté une "
        "plainte."
    ]


def test_the_api_makes_exactly_what_the_form_makes_and_no_alert(api, world, client):
    """The same complaint entered by a CLA from the form and through the API: the same rows,
    no alert, no message, no stub; nothing in the analysts' queue or API."""
    page = Client()
    page.force_login(world[C])
    form = page.post("/conduct/new/", {"text": NEW_TEXT, "location": world["mbau"].pk})
    assert form.status_code == 302
    answer = api(world[C]).post("/api/v1/complaints/", _fill(NEW_COMPLAINT, world), format="json")
    assert answer.status_code == 201
    from_form, from_api = Complaint.objects.filter(created_by=world[C]).order_by("pk")

    def kept(complaint):
        return (
            complaint.text,
            complaint.source,
            complaint.status,
            complaint.location,
            complaint.member,
            complaint.sender,
            complaint.reporter_id,
            complaint.stub_alert_id,
            complaint.priority,
            complaint.categories,
            complaint.created_by,
        )

    assert kept(from_api) == kept(from_form)
    assert not from_api.views.exists() and not from_form.views.exists()
    assert (Alert.objects.count(), Message.objects.count()) == (0, 0)
    for role in (A, R, S, ROOT, V):
        queue = Client(HTTP_ACCEPT_LANGUAGE="en")
        queue.force_login(world[role])
        assert SECRET not in queue.get("/dashboard/").content.decode(), role
        alerts = api(world[role]).get("/api/v1/alerts/")
        assert alerts.json()["count"] == 0, role
        assert api(world[role]).get(f"/api/v1/alerts/?q={SECRET}").json()["count"] == 0, role


@pytest.mark.parametrize(
    "body,field",
    [
        ({"text": "   ", "location": "{mbau}"}, "text"),
        ({"text": "x" * 5001, "location": "{mbau}"}, "text"),
        ({"location": "{mbau}"}, "text"),
        ({"text": NEW_TEXT}, "location"),
        ({"text": NEW_TEXT, "location": "{province}"}, "location"),
        ({"text": NEW_TEXT, "location": "{missing}"}, "location"),
        ({"text": NEW_TEXT, "location": 2**70}, "location"),
        ({"text": NEW_TEXT, "location": "Mbau"}, "location"),
        ({"text": NEW_TEXT, "location": True}, "location"),
        ({"text": NEW_TEXT, "location": "{mbau}", "member": "{former}"}, "member"),
        ({"text": NEW_TEXT, "location": "{mbau}", "member": "{missing}"}, "member"),
        ({"text": ["a", "list"], "location": "{mbau}"}, "text"),
    ],
)
def test_a_bad_complaint_gets_400_naming_the_field_and_nothing_is_stored(api, world, body, field):
    answer = api(world[CD]).post("/api/v1/complaints/", _fill(body, world), format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert list(Complaint.objects.all()) == [world["typed"]]


def test_a_blank_complaint_is_refused_with_the_forms_words(api, world):
    body = _fill({"text": "  ", "location": "{mbau}"}, world)
    for language, words in (("fr", "Écrivez la plainte."), ("en", "Write the complaint.")):
        answer = api(world[CD]).post(
            "/api/v1/complaints/", body, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert answer.json() == {"text": [words]}


def test_a_cla_names_no_member_the_registry_is_not_hers(api, world):
    for member in ("{member}", "{former}", "{missing}"):
        body = _fill({**NEW_COMPLAINT, "member": member}, world)
        answer = api(world[C]).post(
            "/api/v1/complaints/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert answer.status_code == 400
        assert answer.json() == {
            "member": [
                "Only conduct and discipline staff name the CBCM member who brought a complaint."
            ]
        }
    assert not Complaint.objects.filter(created_by=world[C]).exists()
    body = _fill({**NEW_COMPLAINT, "member": None}, world)
    assert api(world[C]).post("/api/v1/complaints/", body, format="json").status_code == 201


def test_conduct_staff_set_the_status_and_it_is_recorded_as_from_the_page(api, world):
    typed, cd = world["typed"], api(world[CD])
    answer = cd.post(f"/api/v1/complaints/{typed.pk}/status/", {"status": "referred"})
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["reference"]) == ("referred", typed.reference)
    assert "text" not in answer.json() and "Neema" not in answer.content.decode()
    typed.refresh_from_db()
    assert typed.status == "referred"
    assert list(typed.views.values_list("user__username", "what")) == [("cd", "status")]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(world[CD])
    assert "Changed its status" in page.get(f"/conduct/{typed.pk}/").content.decode()


@pytest.mark.parametrize("body", [{"status": "nonsense"}, {}, {"status": ""}, {"status": 3}])
def test_an_unknown_status_is_refused_and_nothing_recorded(api, world, body):
    typed = world["typed"]
    answer = api(world[CD]).post(f"/api/v1/complaints/{typed.pk}/status/", body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["status"]
    typed.refresh_from_db()
    assert typed.status == "received"
    assert not typed.views.exists()


def test_every_status_the_page_offers_can_be_set(api, world):
    typed = world["typed"]
    for value in ("under_review", "referred", "closed", "received"):
        answer = api(world[CD]).post(f"/api/v1/complaints/{typed.pk}/status/", {"status": value})
        assert answer.status_code == 200
        typed.refresh_from_db()
        assert typed.status == value
    assert typed.views.filter(what="status").count() == 4


# --- The CBCM members' registry -------------------------------------------------------------------
def _stored_members() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM conduct_cbcmmember")
        return " ".join(value for row in cursor.fetchall() for value in row)


def test_conduct_staff_register_read_and_correct_members_encrypted_at_rest(api, world):
    cd = api(world[CD])
    body = _fill({**NEW_MEMBER, "elected_on": "2026-10-03"}, world)
    answer = cd.post("/api/v1/cbcm-members/", body, format="json")
    assert answer.status_code == 201
    created = answer.json()
    assert {key: created[key] for key in ("name", "phone", "gender", "location_name")} == {
        "name": NEW_NAME,
        "phone": NEW_PHONE,
        "gender": "female",
        "location_name": "Mbau",
    }
    assert (created["elected_on"], created["active"]) == ("2026-10-03", True)
    member = CbcmMember.objects.get(pk=created["id"])
    assert (member.name, member.phone, member.phone_hash) == (
        NEW_NAME,
        NEW_PHONE,
        lookup_hash(NEW_PHONE),
    )
    # Read back, names decrypted for conduct staff only.
    names = {row["name"] for row in cd.get("/api/v1/cbcm-members/").json()["results"]}
    assert names == {MEMBER_NAME, FORMER_NAME, NEW_NAME}
    inactive = cd.get("/api/v1/cbcm-members/?active=false").json()["results"]
    assert [row["name"] for row in inactive] == [FORMER_NAME]
    assert cd.get(f"/api/v1/cbcm-members/{member.pk}/").json()["name"] == NEW_NAME
    # Corrected: only what is given changes.
    answer = cd.patch(
        f"/api/v1/cbcm-members/{member.pk}/",
        {"name": "Neema K. Kasereka", "location": world["beni"].pk},
        format="json",
    )
    assert answer.status_code == 200
    member.refresh_from_db()
    assert (member.name, member.phone, member.location, member.gender, member.active) == (
        "Neema K. Kasereka",
        NEW_PHONE,
        world["beni"],
        "female",
        True,
    )
    assert str(member.elected_on) == "2026-10-03"
    answer = cd.patch(
        f"/api/v1/cbcm-members/{member.pk}/",
        {"phone": "+243 992 000 021", "active": False},
        format="json",
    )
    member.refresh_from_db()
    assert (member.phone, member.phone_hash, member.active) == (
        "+243992000021",
        lookup_hash("+243992000021"),
        False,
    )
    assert answer.json()["phone"] == "+243992000021"
    # Nobody's name nor number is in the database in clear.
    stored = _stored_members()
    assert "Neema" not in stored and "Kasereka" not in stored and "992000021" not in stored
    everyone = {
        "names": [MEMBER_NAME, FORMER_NAME, "Neema K. Kasereka"],
        "numbers": [MEMBER_PHONE, NEW_PHONE, "+243992000021"],
    }
    assert readable(everyone) == []
    # Marked inactive: no longer offered for a complaint, and the pages show the change.
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(world[CD])
    assert "Neema K. Kasereka" in page.get("/conduct/members/").content.decode()
    assert "Neema K. Kasereka" not in page.get("/conduct/new/").content.decode()


def test_a_member_is_cleared_of_their_number_by_an_empty_one(api, world):
    member = world["member"]
    answer = api(world[CD]).patch(
        f"/api/v1/cbcm-members/{member.pk}/", {"phone": ""}, format="json"
    )
    assert answer.status_code == 200
    member.refresh_from_db()
    assert (member.phone, member.phone_hash, member.name) == ("", "", MEMBER_NAME)


def test_an_inactive_member_cannot_be_named_on_a_new_complaint(api, world):
    cd = api(world[CD])
    member = world["member"]
    assert cd.patch(f"/api/v1/cbcm-members/{member.pk}/", {"active": False}).status_code == 200
    body = _fill({**NEW_COMPLAINT, "member": member.pk}, world)
    assert cd.post("/api/v1/complaints/", body, format="json").status_code == 400
    member.refresh_from_db()
    assert list(member.complaints.all()) == [world["typed"]]  # kept linked


@pytest.mark.parametrize(
    "body,field",
    [
        ({**NEW_MEMBER, "phone": "12"}, "phone"),
        ({**NEW_MEMBER, "phone": "+243 99"}, "phone"),
        ({**NEW_MEMBER, "name": "  "}, "name"),
        ({**NEW_MEMBER, "name": "x" * 201}, "name"),
        ({key: v for key, v in NEW_MEMBER.items() if key != "name"}, "name"),
        ({key: v for key, v in NEW_MEMBER.items() if key != "gender"}, "gender"),
        ({**NEW_MEMBER, "gender": "nonsense"}, "gender"),
        ({key: v for key, v in NEW_MEMBER.items() if key != "location"}, "location"),
        ({**NEW_MEMBER, "location": "{province}"}, "location"),
        ({**NEW_MEMBER, "location": 2**70}, "location"),
        ({**NEW_MEMBER, "elected_on": "03/10/2026"}, "elected_on"),
        ({**NEW_MEMBER, "active": "maybe"}, "active"),
    ],
)
def test_a_bad_member_gets_400_naming_the_field_and_nothing_is_stored(api, world, body, field):
    answer = api(world[CD]).post("/api/v1/cbcm-members/", _fill(body, world), format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert CbcmMember.objects.count() == 2


def test_a_bad_number_is_refused_with_the_forms_message(api, world):
    member = world["member"]
    answer = api(world[CD]).patch(
        f"/api/v1/cbcm-members/{member.pk}/",
        {"phone": "12"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert answer.json() == {"phone": ["“12” is not a valid phone number for its country."]}
    member.refresh_from_db()
    assert member.phone == MEMBER_PHONE


def test_reading_the_registry_records_nothing_as_the_members_page(api, world):
    cd = api(world[CD])
    cd.get("/api/v1/cbcm-members/")
    cd.get(f"/api/v1/cbcm-members/{world['member'].pk}/")
    assert not ComplaintView.objects.exists() and not ComplaintListRead.objects.exists()
