"""Everything that comes with an alert follows its visibility: messages, incidents (their alerts,
references and reporters), history, exports, broadcast replies, the alerts raised from visits;
and only who sees all of an incident's alerts merges or splits it. `ana` works Beni."""

import datetime as dt

from django.utils import timezone

from alerts.models import Alert, Broadcast, BroadcastRecipient, BroadcastReply, Message
from alerts.services import AssignmentRefused, alert_update
from cla.models import VisitAlert
from cla.services import field_visit_create
from triage.models import Incident


def _bodies(client, url="/api/v1/messages/?page_size=200"):
    response = client.get(url)
    assert response.status_code == 200
    return {row["body"] for row in response.json()["results"]}


def test_an_analyst_reads_the_messages_of_her_areas_alerts_only(world, api):
    assert _bodies(api(world["ana"])) == {"Attaque à Mbau", "Encore Mbau", "Enlèvement Mbau"}


def test_an_analyst_without_areas_and_a_supervisor_read_every_message(world, api):
    everything = {
        "Attaque à Mbau",
        "Encore Mbau",
        "Pillage à Kanyabayonga",
        "Enlèvement Mbau",
        "Enlèvement Kanya",
        "Broadcast, no alert",
    }
    assert _bodies(api(world["roaming"])) == everything
    assert _bodies(api(world["sup"])) == everything


def test_a_message_of_a_hidden_alert_is_not_found_by_id_nor_by_filter(world, api):
    client = api(world["ana"])
    hidden = Message.objects.get(alert=world["in_lubero"])
    assert client.get(f"/api/v1/messages/{hidden.pk}/").status_code == 404
    assert _bodies(client, f"/api/v1/messages/?alert={world['in_lubero'].pk}") == set()
    shown = Message.objects.get(alert=world["in_beni"])
    assert client.get(f"/api/v1/messages/{shown.pk}/").status_code == 200


def test_a_hidden_alerts_thread_and_history_are_not_found(world, api):
    client = api(world["ana"])
    for part in ("messages", "history"):
        assert client.get(f"/api/v1/alerts/{world['in_lubero'].pk}/{part}/").status_code == 404
        assert client.get(f"/api/v1/alerts/{world['in_beni'].pk}/{part}/").status_code == 200


def _incidents(client) -> dict[int, dict]:
    response = client.get("/api/v1/incidents/?page_size=200")
    assert response.status_code == 200
    return {row["id"]: row for row in response.json()["results"]}


def test_an_analyst_lists_incidents_with_an_alert_of_hers_showing_only_those_alerts(world, api):
    rows = _incidents(api(world["ana"]))
    assert set(rows) == {world["inc_beni"].pk, world["inc_both"].pk}
    both = rows[world["inc_both"].pk]["alerts"]
    assert [a["reference"] for a in both] == [world["both_beni"].reference]
    assert [a["reporter"] for a in both] == [world["fp_beni"].pk]
    text = str(rows)
    assert world["both_lubero"].reference not in text
    assert world["in_lubero"].reference not in text


def test_a_supervisor_sees_every_incident_and_all_their_alerts(world, api):
    rows = _incidents(api(world["sup"]))
    assert set(rows) == {world["inc_beni"].pk, world["inc_lubero"].pk, world["inc_both"].pk}
    assert len(rows[world["inc_both"].pk]["alerts"]) == 2


def test_an_incident_of_another_area_is_not_found_nor_exported(world, api):
    client = api(world["ana"])
    assert client.get(f"/api/v1/incidents/{world['inc_lubero'].pk}/").status_code == 404
    export = b"".join(client.get("/api/v1/incidents/export/").streaming_content).decode()
    assert str(world["inc_beni"]) in export
    assert str(world["inc_lubero"]) not in export


def test_merging_or_splitting_outside_ones_areas_is_refused(world, api):
    client = api(world["ana"])
    beni, both, lubero = world["inc_beni"], world["inc_both"], world["inc_lubero"]
    # An incident she cannot see does not exist for her.
    merge = client.post(f"/api/v1/incidents/{beni.pk}/merge/", {"incident": lubero.pk})
    assert merge.status_code == 400
    assert merge.json() == {"incident": ["No such incident."]}
    assert (
        client.post(f"/api/v1/incidents/{lubero.pk}/merge/", {"incident": beni.pk}).status_code
        == 404
    )
    # One she sees holds an alert of Lubero: she may not move it.
    merge = client.post(f"/api/v1/incidents/{beni.pk}/merge/", {"incident": both.pk})
    assert merge.status_code == 403
    assert "outside your areas" in merge.json()["detail"]
    split = client.post(
        f"/api/v1/incidents/{both.pk}/split/", {"alerts": [world["both_beni"].pk]}, format="json"
    )
    assert split.status_code == 403
    assert Alert.objects.filter(incident=both).count() == 2
    assert Incident.objects.filter(pk=lubero.pk).exists()


def test_within_her_areas_she_splits_and_a_supervisor_merges_across_them(world, api):
    split = api(world["ana"]).post(
        f"/api/v1/incidents/{world['inc_beni'].pk}/split/",
        {"alerts": [world["in_beni_2"].pk]},
        format="json",
    )
    assert split.status_code == 201, split.content
    merge = api(world["sup"]).post(
        f"/api/v1/incidents/{world['inc_beni'].pk}/merge/", {"incident": world["inc_both"].pk}
    )
    assert merge.status_code == 200, merge.content


