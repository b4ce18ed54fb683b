"""Resolving an incident: its open alerts are closed and what was done written down; an alert
that joins it afterwards, by triage or a merge, reopens it, and its history says so."""

import pytest
from django.utils import translation

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create, alert_transition
from tests.factories import UserFactory
from triage.models import Incident, IncidentEvent
from triage.services import (
    IncidentRefused,
    alert_triage,
    incident_merge,
    incident_reopen,
    incident_resolve,
    incident_split,
)

from .support import at, make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db
K = IncidentEvent.Kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst")


def acknowledged(alert: Alert, by, *, to: str = Alert.Status.ACKNOWLEDGED) -> Alert:
    alert_transition(alert=alert, to=Alert.Status.ACKNOWLEDGED, by=by)
    if to != Alert.Status.ACKNOWLEDGED:
        alert_transition(alert=alert, to=to, by=by)
    return alert


@pytest.fixture
def incident(places, analyst) -> Incident:
    """Two alerts at Mbau: one verified, one escalated."""
    first = acknowledged(
        triaged_alert(location=places.mbau, received_at=at(0)), analyst, to="verified"
    )
    second = triaged_alert(location=places.mbau, received_at=at(1))
    acknowledged(second, analyst, to="verified")
    alert_transition(alert=second, to=Alert.Status.ESCALATED, by=analyst)
    first.refresh_from_db()
    assert first.incident_id == second.incident_id is not None
    return first.incident


def history(incident: Incident) -> list[tuple[str, str]]:
    return list(IncidentEvent.objects.filter(incident=incident).values_list("kind", "note"))


def test_resolving_closes_the_open_alerts_and_records_who_and_what(incident, analyst):
    resolved = incident_resolve(
        incident=incident, by=analyst, note="  Patrouille sur place, calme revenu  "
    )
    incident.refresh_from_db()
    assert incident.is_resolved and resolved.is_resolved
    assert (incident.resolved_by, incident.resolution_note) == (
        analyst,
        "Patrouille sur place, calme revenu",
    )
    alerts = list(incident.alerts.order_by("pk"))
    assert [a.status for a in alerts] == ["closed", "closed"]
    assert all(a.closed_at is not None for a in alerts)
    closing = AlertEvent.objects.filter(alert__in=alerts, kind="status", after="closed")
    # Written in the users' working language, whoever resolved it.
    assert [e.note for e in closing] == [f"Clôturée à la résolution de {incident.reference}."] * 2
    event = incident.events.get()
    assert (event.kind, event.by, event.note) == (K.RESOLVED, analyst, incident.resolution_note)
    assert event.details == {"closed": [a.pk for a in alerts]}


def test_an_alert_nobody_acknowledged_yet_blocks_the_resolution(incident, places, analyst):
    waiting = triaged_alert(location=places.mbau, received_at=at(2))
    assert waiting.incident_id == incident.pk
    with pytest.raises(IncidentRefused, match=waiting.reference):
        incident_resolve(incident=incident, by=analyst)
    incident.refresh_from_db()
    assert not incident.is_resolved and not incident.events.exists()
    assert set(incident.alerts.values_list("status", flat=True)) == {
        "verified",
        "escalated",
        "triaged",
    }


def test_an_alert_that_joined_after_the_page_was_drawn_blocks_the_resolution(
    incident, places, analyst
):
    seen = list(incident.alerts.values_list("pk", flat=True))
    late = acknowledged(triaged_alert(location=places.mbau, received_at=at(3)), analyst)
    with pytest.raises(IncidentRefused, match="since you opened it"):
        incident_resolve(incident=incident, by=analyst, seen_alert_ids=seen)
    incident_resolve(incident=incident, by=analyst, seen_alert_ids=[*seen, late.pk])
    incident.refresh_from_db()
    assert incident.is_resolved


def test_resolving_twice_or_reopening_an_open_incident_is_refused(incident, analyst):
    with pytest.raises(IncidentRefused, match="not resolved"):
        incident_reopen(incident=incident, by=analyst)
    incident_resolve(incident=incident, by=analyst, note="Fini")
    with pytest.raises(IncidentRefused, match="already resolved"):
        incident_resolve(incident=incident, by=analyst)
    with pytest.raises(IncidentRefused, match="at most"):
        incident_reopen(incident=incident, by=analyst, note="x" * 2001)


