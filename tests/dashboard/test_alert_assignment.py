"""Giving an alert to someone from its page: only to those who may be assigned alerts and who
work its area (access.alerts), on duty first; one wording to take it oneself, one to give it,
and the page's header saying who has it after each change. The API refuses the same people."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


def analyst(username: str, first_name: str, *, areas, on_duty: bool, active: bool = True):
    user = UserFactory(username=username, first_name=first_name, role="analyst", is_active=active)
    AnalystProfileFactory(user=user, areas=areas, on_duty=on_duty)
    return user


@pytest.fixture
def world():
    north_kivu = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=north_kivu)
    lubero = TerritoryFactory(name="Lubero", parent=north_kivu)
    return {
        "mavivi_alert": AlertFactory(
            text="Hommes armés", location=VillageFactory(name="Mavivi", parent=beni)
        ),
        "placeless": AlertFactory(text="Des coups de feu"),
        # Analysts: Beni (on duty), Beni (off duty), Lubero, everywhere (no areas), Beni gone.
        "amani": analyst("amani", "Amani", areas=[beni], on_duty=True),
        "zawadi": analyst("zawadi", "Zawadi", areas=[beni], on_duty=False),
        "baraka": analyst("baraka", "Baraka", areas=[lubero], on_duty=True),
        "neema": analyst("neema", "Neema", areas=[], on_duty=False),
        "gone": analyst("gone", "Gone", areas=[beni], on_duty=True, active=False),
        "sup": UserFactory(username="sup", first_name="Safi", role="supervisor"),
        "vee": UserFactory(username="vee", first_name="Vee", role="viewer"),
        "cla": UserFactory(username="cla", first_name="Clara", role="cla"),
    }


def page(client, alert: Alert):
    response = client.get(f"/dashboard/alerts/{alert.pk}/")
    assert response.status_code == 200
    return response


def choices(client, alert: Alert) -> list[str]:
    return [user.username for user in page(client, alert).context["workers"]]


def test_the_colleagues_offered_are_those_who_work_the_alerts_area_on_duty_first(world, client):
    client.force_login(world["sup"])
    # Beni's alert: Amani (Beni, on duty), then by name: Neema (everywhere), Safi (supervisor),
    # Zawadi (Beni, off duty). Not Baraka (Lubero), the viewer, the CLA, nor a deactivated user.
    assert choices(client, world["mavivi_alert"]) == ["amani", "neema", "sup", "zawadi"]
    # An alert without a place goes to anyone who works alerts.
    assert choices(client, world["placeless"]) == ["amani", "baraka", "neema", "sup", "zawadi"]
    html = page(client, world["mavivi_alert"]).content.decode()
    assert "Amani · de permanence" in html
    assert 'id="give-to"' in html and "Baraka" not in html


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("amani", True),
        ("zawadi", True),
        ("neema", True),
        ("sup", True),
        ("baraka", False),  # works Lubero, not Beni
        ("vee", False),  # a viewer works no alerts
        ("cla", False),
        ("gone", False),  # deactivated
    ],
)
def test_giving_the_alert_follows_role_and_area(world, client, who, allowed):
    alert = world["mavivi_alert"]
    client.force_login(world["sup"])
    response = client.post(
        f"/dashboard/alerts/{alert.pk}/assign/", {"assignee": world[who].pk}, follow=True
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert (alert.assignee_id == world[who].pk) is allowed
    if not allowed:
        assert alert.assignee_id is None
        told = " ".join(str(m) for m in response.context["messages"])
        assert "ne couvre pas la zone" in told or "Choisissez quelqu’un qui couvre" in told


def test_the_api_refuses_someone_outside_the_area(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world['sup']).key}")
    url = f"/api/v1/alerts/{world['mavivi_alert'].pk}/"
    refused = client.patch(url, {"assignee": world["baraka"].pk}, format="json")
    assert refused.status_code == 400
    assert "ne couvre pas la zone de cette alerte" in str(refused.json()["assignee"])
    assert client.patch(url, {"assignee": world["zawadi"].pk}, format="json").status_code == 200


def test_the_queue_bulk_assignment_skips_alerts_outside_the_area(world, client):
    client.force_login(world["sup"])
    client.post(
        "/dashboard/bulk/",
        {
            "action": "assign",
            "alerts": [world["mavivi_alert"].pk, world["placeless"].pk],
            "assignee": world["baraka"].pk,
        },
    )
    world["mavivi_alert"].refresh_from_db()
    world["placeless"].refresh_from_db()
    assert world["mavivi_alert"].assignee_id is None
    assert world["placeless"].assignee_id == world["baraka"].pk


def test_taking_it_oneself_assigns_and_shows_one_working_on_it(world, client):
    alert = world["mavivi_alert"]
    client.force_login(world["amani"])
    before = page(client, alert).content.decode()
    assert "Confiée à personne pour l’instant" in before
    assert "Je la prends" in before and "La confier à un collègue" in before
    assert "Me l’attribuer" not in before and ">Je m’en occupe<" not in before
    response = client.post(f"/dashboard/alerts/{alert.pk}/assign/", follow=True)
    html = response.content.decode()
    alert.refresh_from_db()
    assert alert.assignee_id == world["amani"].pk and alert.claimed_by_id == world["amani"].pk
    assert "Confiée à Amani" in html and "Amani s’en occupe" in html
    assert "Je la prends" not in html  # now: "I am no longer working on this"


def test_the_header_names_the_new_assignee_after_reassignment(world, client):
    alert = world["mavivi_alert"]
    client.force_login(world["amani"])
    client.post(f"/dashboard/alerts/{alert.pk}/assign/")
    response = client.post(
        f"/dashboard/alerts/{alert.pk}/assign/", {"assignee": world["zawadi"].pk}, follow=True
    )
    html = response.content.decode()
    alert.refresh_from_db()
    assert alert.assignee_id == world["zawadi"].pk
    assert alert.claimed_by_id is None  # Amani's claim ended when she gave it away
    assert "Confiée à Zawadi" in html
    assert "Confiée à Amani" not in html and "Amani s’en occupe" not in html


def test_someone_elses_fresh_claim_is_not_taken_over(world, client):
    alert = world["mavivi_alert"]
    client.force_login(world["amani"])
    client.post(f"/dashboard/alerts/{alert.pk}/assign/")
    client.force_login(world["zawadi"])
    html = page(client, alert).content.decode()
    assert "Je la prends" not in html
    client.post(f"/dashboard/alerts/{alert.pk}/assign/")
    alert.refresh_from_db()
    assert alert.assignee_id == world["amani"].pk
