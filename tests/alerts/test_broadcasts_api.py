"""The broadcasts API under /api/v1/broadcasts/: roles, drafts, preview, send, cancel, progress."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Broadcast, Message
from alerts.services import broadcast_fan_out, broadcast_recipient_send, message_deliver
from tests.alerts.broadcast_support import TEXTS, draft, make_roster
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(db):
    return make_roster()


URL = "/api/v1/broadcasts/"


@pytest.fixture
def api():
    def as_role(role: str) -> APIClient:
        user = UserFactory(username=f"{role}-user", role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.user = user
        return client

    return as_role


def body(roster, **changes) -> dict:
    data = {
        "title": "Alerte Beni et Lubero",
        "texts": dict(TEXTS),
        "locations": [roster.beni.pk, roster.lubero.pk],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_create_a_draft(api, roster, role):
    response = api(role).post(URL, body(roster), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and data["texts"]["sw"] == TEXTS["sw"]
    assert data["locations"] == sorted([roster.beni.pk, roster.lubero.pk])
    assert data["created_by"] == f"{role}-user"
    assert Message.objects.count() == 0  # a draft sends nothing


@pytest.mark.parametrize("role", ["analyst", "viewer", "cla"])
def test_other_roles_may_not_create_preview_send_or_cancel(api, roster, role):
    client = api(role)
    broadcast = draft(UserFactory(username="boss", role="supervisor"), places=[roster.beni])
    assert client.post(URL, body(roster), format="json").status_code == 403
    assert client.post(f"{URL}preview/", body(roster), format="json").status_code == 403
    assert client.post(f"{URL}{broadcast.pk}/send/").status_code == 403
    assert client.post(f"{URL}{broadcast.pk}/cancel/").status_code == 403
    assert Broadcast.objects.get().status == "draft"


def test_analysts_read_and_viewers_see_nothing(api, roster):
    broadcast = draft(UserFactory(username="boss", role="supervisor"), places=[roster.beni])
    analyst = api("analyst")
    assert analyst.get(URL).json()["count"] == 1
    assert analyst.get(f"{URL}{broadcast.pk}/").status_code == 200
    assert analyst.get(f"{URL}{broadcast.pk}/recipients/").status_code == 200
    viewer = api("viewer")
    assert viewer.get(URL).status_code == 403
    assert viewer.get(f"{URL}{broadcast.pk}/").status_code == 403
    assert viewer.get(f"{URL}{broadcast.pk}/recipients/").status_code == 403
    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"texts": {"sw": "Tahadhari"}}, "texts"),
        ({"texts": {"fr": "x" * 1601}}, "texts"),
        ({"texts": "Alerte"}, "texts"),
        ({"locations": []}, "networks"),  # nothing selected
        ({"networks": [424242]}, "networks"),
        ({"locations": ["Beni"]}, "locations"),
        ({"locations": [2**63]}, "locations"),
        ({"focal_points": [0]}, "focal_points"),
        ({"focal_points": 7}, "focal_points"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, roster, changes, field):
    client = api("supervisor")
    for path in (URL, f"{URL}preview/"):
        response = client.post(path, body(roster, **changes), format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
    assert not Broadcast.objects.exists()


def test_a_missing_french_text_is_named_under_texts(api, roster):
    response = api("supervisor").post(URL, body(roster, texts={"fr": "  "}), format="json")
    assert response.status_code == 400 and "fr" in response.json()["texts"]


def test_preview_counts_recipients_exclusions_and_segments_without_saving(api, roster):
    type(roster.people["chance"]).objects.filter(pk=roster.people["chance"].pk).update(active=False)
    response = api("supervisor").post(f"{URL}preview/", body(roster), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["selected"], data["recipients"]) == (4, 3)
    assert data["excluded"] == {"opted_out": 0, "opt_out_list": 0, "inactive": 1}
    ln = next(row for row in data["languages"] if row["language"] == "ln")
    assert (ln["recipients"], ln["text_language"]) == (0, "fr")
    assert data["segments"] == 3 and data["seconds"] == 3
    assert not Broadcast.objects.exists()


def test_a_draft_can_be_previewed_by_readers(api, roster):
    broadcast = draft(UserFactory(username="boss", role="supervisor"), places=[roster.lubero])
    response = api("analyst").get(f"{URL}{broadcast.pk}/preview/")
    assert response.status_code == 200 and response.json()["recipients"] == 2


def test_send_starts_a_draft_once_and_cancel_stops_it(api, roster):
    client = api("supervisor")
    created = client.post(URL, body(roster), format="json").json()
    sent = client.post(f"{URL}{created['id']}/send/")
    assert sent.status_code == 202 and sent.json()["status"] == "sending"
    again = client.post(f"{URL}{created['id']}/send/")
    assert again.status_code == 400 and "detail" in again.json()
    cancelled = client.post(f"{URL}{created['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"{URL}{created['id']}/cancel/").status_code == 400
    assert client.post(f"{URL}999999/send/").status_code == 404
    for path in (f"{2**64}/", "abc/", f"{2**64}/recipients/", f"{2**64}/preview/"):
        assert client.get(f"{URL}{path}").status_code == 404


def test_progress_shows_counts_and_each_recipient_with_their_status(api, roster, settings):
    settings.SMS_BACKEND = "locmem"
    client = api("supervisor")
    created = client.post(URL, body(roster), format="json").json()
    client.post(f"{URL}{created['id']}/send/")
    broadcast_fan_out(broadcast_id=created["id"])
    broadcast = Broadcast.objects.get(pk=created["id"])
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    message_deliver(message_id=Message.objects.filter(kind="broadcast").first().pk)
    listed = client.get(URL).json()["results"][0]
    assert listed["status"] == "done" and listed["recipient_count"] == 4
    assert listed["counts"]["queued"] == 1 and listed["counts"]["pending"] == 3
    recipients = client.get(f"{URL}{created['id']}/recipients/").json()
    assert recipients["count"] == 4
    phones = {row["phone"] for row in recipients["results"]}
    assert phones == {person.phone for person in roster.people.values()}
    queued = client.get(f"{URL}{created['id']}/recipients/?status=queued").json()
    assert queued["count"] == 1 and queued["results"][0]["status"] == "queued"
    assert client.get(f"{URL}{created['id']}/recipients/?status=lost").status_code == 400
    assert client.get(f"{URL}?status=sending").json()["count"] == 0
    assert client.get(f"{URL}?status=nonsense").status_code == 400
