"""The audit trail: who logged in, saw names and numbers, exported or changed what, and when."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from rest_framework.authtoken.models import Token

from alerts.models import Alert
from networks.audit import FOCAL_POINT, audit_entries_about, audit_record
from networks.models import AuditEntry, Membership
from networks.services import membership_end, membership_start
from tests.factories import FocalPointFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def api_client(client, user: User):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
    return client


@pytest.fixture
def at_moment(monkeypatch):
    """Entries written inside `with at_moment(when):` carry that time."""
    from contextlib import contextmanager

    field = AuditEntry._meta.get_field("at")

    @contextmanager
    def moment(when: dt.datetime):
        # Django caches the default's callable on the field as `_get_default`.
        monkeypatch.setattr(field, "_get_default", lambda: when)
        yield
        monkeypatch.setattr(field, "_get_default", timezone.now)

    return moment


# --- Written once ------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted_by_the_application():
    entry = audit_record(actor=None, action=Action.EXPORT, target_type="x", target_ids=[1])
    entry.details = {"forged": True}
    with pytest.raises(ValueError, match="cannot be changed"):
        entry.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(ValueError, match="cannot be changed"):
        AuditEntry.objects.filter(pk=entry.pk).update(details={})
    with pytest.raises(ValueError, match="cannot be deleted"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).details == {}


def test_a_user_with_a_trail_cannot_be_deleted_only_deactivated():
    user = UserFactory()
    audit_record(actor=user, action=Action.LOGIN)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        user.delete()


def test_the_admin_is_read_only_even_for_a_superuser(client):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    entry = AuditEntry.objects.get(action=Action.LOGIN, actor=root)
    assert client.get("/admin/networks/auditentry/").status_code == 200
    page = client.get(f"/admin/networks/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/networks/auditentry/add/").status_code == 403
    assert client.post(f"/admin/networks/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/networks/auditentry/{entry.pk}/change/", {}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("role", ["supervisor", "analyst", "cla", "viewer"])
def test_only_admins_read_the_trail_in_the_admin(client, role):
    client.force_login(UserFactory.with_role(role, is_staff=True))
    assert client.get("/admin/networks/auditentry/").status_code == 403


def test_the_admin_finds_entries_by_a_whole_object_id(client):
    audit_record(actor=None, action=Action.EXPORT, target_type=FOCAL_POINT, target_ids=[12])
    audit_record(actor=None, action=Action.EXPORT, target_type=FOCAL_POINT, target_ids=[112])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get("/admin/networks/auditentry/", {"q": "12", "action": "export"})
    assert page.status_code == 200
    assert [e.target_ids for e in page.context["cl"].result_list] == [",12,"]


# --- Logins --------------------------------------------------------------------------------------


def test_it_records_a_login_and_a_logout_with_the_address(client):
    user = UserFactory(username="ana")
    client.post(
        "/accounts/login/",
        {"username": "ana", "password": "pw-kengele-test"},
        REMOTE_ADDR="10.1.2.3",
    )
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")
    (login,) = entries(Action.LOGIN)
    (logout,) = entries(Action.LOGOUT)
    assert login.actor == user and login.ip_address == "10.1.2.3"
    assert logout.actor == user


def test_a_failed_login_keeps_the_username_tried_and_never_the_password(client):
    client.post("/accounts/login/", {"username": "ana", "password": "not-the-password"})
    (failed,) = entries(Action.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.details == {"username": "ana"}
    assert "not-the-password" not in str(failed.details)


# --- Identities shown ----------------------------------------------------------------------


def test_who_looked_at_this_focal_points_number_last_month(client, at_moment):
    """The question the trail exists to answer, one filter away in the API."""
    watched, other = FocalPointFactory(), FocalPointFactory()
    ana = UserFactory.with_role("admin", username="ana", is_staff=True)
    bob = UserFactory.with_role("admin", username="bob", is_staff=True)
    eve = UserFactory.with_role("viewer", username="eve", is_staff=True)
    now = timezone.now()
    last_month = now - dt.timedelta(days=30)

    with at_moment(last_month):
        client.force_login(ana)
        assert client.get(f"/admin/networks/focalpoint/{watched.pk}/change/").status_code == 200
        client.force_login(bob)
        assert client.get(f"/admin/networks/focalpoint/{other.pk}/change/").status_code == 200
        client.force_login(eve)  # sees masked identities only: nothing to record
        client.get(f"/admin/networks/focalpoint/{watched.pk}/change/")
    with at_moment(now):
        client.force_login(bob)
        assert client.get(f"/admin/networks/focalpoint/{watched.pk}/change/").status_code == 200

    client.logout()
    api = api_client(client, UserFactory.with_role("admin", username="auditor"))
    answer = api.get(
        "/api/v1/audit/",
        {
            "target_type": FOCAL_POINT,
            "target_id": watched.pk,
            "action": "identity_viewed",
            "at_after": (now - dt.timedelta(days=45)).isoformat(),
            "at_before": (now - dt.timedelta(days=15)).isoformat(),
        },
    )
    assert answer.status_code == 200
    assert [row["actor_username"] for row in answer.json()["results"]] == ["ana"]
    assert answer.json()["results"][0]["target_ids"] == [str(watched.pk)]

    same = audit_entries_about(
        target_type=FOCAL_POINT,
        target_id=watched.pk,
        action=Action.IDENTITY_VIEWED,
        at_after=now - dt.timedelta(days=45),
        at_before=now - dt.timedelta(days=15),
    )
    assert [e.actor.username for e in same] == ["ana"]


def test_the_focal_point_list_records_the_ids_on_the_page(client):
    people = [FocalPointFactory() for _ in range(3)]
    client.force_login(UserFactory.with_role("analyst", is_staff=True))
    assert client.get("/admin/networks/focalpoint/").status_code == 200
    (shown,) = entries(Action.IDENTITY_VIEWED)
    assert shown.target_type == FOCAL_POINT
    assert sorted(shown.target_id_list, key=int) == [str(p.pk) for p in people]
    assert shown.details["where"] == "admin_focal_point_list"


def test_masked_pages_record_nothing(client):
    from django.contrib.auth.models import Permission

    FocalPointFactory()
    user = UserFactory.with_role("viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_focalpoint"))
    client.force_login(user)
    assert client.get("/admin/networks/focalpoint/").status_code == 200
    assert entries(Action.IDENTITY_VIEWED) == []


def test_the_api_records_the_focal_points_each_response_shows(client):
    people = [FocalPointFactory() for _ in range(2)]
    api = api_client(client, UserFactory.with_role("analyst"))
    assert api.get("/api/v1/focal-points/").status_code == 200
    assert api.get(f"/api/v1/focal-points/{people[1].pk}/").status_code == 200
    listed, one = entries(Action.IDENTITY_VIEWED)
    assert listed.target_id_list == [str(p.pk) for p in people]
    assert one.target_id_list == [str(people[1].pk)]


def test_the_alert_page_records_the_reporter_it_shows(client):
    reporter = FocalPointFactory()
    alert = Alert.objects.create(source="sms", status="triaged", reporter=reporter, text="Calme")
    client.force_login(UserFactory.with_role("analyst"))
    assert client.get(f"/dashboard/alerts/{alert.pk}/").status_code == 200
    (shown,) = entries(Action.IDENTITY_VIEWED)
    assert shown.target_id_list == [str(reporter.pk)]
    assert shown.details["where"] == "alert"


def test_the_csv_export_is_recorded_with_its_filters_and_what_it_revealed(client):
    kept = FocalPointFactory(language="sw")
    FocalPointFactory(language="fr")
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    response = client.get("/admin/networks/focalpoint/export/", {"language__exact": "sw"})
    assert response.status_code == 200
    (export,) = entries(Action.EXPORT)
    assert export.target_id_list == [str(kept.pk)]
    assert export.details == {
        "export": "focal_points_csv",
        "filters": {"language__exact": "sw"},
        "identities": True,
        "count": 1,
    }
    (shown,) = entries(Action.IDENTITY_VIEWED)
    assert shown.target_id_list == [str(kept.pk)]


def test_a_search_for_a_name_or_number_is_recorded_without_what_was_typed(client):
    person = FocalPointFactory(name="Kavira Masika")
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    for typed in ("Kavira Masika", person.phone, person.phone[-9:]):
        response = client.get("/admin/networks/focalpoint/export/", {"q": typed})
        assert response.status_code == 200
    exports = entries(Action.EXPORT)
    assert [entry.details["filters"] for entry in exports] == [{"q": "[text]"}] * 3
    assert all(entry.target_id_list == [str(person.pk)] for entry in exports)


def test_numbers_never_reach_an_entry_whatever_a_caller_passes():
    entry = audit_record(
        actor=None,
        action=Action.EXPORT,
        details={"note": "sent to +243 991 234 567", "nested": ["0991234567"], "count": 1234567},
    )
    entry.refresh_from_db()
    assert entry.details == {"note": "sent to +[number]", "nested": ["[number]"], "count": 1234567}


# --- Changes of membership and role ----------------------------------------------------------


def test_membership_changes_are_recorded_with_who_made_them():
    admin = UserFactory.with_role("admin")
    membership = membership_start(
        focal_point=FocalPointFactory(), network=NetworkFactory(), by=admin
    )
    membership_end(membership=membership, left_on=membership.joined_on, by=admin)
    started, ended = entries(Action.MEMBERSHIP_CHANGED)
    assert (started.details["change"], ended.details["change"]) == ("started", "ended")
    assert started.actor == admin and started.target_id_list == [str(membership.pk)]
    assert ended.details["left_on"] == membership.joined_on.isoformat()


def test_ending_memberships_in_the_admin_names_the_admin(client):
    membership = membership_start(
        focal_point=FocalPointFactory(), network=NetworkFactory(), joined_on=dt.date(2024, 1, 1)
    )
    admin = UserFactory.with_role("admin", is_staff=True)
    client.force_login(admin)
    client.post(
        "/admin/networks/membership/",
        {"action": "end_today", "_selected_action": [membership.pk]},
    )
    assert Membership.objects.get(pk=membership.pk).left_on is not None
    ended = entries(Action.MEMBERSHIP_CHANGED)[-1]
    assert ended.details["change"] == "ended" and ended.actor == admin


def test_role_changes_are_recorded_with_who_made_them(client):
    admin = UserFactory(is_superuser=True, is_staff=True, username="root")
    target = UserFactory(username="kambale")
    client.force_login(admin)
    analyst = Group.objects.get(name="analyst")
    response = client.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": "kambale",
            "is_active": "on",
            "is_staff": "on",
            "groups": [analyst.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    changes = [e for e in entries(Action.ROLE_CHANGED) if e.target_id_list == [str(target.pk)]]
    assert {"is_staff": True} in [e.details for e in changes]
    assert {"added": ["analyst"]} in [e.details for e in changes]
    assert all(e.actor == admin for e in changes[-2:])


def test_taking_someone_out_of_a_group_is_recorded_from_either_side():
    user = UserFactory.with_role("analyst")
    Group.objects.get(name="analyst").user_set.remove(user)
    user.groups.add(Group.objects.get(name="viewer"))
    user.groups.clear()
    details = [e.details for e in entries(Action.ROLE_CHANGED)]
    assert details[-3:] == [
        {"removed": ["analyst"]},
        {"added": ["viewer"]},
        {"removed": ["viewer"]},
    ]


# --- The API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "analyst", "cla", "viewer"])
def test_the_audit_api_is_for_admins_only(client, role):
    api = api_client(client, UserFactory.with_role(role))
    assert api.get("/api/v1/audit/").status_code == 403


def test_nobody_writes_to_the_trail_through_the_api(client):
    api = api_client(client, UserFactory(is_superuser=True))
    entry = audit_record(actor=None, action=Action.EXPORT)
    refused = (403, 405)
    assert api.post("/api/v1/audit/", {"action": "export"}).status_code in refused
    assert api.delete(f"/api/v1/audit/{entry.pk}/").status_code in refused
    assert api.patch(f"/api/v1/audit/{entry.pk}/", {"details": {}}).status_code in refused
    assert list(AuditEntry.objects.filter(action=Action.EXPORT)) == [entry]
    assert AuditEntry.objects.get(pk=entry.pk).details == {}


@pytest.mark.parametrize(
    "params",
    [
        {"at_after": "yesterday"},
        {"at_before": "0001-01-01T00:00:00+02:00"},
        {"actor": str(2**70)},
        {"action": "nothing"},
        {"target_type": "networks.\x00"},
    ],
)
def test_bad_filters_are_a_400(client, params):
    api = api_client(client, UserFactory(is_superuser=True))
    assert api.get("/api/v1/audit/", params).status_code == 400
