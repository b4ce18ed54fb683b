"""The cla demo data: idempotent, and enough of it for the API and the coverage page."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from cla.coverage import coverage_compute
from cla.models import CLAProfile, FieldVisit, FollowUp, Recruitment, VisitAlert
from networks.demo import RESERVED_NUMBERS
from networks.models import FocalPoint

pytestmark = pytest.mark.django_db

MODELS = (CLAProfile, FieldVisit, Recruitment, FollowUp, VisitAlert, FocalPoint, Alert)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")


def test_seeding_twice_changes_nothing(seeded):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["FieldVisit"] >= 25
    assert first["CLAProfile"] >= 3
    assert first["VisitAlert"] >= 1
    assert Recruitment.objects.filter(created=True).exists()
    assert Recruitment.objects.filter(created=False).exists()  # a number already registered


def test_the_demo_clas_log_in_with_the_demo_password(seeded):
    for profile in CLAProfile.objects.select_related("user"):
        user = authenticate(username=profile.user.username, password="demo-pass-for-tests")
        assert user is not None, profile.user.username
        assert "cla" in user.groups.values_list("name", flat=True)
        assert profile.assigned_places.exists()
    assert CLAProfile.objects.filter(user__username="cla").exists()


def test_the_demo_coverage_shows_overlaps_gaps_and_forgotten_networks(seeded):
    coverage = coverage_compute()
    assert coverage.by_count[3] > 0
    assert coverage.by_count[2] > 0
    assert coverage.gaps
    stale = {network.name: network.last_visit for network in coverage.stale_networks}
    assert None in stale.values()  # never visited
    assert any(last is not None for last in stale.values())  # visited, but long ago
    assert FollowUp.objects.filter(done_at__isnull=True).exists()
    assert FollowUp.objects.filter(done_at__isnull=False).exists()


def test_no_demo_recruit_owns_a_reserved_number(seeded):
    phones = {r.focal_point.phone for r in Recruitment.objects.select_related("focal_point")}
    assert not phones & RESERVED_NUMBERS


def test_the_admin_lists_demo_visits_over_the_api(seeded):
    from django.contrib.auth.models import User

    client = APIClient()
    token = Token.objects.create(user=User.objects.get(username="admin"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/field-visits/")
    assert response.status_code == 200
    assert response.json()["count"] > 0
