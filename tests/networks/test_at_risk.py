"""A focal point at risk: marked with a date and who or what marked it, shown in the admin, and
cleared by a supervisor, each step in the audit trail."""

import pytest

from networks.models import AuditEntry, FocalPoint
from networks.services import (
    focal_point_clear_at_risk,
    focal_point_create,
    focal_point_mark_at_risk,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return focal_point_create(name="Kahindo Masika", phone="0991234567", language="sw")


def test_marking_keeps_the_date_and_what_marked_it_and_is_audited(person):
    assert focal_point_mark_at_risk(focal_point=person, reason="alert A-2026-00042") is True
    person.refresh_from_db()
    assert person.at_risk and person.at_risk_since is not None
    assert person.at_risk_marked_by is None and person.at_risk_reason == "alert A-2026-00042"
    entry = AuditEntry.objects.get(action="at_risk_marked")
    assert entry.target_id_list == [str(person.pk)] and entry.actor is None
    assert "Kahindo" not in str(entry.details) and "991234567" not in str(entry.details)


def test_a_second_mark_keeps_the_first(person):
    supervisor = UserFactory.with_role("supervisor")
    focal_point_mark_at_risk(focal_point=person, reason="alert A-2026-00042")
    first = FocalPoint.objects.get(pk=person.pk).at_risk_since
    assert focal_point_mark_at_risk(focal_point=person, reason="by hand", by=supervisor) is False
    person.refresh_from_db()
    assert person.at_risk_since == first and person.at_risk_reason == "alert A-2026-00042"
    assert AuditEntry.objects.filter(action="at_risk_marked").count() == 1


def test_clearing_ends_it_and_records_what_it_was(person):
    supervisor = UserFactory.with_role("supervisor")
    focal_point_mark_at_risk(focal_point=person, reason="alert A-2026-00042")
    assert focal_point_clear_at_risk(focal_point=person, by=supervisor) is True
    person.refresh_from_db()
    assert not person.at_risk and person.at_risk_reason == ""
    entry = AuditEntry.objects.get(action="at_risk_cleared")
    assert entry.actor == supervisor and entry.details["reason"] == "alert A-2026-00042"
    assert entry.details["at_risk_since"]
    assert focal_point_clear_at_risk(focal_point=person, by=supervisor) is False


# --- Admin ------------------------------------------------------------------------------------


def staff_client(client, role: str):
    client.force_login(UserFactory.with_role(role, is_staff=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_admin_shows_since_when_and_why_a_person_is_at_risk(client, person):
    focal_point_mark_at_risk(focal_point=person, reason="alert A-2026-00042")
    admin = staff_client(client, "supervisor")
    page = admin.get(f"/admin/networks/focalpoint/{person.pk}/change/").content.decode()
    assert "marked by triage (alert A-2026-00042)" in page
    assert "Broadcasts to this person are paused" in page
    listing = admin.get("/admin/networks/focalpoint/", {"at_risk": "yes"}).content.decode()
    assert "Kahindo Masika" in listing


def test_a_supervisor_clears_the_mark_from_the_admin(client, person):
    focal_point_mark_at_risk(focal_point=person, reason="alert A-2026-00042")
    admin = staff_client(client, "supervisor")
    response = admin.post(
        "/admin/networks/focalpoint/",
        {"action": "clear_at_risk", "_selected_action": [person.pk]},
        follow=True,
    )
    assert "1 focal point is no longer at risk" in response.content.decode()
    person.refresh_from_db()
    assert not person.at_risk
    assert AuditEntry.objects.get(action="at_risk_cleared").actor.username == "supervisor"


def test_a_supervisor_marks_a_person_at_risk_from_the_admin(client, person):
    admin = staff_client(client, "supervisor")
    admin.post(
        "/admin/networks/focalpoint/",
        {"action": "mark_at_risk", "_selected_action": [person.pk]},
    )
    person.refresh_from_db()
    assert person.at_risk and person.at_risk_marked_by.username == "supervisor"


def test_staff_who_do_not_supervise_are_not_offered_the_actions(client, person, roles):
    from django.contrib.auth.models import Permission

    user = UserFactory.with_role("viewer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="networks", codename__startswith="view_")
    )
    client.force_login(user)
    focal_point_mark_at_risk(focal_point=person, reason="alert A-2026-00042")
    page = client.get("/admin/networks/focalpoint/").content.decode()
    assert "clear_at_risk" not in page
    client.post(
        "/admin/networks/focalpoint/",
        {"action": "clear_at_risk", "_selected_action": [person.pk]},
    )
    person.refresh_from_db()
    assert person.at_risk