def test_reopening_by_hand_clears_the_resolution_and_keeps_it_in_the_history(incident, analyst):
    incident_resolve(incident=incident, by=analyst, note="Calme")
    incident_reopen(incident=incident, by=analyst, note="Nouveaux tirs signalés")
    incident.refresh_from_db()
    assert (incident.resolved_at, incident.resolved_by, incident.resolution_note) == (
        None,
        None,
        "",
    )
    assert history(incident) == [(K.RESOLVED, "Calme"), (K.REOPENED, "Nouveaux tirs signalés")]
    # Its alerts stay closed: each is reopened on its own page if it needs work.
    assert set(incident.alerts.values_list("status", flat=True)) == {"closed"}


def test_an_alert_grouped_into_a_resolved_incident_reopens_it(incident, places, analyst):
    incident_resolve(incident=incident, by=analyst)
    late = triaged_alert(location=places.mbau, received_at=at(4))
    incident.refresh_from_db()
    assert late.incident_id == incident.pk
    assert not incident.is_resolved and incident.alert_count == 3
    reopened = incident.events.get(kind=K.REOPENED)
    assert (reopened.alert, reopened.by) == (late, None)
    assert late.reference in reopened.note


def test_triage_reopens_a_resolved_incident_an_alert_joins(places, analyst):
    first = alert_triage(alert=alert_create(source="web", text="Hommes armés à Mbau, on tire"))
    acknowledged(first, analyst)
    incident = first.incident
    incident_resolve(incident=incident, by=analyst, note="Calme revenu")
    second = alert_triage(alert=alert_create(source="web", text="On tire encore à Mbau"))
    assert second.incident_id == incident.pk
    incident.refresh_from_db()
    assert not incident.is_resolved and incident.alert_count == 2
    assert history(incident)[0] == (K.RESOLVED, "Calme revenu")
    reopened = incident.events.get(kind=K.REOPENED)
    assert reopened.alert_id == second.pk and second.reference in reopened.note


def test_merging_an_open_incident_into_a_resolved_one_reopens_it(places, analyst):
    resolved = acknowledged(triaged_alert(location=places.mbau, received_at=at(0)), analyst)
    resolved = resolved.incident
    incident_resolve(incident=resolved, by=analyst, note="Calme")
    other = triaged_alert(location=places.oicha, received_at=at(30)).incident
    assert other.pk != resolved.pk
    merged = incident_merge(incident=resolved, other=other, by=analyst)
    merged.refresh_from_db()
    assert not merged.is_resolved
    assert [kind for kind, _note in history(merged)] == [K.RESOLVED, K.REOPENED]
    assert other.reference in merged.events.get(kind=K.REOPENED).note


def test_merging_keeps_the_merged_incidents_history(places, analyst):
    first = acknowledged(triaged_alert(location=places.mbau, received_at=at(0)), analyst)
    second = acknowledged(triaged_alert(location=places.oicha, received_at=at(30)), analyst)
    for alert in (first, second):
        incident_resolve(incident=alert.incident, by=analyst, note=alert.reference)
    merged = incident_merge(incident=first.incident, other=second.incident, by=analyst)
    merged.refresh_from_db()
    assert merged.is_resolved  # both were: nothing new came in
    assert sorted(note for _kind, note in history(merged)) == sorted(
        [first.reference, second.reference]
    )


def test_alerts_split_out_of_a_resolved_incident_stay_resolved(incident, analyst):
    incident_resolve(incident=incident, by=analyst, note="Calme")
    moving = incident.alerts.order_by("-received_at").first()
    new = incident_split(incident=incident, alert_ids=[moving.pk], by=analyst)
    new.refresh_from_db()
    assert new.is_resolved and new.resolution_note == "Calme"
    event = new.events.get()
    assert (event.kind, event.details) == (K.RESOLVED, {"split_from": incident.pk})


def test_history_lines_are_never_changed_or_deleted(incident, analyst):
    incident_resolve(incident=incident, by=analyst)
    event = incident.events.get()
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
