"""Analysts' profiles in the admin (kept by supervisors and admins) and triage's demo data."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from alerts.models import Alert
from networks.models import Location
from tests.factories import UserFactory
from triage.models import AnalystProfile, Incident
from triage.services import alerts_escalate_overdue

pytestmark = pytest.mark.django_db
ADD = "/admin/triage/analystprofile/add/"


@pytest.fixture
def beni(db):
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    return Location.objects.create(name="Beni", kind="territory", parent=province)


def test_a_supervisor_keeps_the_roster_with_numbers_normalised_and_encrypted(client, beni):
    client.force_login(UserFactory.with_role("supervisor", is_staff=True))
    ana = UserFactory(username="ana", role="analyst")
    response = client.post(
        ADD,
        {
            "user": ana.pk,
            "areas": [beni.pk],
            "on_duty": "on",
            "phone": "0991234567",
            "language": "fr",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = AnalystProfile.objects.get(user=ana)
    assert profile.phone == "+243991234567" and profile.on_duty
    assert list(profile.areas.all()) == [beni]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM triage_analystprofile WHERE id = %s", [profile.pk])
        assert "991234567" not in cursor.fetchone()[0]  # encrypted at rest
    listing = client.get("/admin/triage/analystprofile/").content.decode()
    assert "ana" in listing and "991234567" not in listing


def test_a_wrong_number_is_a_form_error(client, beni):
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    ana = UserFactory(username="ana", role="analyst")
    response = client.post(ADD, {"user": ana.pk, "phone": "12", "language": "fr"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not AnalystProfile.objects.exists()


def test_only_territories_are_offered_as_areas(client, beni):
    Location.objects.create(name="Mbau", kind="village", parent=beni)
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    html = client.get(ADD).content.decode()
    assert ">Beni</option>" in html and ">Mbau</option>" not in html


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_other_staff_cannot_see_or_edit_the_roster(client, role):
    client.force_login(UserFactory.with_role(role, is_staff=True))
    assert client.get("/admin/triage/analystprofile/").status_code == 403
    assert client.get(ADD).status_code == 403


def test_the_demo_has_an_analyst_on_duty_a_supervisor_to_notify_and_incidents(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    analyst = AnalystProfile.objects.get(user__username="analyst")
    assert analyst.on_duty
    assert {area.name for area in analyst.areas.all()} == {"Beni", "Lubero"}
    assert AnalystProfile.objects.get(user__username="supervisor").phone
    assert Incident.objects.exists()
    assert Alert.objects.filter(incident__isnull=False).count() > Incident.objects.count()
    # Deadlines missed long ago are history: the first beat only tells of recent ones.
    old = timezone.now() - dt.timedelta(hours=12)
    assert not Alert.objects.filter(sla_escalated_at__isnull=True, sla_due_at__lt=old).exists()
    counts = (AnalystProfile.objects.count(), Incident.objects.count())
    call_command("seed_demo")
    assert (AnalystProfile.objects.count(), Incident.objects.count()) == counts
    alerts_escalate_overdue()
    assert alerts_escalate_overdue() == 0  # a second beat right after finds nothing new
