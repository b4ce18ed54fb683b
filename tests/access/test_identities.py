"""Whose names and numbers one reads (an analyst her areas' focal points, a CLA her places',
supervisors and admins everyone's, viewers nobody's) and how many within an hour: past
IDENTITY_READS_PER_HOUR the API answers 429, pages mask, and supervisors are told."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, Broadcast, BroadcastRecipient
from networks.models import AuditEntry
from networks.services import focal_point_create

Action = AuditEntry.Action


def _people(client) -> dict[int, dict]:
    response = client.get("/api/v1/focal-points/?page_size=200")
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def test_an_analyst_lists_the_focal_points_of_her_areas_networks(world, api):
    rows = _people(api(world["ana"]))
    assert set(rows) == {world["fp_beni"].pk}
    assert rows[world["fp_beni"].pk]["name"] == "Kavira Beni"


def test_a_cla_lists_those_of_her_places_networks_and_those_living_there_in_no_network(world, api):
    assert set(_people(api(world["lubero_cla"]))) == {world["fp_lubero"].pk, world["fp_loose"].pk}


@pytest.mark.parametrize("who", ["roaming", "sup", "root"])
def test_supervisors_admins_and_analysts_without_areas_list_everyone(world, api, who):
    people = {world["fp_beni"].pk, world["fp_lubero"].pk, world["fp_loose"].pk}
    assert set(_people(api(world[who]))) == people


def test_a_viewer_lists_nobody(world, api):
    assert api(world["vee"]).get("/api/v1/focal-points/").status_code == 403


def test_a_focal_point_outside_her_areas_is_not_found_and_the_shown_one_is_audited(world, api):
    client = api(world["ana"])
    assert client.get(f"/api/v1/focal-points/{world['fp_lubero'].pk}/").status_code == 404
    body = client.get(f"/api/v1/focal-points/{world['fp_beni'].pk}/").json()
    assert (body["name"], body["phone"]) == ("Kavira Beni", "+243991000001")
    entry = AuditEntry.objects.get(action=Action.IDENTITY_VIEWED, actor=world["ana"])
    assert entry.target_id_list == [str(world["fp_beni"].pk)]


def test_leaving_a_network_moves_the_focal_point_out_of_its_areas(world, api):
    from networks.services import membership_end

    membership = world["fp_beni"].memberships.get()
    membership_end(membership=membership, left_on=timezone.localdate(), by=world["root"])
    # No network now: judged by home (Mbau, in Beni), so still hers.
    assert set(_people(api(world["ana"]))) == {world["fp_beni"].pk}
    world["fp_beni"].home_location = world["kanya"]
    world["fp_beni"].save()
    assert set(_people(api(world["ana"]))) == set()


def test_the_alert_page_names_the_reporter_only_within_her_areas(world, client):
    client.force_login(world["ana"])
    shown = client.get(f"/dashboard/alerts/{world['in_beni'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Kavira Beni" in shown.content.decode()
    # Assigned to her, but the reporter's network is in Lubero: masked.
    world["in_lubero"].assignee = world["ana"]
    world["in_lubero"].save()
    page = client.get(f"/dashboard/alerts/{world['in_lubero'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kambale Lubero" not in html and "+243991000002" not in html
    assert "K. L." in html and "outside your areas" in html


def test_a_recording_is_heard_only_by_who_may_read_the_reporter(world, client):
    world["in_lubero"].recording_url = "https://api.twilio.com/recording/RE1"
    world["in_lubero"].assignee = world["ana"]
    world["in_lubero"].save()
    client.force_login(world["ana"])
    assert client.get(f"/dashboard/alerts/{world['in_lubero'].pk}/recording/").status_code == 403


# --- The hourly limit --------------------------------------------------------------------------


@pytest.fixture
def limit_two(settings):
    settings.IDENTITY_READS_PER_HOUR = 2


def test_past_the_hourly_limit_the_api_answers_429_and_records_it(world, api, limit_two):
    client = api(world["sup"])
    for person in ("fp_beni", "fp_lubero"):
        assert client.get(f"/api/v1/focal-points/{world[person].pk}/").status_code == 200
    # Those two again: already read, they do not count twice.
    assert client.get(f"/api/v1/focal-points/{world['fp_beni'].pk}/").status_code == 200
    refused = client.get(f"/api/v1/focal-points/{world['fp_loose'].pk}/")
    assert refused.status_code == 429
    assert "Too many names and numbers" in refused.json()["detail"]
    assert client.get("/api/v1/focal-points/").status_code == 429
    entry = AuditEntry.objects.filter(action=Action.IDENTITY_LIMIT).order_by("at", "id").first()
    assert entry.actor == world["sup"]
    assert entry.target_id_list == [str(world["fp_loose"].pk)]
    assert entry.details["already_read"] == 2 and entry.details["limit"] == 2


def test_reads_older_than_an_hour_no_longer_count(world, api, limit_two):
    AuditEntry.objects.create(
        actor=world["sup"],
        action=Action.IDENTITY_VIEWED,
        target_type="networks.focalpoint",
        target_ids=f",{world['fp_beni'].pk},{world['fp_lubero'].pk},",
        at=timezone.now() - dt.timedelta(minutes=61),
    )
    client = api(world["sup"])
    assert client.get(f"/api/v1/focal-points/{world['fp_loose'].pk}/").status_code == 200


def test_an_admin_is_not_limited(world, api, limit_two):
    assert len(_people(api(world["root"]))) == 3


def test_a_list_page_past_the_limit_is_refused_whole(world, api, limit_two):
    assert api(world["sup"]).get("/api/v1/focal-points/").status_code == 429
    assert not AuditEntry.objects.filter(action=Action.IDENTITY_VIEWED).exists()


def test_past_the_limit_the_alert_page_masks_the_reporter_with_a_notice(world, client, settings):
    settings.IDENTITY_READS_PER_HOUR = 1
    client.force_login(world["sup"])
    client.get(f"/dashboard/alerts/{world['in_beni'].pk}/")
    html = client.get(
        f"/dashboard/alerts/{world['in_lubero'].pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Kambale Lubero" not in html and "+243991000002" not in html
    assert "K. L." in html and "bulk reading is refused" in html


def test_supervisors_see_the_refusals_on_the_queue_and_their_page(world, api, client, limit_two):
    for person in ("fp_beni", "fp_lubero", "fp_loose"):
        api(world["ana"]).get(f"/api/v1/focal-points/{world[person].pk}/")  # Lubero: 404
    roaming = api(world["roaming"])
    for person in ("fp_beni", "fp_lubero", "fp_loose"):
        roaming.get(f"/api/v1/focal-points/{world[person].pk}/")
    client.force_login(world["sup"])
    queue = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 bulk read of names and numbers refused" in queue
    page = client.get("/dashboard/identity-reads/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "roaming" in page.content.decode() and "api_focal_point" in page.content.decode()
    client.force_login(world["ana"])
    assert client.get("/dashboard/identity-reads/").status_code == 403
    assert "bulk read" not in client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_past_the_limit_the_admin_list_masks_names_and_says_why(world, client, limit_two):
    client.force_login(world["sup"])
    world["sup"].is_staff = True
    world["sup"].save()
    html = client.get("/admin/networks/focalpoint/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kavira Beni" not in html and "+243991000001" not in html
    assert "K. B." in html and "bulk reading is refused" in html
    assert AuditEntry.objects.filter(action=Action.IDENTITY_LIMIT).count() == 1


def test_within_the_limit_the_admin_list_names_them(world, client):
    world["sup"].is_staff = True
    world["sup"].save()
    client.force_login(world["sup"])
    html = client.get("/admin/networks/focalpoint/").content.decode()
    assert "Kavira Beni" in html and "+243991000002" in html


def test_past_the_limit_the_csv_export_is_masked(world, client, limit_two):
    world["sup"].is_staff = True
    world["sup"].save()
    client.force_login(world["sup"])
    response = client.get("/admin/networks/focalpoint/export/")
    body = response.content.decode()
    assert "Kavira Beni" not in body and "+243991000001" not in body
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.details["identities"] is False


def test_broadcast_recipients_past_the_limit(world, api, client, limit_two):
    broadcast = Broadcast.objects.create(title="Alerte", text_fr="Restez prudents", status="done")
    for person in ("fp_beni", "fp_lubero", "fp_loose"):
        BroadcastRecipient.objects.create(
            broadcast=broadcast, focal_point=world[person], language="fr", due_at=timezone.now()
        )
    url = f"/api/v1/broadcasts/{broadcast.pk}/recipients/"
    assert api(world["sup"]).get(url).status_code == 429
    assert api(world["root"]).get(url).status_code == 200
    client.force_login(world["roaming"])
    html = client.get(
        f"/dashboard/broadcasts/{broadcast.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Kavira Beni" not in html and "bulk reading is refused" in html


def test_broadcast_recipients_outside_her_areas_are_masked(world, api):
    broadcast = Broadcast.objects.create(title="Alerte", text_fr="Restez prudents")
    for person in ("fp_beni", "fp_lubero"):
        BroadcastRecipient.objects.create(
            broadcast=broadcast, focal_point=world[person], language="fr", due_at=timezone.now()
        )
    rows = api(world["ana"]).get(f"/api/v1/broadcasts/{broadcast.pk}/recipients/").json()
    names = {row["focal_point"]: row["name"] for row in rows["results"]}
    assert names == {world["fp_beni"].pk: "Kavira Beni", world["fp_lubero"].pk: "K. L."}


def test_the_operator_form_names_her_areas_focal_points_masked_past_the_limit(
    world, client, settings
):
    client.force_login(world["ana"])
    html = client.get("/dashboard/alerts/new/").content.decode()
    assert "Kavira Beni" in html and "Kambale Lubero" not in html
    for n in range(3):
        focal_point_create(
            name=f"Extra Person{n}", phone=f"+24399100010{n}", home_location=world["mbau"]
        )
    settings.IDENTITY_READS_PER_HOUR = 2
    html = client.get("/dashboard/alerts/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kavira Beni" not in html and "K. B." in html
    assert "bulk reading is refused" in html


def test_a_cla_reads_the_recruits_she_made_and_not_others(world, api):
    from cla.services import RecruitData, field_visit_create

    visit, _ = field_visit_create(
        cla=world["lubero_cla"],
        idempotency_key="6f1f2f4a-0000-4000-8000-000000000002",
        visited_on=timezone.localdate(),
        places=[world["mbau"]],  # a visit outside her places
        recruits=[RecruitData(phone="0991234399", name="Neema Recrue", consent=True)],
    )
    body = api(world["lubero_cla"]).get(f"/api/v1/field-visits/{visit.pk}/").json()
    assert body["recruits"][0]["name"] == "Neema Recrue"
    other = api(world["ana"]).get(f"/api/v1/field-visits/{visit.pk}/").json()
    assert other["recruits"][0]["name"] == "N. R."


def test_unplaced_alerts_reporters_follow_the_same_rule(world, api):
    unplaced = Alert.objects.create(source="sms", text="quelque part", reporter=world["fp_lubero"])
    rows = api(world["ana"]).get("/api/v1/alerts/?page_size=200").json()["results"]
    assert unplaced.pk in {row["id"] for row in rows}  # she sees the alert
    assert set(_people(api(world["ana"]))) == {world["fp_beni"].pk}  # not who sent it


def test_the_admin_asks_a_new_focal_points_sim_number_and_shows_a_known_one(world, client):
    from networks.models import Equipment

    Equipment.objects.create(
        focal_point=world["fp_beni"], kind="sim", given_on="2025-01-02", serial="0991000077"
    )
    world["root"].is_staff = True
    world["root"].save()
    client.force_login(world["root"])
    assert "__prefix__-serial" in client.get("/admin/networks/focalpoint/add/").content.decode()
    page = client.get(f"/admin/networks/focalpoint/{world['fp_beni'].pk}/change/")
    assert "0991000077" in page.content.decode()
