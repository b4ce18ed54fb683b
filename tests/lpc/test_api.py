"""/api/v1/lpcs/, lpc-meetings/ and lpc-members/: lists, filters, writes and their errors."""

import datetime as dt

import pytest

from lpc.models import LPC, ActionPoint, LPCMeeting

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_it_lists_committees_paginated_with_their_counts(api, meeting, kitshanga):
    body = api("admin").get("/api/v1/lpcs/?page_size=1").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2 and body["next"]
    oicha = api("admin").get(f"/api/v1/lpcs/{meeting.lpc_id}/").json()
    assert oicha["place_names"] == ["Mbau", "Oicha"]
    assert (oicha["member_count"], oicha["meeting_count"], oicha["open_action_count"]) == (1, 1, 1)
    assert oicha["last_meeting_on"] == "2025-10-04"
    assert oicha["members"][0]["name"] == "Kavira Masika"


def test_it_filters_committees_by_status_kind_and_place(api, oicha, kitshanga, gazetteer):
    client = api("analyst")
    assert ids(client.get("/api/v1/lpcs/?status=dormant")) == [kitshanga.pk]
    assert ids(client.get("/api/v1/lpcs/?kind=mission")) == [oicha.pk]
    assert ids(client.get(f"/api/v1/lpcs/?place={gazetteer['mbau'].pk}")) == [oicha.pk]
    # A territory finds the committees of the places inside it.
    assert ids(client.get(f"/api/v1/lpcs/?place={gazetteer['masisi'].pk}")) == [kitshanga.pk]
    assert ids(client.get("/api/v1/lpcs/?q=oich")) == [oicha.pk]


@pytest.mark.parametrize(
    "query",
    ["status=asleep", "place=abc", f"place={2**64}", "place=0", "kind=x", "cla=-3"],
)
def test_bad_committee_filters_are_a_400(api, oicha, query):
    assert api("analyst").get(f"/api/v1/lpcs/?{query}").status_code == 400


def test_it_filters_meetings(api, meeting, kitshanga, gazetteer):
    other = LPCMeeting.objects.create(
        lpc=kitshanga, held_on=dt.date(2025, 3, 1), categories=["hate_speech"]
    )
    client = api("supervisor")
    assert ids(client.get(f"/api/v1/lpc-meetings/?lpc={kitshanga.pk}")) == [other.pk]
    assert ids(client.get("/api/v1/lpc-meetings/?date_after=2025-06-01")) == [meeting.pk]
    assert ids(client.get("/api/v1/lpc-meetings/?date_before=2025-06-01")) == [other.pk]
    assert ids(client.get("/api/v1/lpc-meetings/?category=hate_speech")) == [other.pk]
    assert ids(client.get("/api/v1/lpc-meetings/?risk_factor=RF1")) == [meeting.pk]
    assert ids(client.get(f"/api/v1/lpc-meetings/?place={gazetteer['beni'].pk}")) == [meeting.pk]
    assert ids(client.get("/api/v1/lpc-meetings/?status=dormant")) == [other.pk]
    assert ids(client.get("/api/v1/lpc-meetings/?has_open_actions=true")) == [meeting.pk]


@pytest.mark.parametrize(
    "query", ["date_after=yesterday", "date_before=2025-13-40", "category=war", "lpc=x"]
)
def test_bad_meeting_filters_are_a_400(api, meeting, query):
    assert api("admin").get(f"/api/v1/lpc-meetings/?{query}").status_code == 400


def test_a_meeting_shows_its_action_points_and_alerts(api, meeting):
    row = api("analyst").get(f"/api/v1/lpc-meetings/{meeting.pk}/").json()
    assert row["attendance_total"] == 8 and row["women_youth"] == 3
    assert row["categories"] == ["armed_presence"] and row["alerts"] == []
    assert row["action_points"][0]["description"] == "Informer le chef de groupement"
    assert row["action_points"][0]["opened_on"] == "2025-10-04"


