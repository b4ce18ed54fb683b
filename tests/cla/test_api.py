"""/api/v1/field-visits/: nested creation, duplicate-safe keys, filters, errors and roles."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from alerts.models import Alert
from cla.models import FieldVisit
from cla.services import FollowUpData, RecruitData
from networks.models import FocalPoint
from tests.cla.conftest import new_key
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/field-visits/"


def payload(gazetteer, **overrides) -> dict:
    body = {
        "idempotency_key": new_key(),
        "visited_on": "2026-01-10",
        "places": [gazetteer["Mbau"].pk],
        "purpose": "recruitment",
        "women_met": 5,
        "men_met": 3,
        "categories": ["armed_presence"],
        "risk_factors": ["RF1", "RF7"],
        "recruits": [
            {
                "phone": "0991 234 321",
                "name": "Amani Kambale",
                "consent": True,
                "gender": "male",
                "equipment": [{"kind": "sim"}, {"kind": "airtime", "amount": "5.00"}],
            }
        ],
        "follow_ups": [{"description": "Bring airtime", "due_on": "2026-01-15"}],
    }
    body.update(overrides)
    return body


def test_it_refuses_anonymous_requests(db):
    assert APIClient().get(URL).status_code == 401


def test_a_cla_creates_a_visit_with_recruits_follow_ups_and_an_alert(api, cla_user, gazetteer):
    client = api(cla_user)
    response = client.post(
        URL, payload(gazetteer, alert_text="Hommes armés vus près de Mbau"), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    visit = FieldVisit.objects.get()
    assert body["id"] == visit.pk and body["cla"] == cla_user.pk
    assert body["people_met"] == 8
    assert body["recruits"][0]["phone"] == "+243991234321"
    assert body["recruits"][0]["name"] == "Amani Kambale" and body["recruits"][0]["created"]
    assert {e["kind"] for e in body["equipment"]} == {"sim", "airtime"}
    assert body["follow_ups"][0]["due_on"] == "2026-01-15"
    alert = Alert.objects.get()
    assert body["alerts"] == [
        {"id": alert.pk, "reference": alert.reference, "status": "new", "priority": None}
    ]
    assert alert.source == "cla"


def test_the_same_key_again_answers_200_with_the_stored_visit(api, cla_user, gazetteer):
    client = api(cla_user)
    body = payload(gazetteer)
    first = client.post(URL, body, format="json")
    again = client.post(URL, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert FieldVisit.objects.count() == 1
    assert FocalPoint.objects.count() == 1


def test_a_key_used_by_another_cla_is_refused(api, cla_user, other_cla, gazetteer):
    body = payload(gazetteer)
    api(cla_user).post(URL, body, format="json")
    response = api(other_cla).post(URL, body, format="json")
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert FieldVisit.objects.count() == 1


def test_an_existing_focal_point_is_linked_by_id_or_by_phone(api, cla_user, gazetteer, focal_point):
    body = payload(
        gazetteer,
        recruits=[{"focal_point": focal_point.pk}, {"phone": "+243991234567", "name": "X"}],
    )
    response = api(cla_user).post(URL, body, format="json")
    assert response.status_code == 201
    recruits = response.json()["recruits"]
    assert [(r["focal_point"], r["created"]) for r in recruits] == [(focal_point.pk, False)]
    assert FocalPoint.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"idempotency_key": "nope"}, "idempotency_key"),
        ({"idempotency_key": None}, "idempotency_key"),
        ({"visited_on": "2026-02-30"}, "visited_on"),
        ({"visited_on": "2999-01-01"}, "visited_on"),
        ({"places": []}, "places"),
        ({"places": [99999999999999999999]}, "places"),
        ({"places": ["abc"]}, "places"),
        ({"women_met": -1}, "women_met"),
        ({"men_met": 10**12}, "men_met"),
        ({"categories": ["gossip"]}, "categories"),
        ({"risk_factors": ["RF15"]}, "risk_factors"),
        ({"risk_factors": "RF1"}, "risk_factors"),
        ({"purpose": "holiday"}, "purpose"),
        ({"networks": [0]}, "networks"),
        ({"lpcs": [2**63]}, "lpcs"),
        ({"observations": "bad\x00text"}, "observations"),
        ({"recruits": [{"phone": "12", "name": "A", "consent": True}]}, "recruits"),
        ({"recruits": [{"phone": "0991234000", "name": "A", "consent": False}]}, "consent"),
        ({"recruits": [{"name": "No phone"}]}, "recruits"),
        (
            {
                "recruits": [
                    {
                        "phone": "0991234000",
                        "name": "A",
                        "consent": True,
                        "equipment": [{"kind": "airtime"}],
                    }
                ]
            },
            "recruits",
        ),
        ({"recruits": "Amani"}, "recruits"),
        ({"follow_ups": [{"description": "Early", "due_on": "2026-01-01"}]}, "due_on"),
        ({"follow_ups": [{"description": "", "due_on": "2026-01-20"}]}, "follow_ups"),
        ({"alert_location": 99999999999999999999}, "alert_location"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, cla_user, gazetteer, changes, field):
    response = api(cla_user).post(URL, payload(gazetteer, **changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not FieldVisit.objects.exists()
    assert not FocalPoint.objects.exists()


@pytest.mark.parametrize("body", ["[]", "null", '"text"', "{", "[1, 2]"])
def test_a_body_that_is_no_object_is_a_400(api, cla_user, body):
    response = api(cla_user).post(URL, body, content_type="application/json")
    assert response.status_code == 400


def test_filters(api, visit_factory, other_cla, gazetteer):
    network = NetworkFactory()
    mbau = visit_factory(visited_on=dt.date(2026, 1, 5), networks=[network])
    kirumba = visit_factory(
        cla=other_cla, visited_on=dt.date(2026, 2, 5), places=[gazetteer["Kirumba"]]
    )
    from cla.services import visit_alert_raise

    visit_alert_raise(visit=kirumba, text="Tension à Kirumba", by=other_cla)
    client = api(UserFactory(username="ana", role="analyst"))

    def ids(**params) -> set[int]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {mbau.pk, kirumba.pk}
    assert ids(cla=other_cla.pk) == {kirumba.pk}
    assert ids(place=gazetteer["Mbau"].pk) == {mbau.pk}
    assert ids(place=gazetteer["Lubero"].pk) == {kirumba.pk}  # a territory holds its villages
    assert ids(network=network.pk) == {mbau.pk}
    assert ids(date_after="2026-02-01") == {kirumba.pk}
    assert ids(date_before="2026-01-31") == {mbau.pk}
    assert ids(has_alert="true") == {kirumba.pk}
    assert ids(has_alert="false") == {mbau.pk}
    body = client.get(URL, {"page_size": 1}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2 and len(body["results"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"cla": "abc"},
        {"place": "99999999999999999999"},
        {"network": "-1"},
        {"date_after": "yesterday"},
        {"date_before": "2026-13-01"},
        {"has_alert": "maybe"},
        {"category": "gossip"},
        {"risk_factor": "RF0"},
        {"cla": "1\x00"},
    ],
)
def test_bad_filters_are_a_400(api, params):
    assert api(UserFactory(username="ana", role="analyst")).get(URL, params).status_code == 400


def test_a_cla_lists_and_changes_only_their_own_visits(api, cla_user, other_cla, visit_factory):
    mine = visit_factory()
    theirs = visit_factory(cla=other_cla)
    client = api(cla_user)
    assert [row["id"] for row in client.get(URL).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    response = client.patch(f"{URL}{theirs.pk}/", {"observations": "Hacked"}, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.observations == ""
    response = client.post(f"{URL}{theirs.pk}/alerts/", {"text": "Faux"}, format="json")
    assert response.status_code == 404
    assert not Alert.objects.exists()

    response = client.patch(
        f"{URL}{mine.pk}/", {"observations": "Calme", "men_met": 4}, format="json"
    )
    assert response.status_code == 200, response.content
    mine.refresh_from_db()
    assert (mine.observations, mine.men_met) == ("Calme", 4)
    assert client.patch(f"{URL}{mine.pk}/", {"men_met": -4}, format="json").status_code == 400
    assert client.put(f"{URL}{mine.pk}/", {}, format="json").status_code in (403, 405)


def test_a_cla_raises_an_alert_from_their_visit_over_the_api(api, cla_user, visit_factory):
    visit = visit_factory()
    client = api(cla_user)
    response = client.post(f"{URL}{visit.pk}/alerts/", {"text": "Enlèvement à Mbau"}, format="json")
    assert response.status_code == 201
    assert response.json()["source"] == "cla"
    assert visit.alert_links.get().alert_id == response.json()["id"]
    assert client.post(f"{URL}{visit.pk}/alerts/", {"text": ""}, format="json").status_code == 400


def test_analysts_and_supervisors_read_all_but_cannot_write(api, visit_factory, gazetteer):
    visit = visit_factory()
    for role in ("analyst", "supervisor"):
        client = api(UserFactory(username=f"{role}-1", role=role))
        assert client.get(f"{URL}{visit.pk}/").status_code == 200
        assert client.post(URL, payload(gazetteer), format="json").status_code == 403
        assert client.patch(f"{URL}{visit.pk}/", {"men_met": 1}, format="json").status_code == 403


def test_an_admin_may_change_any_visit(api, visit_factory):
    visit = visit_factory()
    client = api(UserFactory(username="root", role="admin"))
    assert client.patch(f"{URL}{visit.pk}/", {"men_met": 2}, format="json").status_code == 200


def test_a_viewer_gets_no_visits_and_no_names(api, visit_factory, gazetteer):
    visit = visit_factory(
        recruits=[RecruitData(phone="0991234321", name="Amani Kambale", consent=True)],
        follow_ups=[FollowUpData(description="x", due_on=dt.date.today())],
    )
    client = api(UserFactory(username="vera", role="viewer"))
    for response in (client.get(URL), client.get(f"{URL}{visit.pk}/")):
        assert response.status_code == 403
        assert "Amani" not in response.content.decode()
    assert client.post(URL, payload(gazetteer), format="json").status_code == 403


def test_recruits_are_named_only_when_the_view_may_show_them(visit_factory):
    from api.cla.serializers import RecruitmentSerializer
    from networks.identities import Reveal

    visit = visit_factory(
        recruits=[RecruitData(phone="0991234321", name="Amani Kambale", consent=True)]
    )
    recruitment = visit.recruitments.get()
    for shown, name, phone in (
        ({recruitment.focal_point_id}, "Amani Kambale", "+243991234321"),
        (set(), "A. K.", "+243 ••• ••• 321"),
    ):
        context = {"identities": Reveal(shown=frozenset(shown))}
        data = RecruitmentSerializer(recruitment, context=context).data
        assert (data["name"], data["phone"]) == (name, phone)


def test_a_supervisor_reads_recruits_in_clear_and_an_analyst_of_elsewhere_masked(
    api, visit_factory, gazetteer
):
    from triage.models import AnalystProfile

    visit = visit_factory(
        recruits=[RecruitData(phone="0991234321", name="Amani Kambale", consent=True)]
    )
    supervisor = api(UserFactory(username="sup", role="supervisor")).get(f"{URL}{visit.pk}/").json()
    assert supervisor["recruits"][0]["name"] == "Amani Kambale"
    analyst = UserFactory(username="lubero-analyst", role="analyst")
    AnalystProfile.objects.create(user=analyst).areas.add(gazetteer["Lubero"])
    elsewhere = api(analyst).get(f"{URL}{visit.pk}/").json()
    assert elsewhere["recruits"][0]["name"] == "A. K."


def test_a_correction_with_equipment_lacking_its_kind_is_a_400_naming_it(
    api, cla_user, visit_factory
):
    visit = visit_factory()
    body = {"recruits": [{"phone": "0991 234 999", "name": "Neema", "equipment": [{}]}]}
    response = api(cla_user).patch(f"{URL}{visit.pk}/", body, format="json")
    assert response.status_code == 400
    assert "kind" in str(response.json()["recruits"])


def test_a_correction_leaves_fields_it_does_not_name_as_they_are(api, cla_user, visit_factory):
    visit = visit_factory(purpose="assessment")
    response = api(cla_user).patch(f"{URL}{visit.pk}/", {"men_met": 7}, format="json")
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert (visit.men_met, visit.purpose) == (7, "assessment")