def test_the_incident_page_shows_her_alerts_and_refuses_actions_outside(world, client):
    client.force_login(world["ana"])
    assert client.get(f"/dashboard/incidents/{world['inc_lubero'].pk}/").status_code == 404
    page = client.get(f"/dashboard/incidents/{world['inc_both'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world["both_beni"].reference in html
    assert world["both_lubero"].reference not in html and "Enlèvement Kanya" not in html
    assert "merge-form" not in html  # no action offered on it
    merge = client.post(
        f"/dashboard/incidents/{world['inc_beni'].pk}/merge/",
        {"other": str(world["inc_both"])},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "holds alerts outside your areas" in merge.content.decode()
    split = client.post(
        f"/dashboard/incidents/{world['inc_both'].pk}/split/", {"alerts": [world["both_beni"].pk]}
    )
    assert split.status_code == 403
    hidden = client.post(
        f"/dashboard/incidents/{world['inc_lubero'].pk}/merge/", {"other": str(world["inc_beni"])}
    )
    assert hidden.status_code == 404
    assert Alert.objects.filter(incident=world["inc_both"]).count() == 2


def test_the_alert_page_lists_only_the_incidents_alerts_she_may_see(world, client):
    client.force_login(world["ana"])
    html = client.get(f"/dashboard/alerts/{world['both_beni'].pk}/").content.decode()
    assert world["both_lubero"].reference not in html


def test_the_map_draws_only_incidents_holding_her_alerts(world, client):
    client.force_login(world["ana"])
    data = client.get("/dashboard/map/data/?open=0").json()
    ids = {f["properties"]["id"] for f in data["incidents"]["features"]}
    assert ids == {world["inc_beni"].pk, world["inc_both"].pk}


def test_broadcast_replies_are_those_she_may_see(world, api):
    broadcast = Broadcast.objects.create(title="Alerte", text_fr="Restez prudents")
    for person, alert in ((world["fp_beni"], "in_beni"), (world["fp_lubero"], "in_lubero")):
        recipient = BroadcastRecipient.objects.create(
            broadcast=broadcast, focal_point=person, language="fr", due_at=timezone.now()
        )
        BroadcastReply.objects.create(broadcast=broadcast, recipient=recipient, alert=world[alert])
    rows = api(world["ana"]).get(f"/api/v1/broadcasts/{broadcast.pk}/replies/").json()["results"]
    assert [row["id"] for row in rows] == [world["in_beni"].pk]


def test_a_visit_shows_only_the_alerts_she_may_see(world, api, client):
    visit, _created = field_visit_create(
        cla=world["lubero_cla"],
        idempotency_key="6f1f2f4a-0000-4000-8000-000000000001",
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        places=[world["kanya"]],
    )
    VisitAlert.objects.create(visit=visit, alert=world["in_lubero"])
    body = api(world["ana"]).get(f"/api/v1/field-visits/{visit.pk}/").json()
    assert body["alerts"] == []
    client.force_login(world["ana"])
    html = client.get(f"/cla/visits/{visit.pk}/").content.decode()
    assert "Pillage à Kanyabayonga" not in html and world["in_lubero"].reference not in html
    # The CLA who raised it, and a supervisor, see it.
    mine = api(world["lubero_cla"]).get(f"/api/v1/field-visits/{visit.pk}/").json()
    assert [a["id"] for a in mine["alerts"]] == [world["in_lubero"].pk]


def test_alerts_are_assigned_only_to_people_who_work_them(world, api):
    client = api(world["ana"])
    url = f"/api/v1/alerts/{world['in_beni'].pk}/"
    refused = client.patch(url, {"assignee": world["vee"].pk}, format="json")
    assert refused.status_code == 400
    assert "does not work alerts" in str(refused.json()["assignee"])
    assert client.patch(url, {"assignee": world["lubero_cla"].pk}, format="json").status_code == 400
    assert client.patch(url, {"assignee": world["roaming"].pk}, format="json").status_code == 200
    assert client.patch(url, {"assignee": None}, format="json").status_code == 200
    world["in_beni"].refresh_from_db()
    assert world["in_beni"].assignee_id is None


def test_the_service_refuses_an_assignee_who_does_not_work_alerts(world):
    try:
        alert_update(alert=world["in_beni"], by=world["sup"], assignee=world["vee"])
    except AssignmentRefused:
        pass
    else:
        raise AssertionError("a viewer was given an alert")
    world["roaming"].is_active = False
    world["roaming"].save()
    try:
        alert_update(alert=world["in_beni"], by=world["sup"], assignee=world["roaming"])
    except AssignmentRefused:
        pass
    else:
        raise AssertionError("a deactivated user was given an alert")


def test_the_queue_bulk_assignment_refuses_a_viewer(world, client):
    client.force_login(world["ana"])
    client.post(
        "/dashboard/bulk/",
        {"action": "assign", "alerts": [world["in_beni"].pk], "assignee": world["vee"].pk},
    )
    world["in_beni"].refresh_from_db()
    assert world["in_beni"].assignee_id is None