def test_it_creates_a_meeting_with_action_points(api, oicha, secretary):
    response = api("admin").post(
        "/api/v1/lpc-meetings/",
        {
            "lpc": oicha.pk,
            "held_on": "2025-09-06",
            "men_youth": 7,
            "women_elders": 2,
            "members_present": [secretary.pk],
            "categories": ["intercommunal_tension"],
            "risk_factors": ["RF9"],
            "minutes": "Conflit foncier",
            "action_points": [
                {"description": "Réunir les deux familles", "due_on": "2025-09-20"},
                {"description": "Informer l'ALC", "due_on": "2025-09-06", "status": "done"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting = LPCMeeting.objects.get(pk=response.json()["id"])
    assert meeting.attendance_total == 9
    assert list(meeting.members_present.all()) == [secretary]
    done = meeting.action_points.get(status="done")
    assert done.done_on is not None


def test_a_partial_update_changes_and_adds_action_points(api, meeting):
    point = meeting.action_points.get()
    response = api("admin").patch(
        f"/api/v1/lpc-meetings/{meeting.pk}/",
        {
            "men_adults": 6,
            "action_points": [
                {"id": point.pk, "description": point.description, "due_on": "2025-10-25"},
                {"description": "Suivi", "due_on": "2025-11-01"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert meeting.men_adults == 6 and meeting.women_youth == 3
    assert sorted(meeting.action_points.values_list("due_on", flat=True)) == [
        dt.date(2025, 10, 25),
        dt.date(2025, 11, 1),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"held_on": "not a date"}, "held_on"),
        ({"women_youth": -1}, "women_youth"),
        ({"men_adults": "many"}, "men_adults"),
        ({"men_adults": 10**12}, "men_adults"),
        ({"categories": ["war"]}, "categories"),
        ({"risk_factors": ["RF15"]}, "risk_factors"),
        ({"categories": "armed_presence"}, "categories"),
        ({"members_present": [2**70]}, "members_present"),
        ({"members_present": ["x"]}, "members_present"),
        ({"place": 2**64}, "place"),
        ({"action_points": [{"description": "Tôt", "due_on": "2025-01-01"}]}, "action_points"),
        ({"action_points": [{"due_on": "2025-12-01"}]}, "action_points"),
        ({"action_points": "none"}, "action_points"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"held_on": "2025-10-04"}, "held_on"),  # the day of the existing meeting
    ],
)
def test_bad_meeting_input_is_a_400_naming_the_field(api, meeting, payload, field):
    body = {"lpc": meeting.lpc_id, "held_on": "2025-09-06", **payload}
    response = api("admin").post("/api/v1/lpc-meetings/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert LPCMeeting.objects.count() == 1


@pytest.mark.parametrize("lpc", [None, "abc", 2**64, 0, True])
def test_a_meeting_for_no_committee_is_a_400(api, lpc):
    response = api("admin").post(
        "/api/v1/lpc-meetings/", {"lpc": lpc, "held_on": "2025-01-01"}, format="json"
    )
    assert response.status_code == 400 and "lpc" in response.json()


def test_members_of_another_committee_are_refused(api, meeting, kitshanga):
    from lpc.services import lpc_member_create

    stranger = lpc_member_create(lpc=kitshanga, by=None, name="Ngabo")
    response = api("admin").patch(
        f"/api/v1/lpc-meetings/{meeting.pk}/", {"members_present": [stranger.pk]}, format="json"
    )
    assert response.status_code == 400 and "members_present" in response.json()


def test_an_action_point_of_another_meeting_cannot_be_changed_through_this_one(
    api, meeting, kitshanga
):
    other = LPCMeeting.objects.create(lpc=kitshanga, held_on=dt.date(2025, 3, 1))
    foreign = ActionPoint.objects.create(
        meeting=other, description="Ailleurs", opened_on=other.held_on, due_on=other.held_on
    )
    response = api("admin").patch(
        f"/api/v1/lpc-meetings/{meeting.pk}/",
        {"action_points": [{"id": foreign.pk, "description": "Pris", "due_on": "2025-12-01"}]},
        format="json",
    )
    assert response.status_code == 400
    assert ActionPoint.objects.get(pk=foreign.pk).description == "Ailleurs"


def test_it_creates_and_updates_a_committee(api, gazetteer, users):
    client = api("admin")
    response = client.post(
        "/api/v1/lpcs/",
        {
            "name": "CLP Mbau",
            "kind": "community",
            "places": [gazetteer["mbau"].pk],
            "cla": users["cla"].pk,
            "founded_on": "2023-02-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["places"] == [gazetteer["mbau"].pk]
    pk = response.json()["id"]
    patched = client.patch(f"/api/v1/lpcs/{pk}/", {"status": "dormant"}, format="json")
    assert patched.status_code == 200 and patched.json()["status"] == "dormant"
    assert LPC.objects.get(pk=pk).places.get() == gazetteer["mbau"]


@pytest.mark.parametrize(
    "payload",
    [
        {"name": ""},
        {"name": "CLP Oicha"},  # taken
        {"name": "X", "kind": "secret"},
        {"name": "X", "places": [2**64]},
        {"name": "X", "founded_on": "31/31/2020"},
        {"name": "X" * 500},
        {"name": "X", "cla": 2**64},
        {"name": "X", "cla": "abc"},
    ],
)
def test_bad_committee_input_is_a_400(api, oicha, payload):
    assert api("admin").post("/api/v1/lpcs/", payload, format="json").status_code == 400


def test_the_supporting_cla_must_hold_the_cla_role(api, users):
    response = api("admin").post(
        "/api/v1/lpcs/", {"name": "CLP X", "cla": users["analyst"].pk}, format="json"
    )
    assert response.status_code == 400 and "cla" in response.json()


def test_members_are_created_and_a_community_must_be_named(api, oicha):
    client = api("cla")
    bad = client.post(
        "/api/v1/lpc-members/",
        {"lpc": oicha.pk, "name": "Neema", "group": "community"},
        format="json",
    )
    assert bad.status_code == 400 and "community_name" in bad.json()
    good = client.post(
        "/api/v1/lpc-members/",
        {"lpc": oicha.pk, "name": "Neema", "gender": "female", "group": "women"},
        format="json",
    )
    assert good.status_code == 201 and good.json()["group"] == "women"
    left = client.patch(
        f"/api/v1/lpc-members/{good.json()['id']}/",
        {"joined_on": "2024-05-01", "left_on": "2024-01-01"},
        format="json",
    )
    assert left.status_code == 400 and "left_on" in left.json()


def test_the_representation_report_over_the_api(api, meeting):
    body = api("viewer").get(f"/api/v1/lpcs/{meeting.lpc_id}/representation/?period=month")
    assert body.status_code == 200
    data = body.json()
    assert data["periods"][0]["period"] == "2025-10"
    assert data["totals"]["attendance_total"] == 8
    assert data["members_by_group"] == {"women": 1}
    bad = api("viewer").get(f"/api/v1/lpcs/{meeting.lpc_id}/representation/?period=decade")
    assert bad.status_code == 400


def test_put_and_delete_are_refused(api, oicha):
    client = api("admin")
    assert client.put(f"/api/v1/lpcs/{oicha.pk}/", {}, format="json").status_code in (403, 405)
    assert client.delete(f"/api/v1/lpcs/{oicha.pk}/").status_code in (403, 405)
    assert LPC.objects.filter(pk=oicha.pk, name="CLP Oicha").exists()
