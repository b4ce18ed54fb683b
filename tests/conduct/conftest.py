"""A territory with a village, a focal point living there, and one person of each role.

Beni (territory) holds Mbau (village). `kavira` is a focal point of Mbau. Users: `ana` an
analyst for Beni, `roaming` an analyst without areas, `beni_cla` a CLA working in Beni, `sup`
a supervisor, `root` an admin, `vee` a viewer, `cd` conduct and discipline staff."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from cla.models import CLAProfile
from networks.models import Location
from networks.services import focal_point_create
from tests.factories import UserFactory
from tests.twilio_support import post_signed, sms_params
from triage.models import AnalystProfile
from triage.services import alert_triage_by_id

SMS_URL = "/webhooks/twilio/sms/"
KAVIRA_PHONE = "+243991000001"
# A word of the complaint that must never be read outside the conduct pages.
SECRET = "Kahambu"
COMPLAINT = f"Les casques bleus ont violé la fille {SECRET} à Mbau hier soir"


@pytest.fixture(autouse=True)
def _quick_passwords(fast_password_hashing):
    """Every test here makes several users."""


@pytest.fixture
def places(db):
    beni = Location.objects.create(name="Beni", kind="territory")
    mbau = Location.objects.create(
        name="Mbau", kind="village", parent=beni, latitude="0.58", longitude="29.45"
    )
    return {"beni": beni, "mbau": mbau}


@pytest.fixture
def kavira(places):
    return focal_point_create(name="Kavira Beni", phone=KAVIRA_PHONE, home_location=places["mbau"])


@pytest.fixture
def people(places):
    users = {
        "ana": UserFactory(username="ana", role="analyst"),
        "roaming": UserFactory(username="roaming", role="analyst"),
        "beni_cla": UserFactory(username="beni_cla", role="cla"),
        "sup": UserFactory(username="sup", role="supervisor"),
        "root": UserFactory(username="root", role="admin", is_staff=True, is_superuser=True),
        "vee": UserFactory(username="vee", role="viewer"),
        "cd": UserFactory(username="cd", role="conduct"),
    }
    AnalystProfile.objects.create(user=users["ana"]).areas.add(places["beni"])
    CLAProfile.objects.create(user=users["beni_cla"]).assigned_places.add(places["beni"])
    return users


def sms_in(client, body: str, sender: str = KAVIRA_PHONE, **params):
    """An SMS through the signed webhook; gives the parameters sent."""
    sent = dict(sms_params(body, sender=sender), **params)
    response = post_signed(client, SMS_URL, sent)
    assert response.status_code == 200
    return sent


def sms_triaged(client, body: str, sender: str = KAVIRA_PHONE) -> Alert:
    """An SMS through the webhook, then triage as the worker runs it."""
    sent = sms_in(client, body, sender=sender)
    alert = Alert.objects.get(messages__provider_sid=sent["MessageSid"])
    alert_triage_by_id(alert_id=alert.pk)
    alert.refresh_from_db()
    return alert


@pytest.fixture
def api():
    def as_user(user) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return as_user
