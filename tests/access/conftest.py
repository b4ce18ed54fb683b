"""Two territories and who works where, shared by the tests of the access rules.

Beni holds the village Mbau, Lubero the village Kanyabayonga. `ana` is an analyst for Beni,
`lubero_cla` a CLA working in Lubero, `roaming` an analyst without areas; `sup`, `root` and
`vee` are a supervisor, an admin and a viewer. Each territory has a network with one focal
point, an alert with a message, and an incident; a third incident straddles both."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert, Message
from cla.models import CLAProfile
from networks.models import Location, Membership, Network
from networks.services import focal_point_create
from tests.factories import UserFactory
from triage.models import AnalystProfile, Incident


@pytest.fixture(autouse=True)
def _quick_passwords(fast_password_hashing):
    """Every test here makes six users."""


@pytest.fixture
def world(db):
    beni = Location.objects.create(name="Beni", kind="territory")
    lubero = Location.objects.create(name="Lubero", kind="territory")
    mbau = Location.objects.create(
        name="Mbau", kind="village", parent=beni, latitude="0.58", longitude="29.45"
    )
    kanya = Location.objects.create(
        name="Kanyabayonga", kind="village", parent=lubero, latitude="-0.7", longitude="29.2"
    )
    users = {
        "ana": UserFactory(username="ana", role="analyst"),
        "roaming": UserFactory(username="roaming", role="analyst"),
        "lubero_cla": UserFactory(username="lubero_cla", role="cla"),
        "sup": UserFactory(username="sup", role="supervisor"),
        "root": UserFactory(username="root", role="admin"),
        "vee": UserFactory(username="vee", role="viewer"),
    }
    AnalystProfile.objects.create(user=users["ana"]).areas.add(beni)
    CLAProfile.objects.create(user=users["lubero_cla"]).assigned_places.add(lubero)

    can_beni = Network.objects.create(name="CAN Mbau", code="can-mbau", base=mbau)
    can_lubero = Network.objects.create(name="CAN Kanya", code="can-kanya", base=kanya)
    people = {
        "fp_beni": focal_point_create(
            name="Kavira Beni", phone="+243991000001", home_location=mbau
        ),
        "fp_lubero": focal_point_create(
            name="Kambale Lubero", phone="+243991000002", home_location=kanya
        ),
        # In no network: judged by where they live.
        "fp_loose": focal_point_create(
            name="Masika Loose", phone="+243991000003", home_location=kanya
        ),
    }
    joined = dt.date(2025, 1, 1)
    Membership.objects.create(focal_point=people["fp_beni"], network=can_beni, joined_on=joined)
    Membership.objects.create(focal_point=people["fp_lubero"], network=can_lubero, joined_on=joined)

    now = timezone.now()
    incidents = {
        "inc_beni": Incident.objects.create(location=mbau, categories=["attack"], priority=1),
        "inc_lubero": Incident.objects.create(location=kanya, categories=["looting"], priority=2),
        "inc_both": Incident.objects.create(location=mbau, categories=["abduction"], priority=2),
    }

    def alert(text, location, incident, reporter, **extra):
        made = Alert.objects.create(
            source="sms",
            text=text,
            location=location,
            incident=incident,
            reporter=reporter,
            status="triaged",
            priority=2,
            categories=["attack"],
            received_at=now,
            **extra,
        )
        Message.objects.create(alert=made, direction="inbound", status="received", body=text)
        return made

    alerts = {
        "in_beni": alert("Attaque à Mbau", mbau, incidents["inc_beni"], people["fp_beni"]),
        "in_beni_2": alert("Encore Mbau", mbau, incidents["inc_beni"], people["fp_beni"]),
        "in_lubero": alert(
            "Pillage à Kanyabayonga", kanya, incidents["inc_lubero"], people["fp_lubero"]
        ),
        "both_beni": alert("Enlèvement Mbau", mbau, incidents["inc_both"], people["fp_beni"]),
        "both_lubero": alert("Enlèvement Kanya", kanya, incidents["inc_both"], people["fp_lubero"]),
    }
    Message.objects.create(direction="outbound", status="sent", body="Broadcast, no alert")
    return {
        "beni": beni,
        "lubero": lubero,
        "mbau": mbau,
        "kanya": kanya,
        "can_beni": can_beni,
        "can_lubero": can_lubero,
        **users,
        **people,
        **incidents,
        **alerts,
    }


@pytest.fixture
def api():
    def as_user(user) -> APIClient:
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}",
            HTTP_ACCEPT_LANGUAGE="en",  # messages asserted in their English source
        )
        return client

    return as_user
