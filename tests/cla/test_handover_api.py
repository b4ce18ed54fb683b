"""/api/v1/cla-handovers/: hand a CLA's work to a successor and read the history, for
supervisors and admins only (the answers per role are written out by hand)."""

import uuid

import pytest

from cla.models import CLAHandover, FollowUp
from lpc.models import LPC
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cla-handovers/"
ROLES = ("admin", "supervisor", "analyst", "cla", "viewer", "conduct")


@pytest.fixture
def api_en(api):
    """An API client whose answers are in English, as this file's assertions are."""

    def as_user(user):
        client = api(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return as_user


def body(world, **overrides) -> dict:
    return {
        "from_cla": world["kavira"].pk,
        "to_cla": world["ngabo"].pk,
        "note": "Kavira part à Bunia.",
    } | overrides


# (role, status of POST, status of GET list), typed in.
ANSWERS = [
    ("admin", 201, 200),
    ("supervisor", 201, 200),
    ("analyst", 403, 403),
    ("cla", 403, 403),
    ("viewer", 403, 403),
    ("conduct", 403, 403),
]


@pytest.mark.parametrize(("role", "post", "get"), ANSWERS)
def test_only_supervisors_and_admins_hand_over_and_read_handovers(api, world, role, post, get):
    # The CLA asking is kavira herself: handing one's own work over is not for a CLA either.
    user = world["kavira"] if role == "cla" else UserFactory(role=role)
    client = api(user)
    assert client.post(URL, body(world), format="json").status_code == post
    assert client.get(URL).status_code == get
    assert LPC.objects.filter(cla=world["ngabo"]).exists() is (post == 201)


def test_without_a_token_nothing_is_answered(client, world):
    assert client.get(URL).status_code == 401
    assert client.post(URL, body(world), content_type="application/json").status_code == 401
    assert not CLAHandover.objects.exists()


def test_a_handover_answers_what_moved(api_en, world, gazetteer):
    client = api_en(world["sup"])
    response = client.post(URL, body(world), format="json")
    assert response.status_code == 201
    shown = response.json()
    assert shown["from_cla"] == world["kavira"].pk and shown["to_cla_username"] == "ngabo"
    assert shown["by_username"] == "sup" and shown["note"] == "Kavira part à Bunia."
    assert (shown["lpc_count"], shown["network_count"], shown["place_count"]) == (2, 1, 2)
    assert shown["follow_up_count"] == 1 and shown["follow_ups"] == [world["open"].pk]
    assert shown["lpcs"] == sorted([world["lpc_mbau"].pk, world["lpc_oicha"].pk])
    assert shown["base_given"] == gazetteer["Beni"].pk
    assert FollowUp.objects.get(pk=world["open"].pk).assigned_to == world["ngabo"]
    listed = client.get(URL, {"cla": world["ngabo"].pk}).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == shown["id"]
    assert client.get(URL, {"to_cla": world["kavira"].pk}).json()["count"] == 0
    assert client.get(f"{URL}{shown['id']}/").json()["note"] == "Kavira part à Bunia."


def test_the_same_key_twice_answers_the_stored_handover(api_en, world):
    client = api_en(world["sup"])
    key = str(uuid.uuid4())
    first = client.post(URL, body(world, idempotency_key=key), format="json")
    again = client.post(URL, body(world, idempotency_key=key), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    # Without a key, sending again finds nothing left to move.
    refused = client.post(URL, body(world), format="json")
    assert refused.status_code == 400
    assert "nothing left to hand over" in refused.json()["non_field_errors"][0]
    assert CLAHandover.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"to_cla": "kavira"}, "to_cla", "cannot hand their work over to themselves"),
        ({"to_cla": "analyst"}, "to_cla", "is not a CLA"),
        ({"to_cla": "closed"}, "to_cla", "account is closed"),
        ({"to_cla": 987654321}, "to_cla", "does not exist"),
        ({"to_cla": 2**70}, "to_cla", "does not exist"),
        ({"to_cla": "x"}, "to_cla", "Incorrect type"),
        ({"from_cla": None}, "from_cla", "may not be null"),
        ({"note": "x" * 2001}, "note", "no more than 2000 characters"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key", "valid UUID"),
    ],
)
def test_wrong_handovers_get_a_400_that_says_why(api_en, world, change, field, words):
    people = {
        "kavira": world["kavira"].pk,
        "analyst": UserFactory(role="analyst").pk,
        "closed": UserFactory(role="cla", is_active=False).pk,
    }
    change = {k: people.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    client = api_en(world["sup"])
    response = client.post(URL, body(world, **change), format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not CLAHandover.objects.exists()
    assert LPC.objects.filter(cla=world["kavira"]).count() == 2


def test_the_field_visits_api_says_who_holds_a_follow_up(api_en, world):
    client = api_en(world["sup"])
    client.post(URL, body(world), format="json")
    visit = client.get(f"/api/v1/field-visits/{world['visit'].pk}/").json()
    holders = {f["description"]: f["assigned_to"] for f in visit["follow_ups"]}
    assert holders == {"Apporter des cartes SIM": world["ngabo"].pk, "Revoir le chef": None}
