"""Incidents: alerts grouped by place, time and category; reporters, mechanisms and
corroboration; merge and split."""

import threading

import pytest
from django.db import connections, transaction
from django.utils import translation

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from networks.models import Location
from networks.services import focal_point_create
from tests.factories import UserFactory
from triage.models import Incident
from triage.services import (
    IncidentRefused,
    alert_group,
    alert_triage,
    incident_merge,
    incident_split,
)
from triage.services.incidents import category_families, grouping_rules, mechanism_of

from .support import at, make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are read in English here, whatever the catalogue says in French."""
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst")


def _incident(alert: Alert) -> Incident | None:
    alert.refresh_from_db()
    return alert.incident


# --- Grouping -------------------------------------------------------------------------------------


def test_alerts_about_the_same_place_within_the_window_share_an_incident(places):
    first = triaged_alert(location=places.mbau, received_at=at(0))
    second = triaged_alert(location=places.mbau, received_at=at(11.5))
    assert _incident(first) is not None
    assert _incident(first) == _incident(second)
    assert Incident.objects.count() == 1


def test_an_alert_outside_the_window_starts_a_new_incident(places):
    first = triaged_alert(location=places.mbau, received_at=at(0))
    late = triaged_alert(location=places.mbau, received_at=at(12.5))
    assert _incident(first) != _incident(late)
    assert Incident.objects.count() == 2


def test_the_window_is_measured_between_received_times_also_for_a_late_comer(places, settings):
    """An SMS delayed by the network is triaged after newer ones: it still joins them."""
    settings.INCIDENT_WINDOW_HOURS = 2
    newer = triaged_alert(location=places.mbau, received_at=at(10))
    older = triaged_alert(location=places.mbau, received_at=at(8.5))
    much_older = triaged_alert(location=places.mbau, received_at=at(5))
    assert _incident(older) == _incident(newer)
    assert _incident(much_older) != _incident(newer)
    incident = _incident(newer)
    assert (incident.first_seen_at, incident.last_seen_at) == (at(8.5), at(10))


def test_a_neighbouring_place_within_the_radius_joins(places):
    mbau = triaged_alert(location=places.mbau)
    oicha = triaged_alert(location=places.oicha, received_at=at(1))  # about 8 km away
    assert _incident(mbau) == _incident(oicha)
    assert _incident(mbau).location == places.mbau  # the incident keeps its first place


def test_a_place_beyond_the_radius_starts_its_own_incident(places):
    mbau = triaged_alert(location=places.mbau)
    eringeti = triaged_alert(location=places.eringeti, received_at=at(1))  # about 28 km
    uvira = triaged_alert(location=places.uvira, received_at=at(1))
    assert len({_incident(mbau).pk, _incident(eringeti).pk, _incident(uvira).pk}) == 3


def test_the_radius_is_a_setting(places, settings):
    settings.INCIDENT_RADIUS_KM = 30
    mbau = triaged_alert(location=places.mbau)
    eringeti = triaged_alert(location=places.eringeti, received_at=at(1))
    assert _incident(mbau) == _incident(eringeti)


def test_the_same_place_matches_even_without_coordinates(places):
    first = triaged_alert(location=places.kalau)
    second = triaged_alert(location=places.kalau, received_at=at(3))
    assert _incident(first) == _incident(second)


def test_different_places_without_coordinates_are_never_neighbours(places):
    kalau = triaged_alert(location=places.kalau)
    mbau = triaged_alert(location=places.mbau, received_at=at(1))
    kasugho = triaged_alert(location=places.kasugho, received_at=at(1))
    assert len({_incident(kalau).pk, _incident(mbau).pk, _incident(kasugho).pk}) == 3


@pytest.mark.parametrize(
    ("first", "second", "together"),
    [
        (["attack"], ["displacement"], True),
        (["armed_presence"], ["abduction", "looting"], True),
        (["sexual_violence"], ["attack"], True),
        (["hate_speech"], ["intercommunal_tension"], True),
        (["attack"], ["intercommunal_tension"], False),
        (["hate_speech"], ["armed_presence"], False),
        (["other", "attack"], ["attack"], True),
    ],
)
def test_only_compatible_categories_share_an_incident(places, first, second, together):
    a = triaged_alert(location=places.mbau, categories=first)
    b = triaged_alert(location=places.mbau, categories=second, received_at=at(1))
    assert (_incident(a) == _incident(b)) is together


def test_an_alert_of_no_family_joins_nothing_and_opens_nothing(places):
    triaged_alert(location=places.mbau, categories=["attack"])
    greeting = triaged_alert(location=places.mbau, categories=["other"], received_at=at(1))
    uncategorised = triaged_alert(location=places.mbau, categories=[], received_at=at(1))
    assert _incident(greeting) is None and _incident(uncategorised) is None
    assert Incident.objects.count() == 1


def test_an_alert_without_a_place_never_joins(places):
    triaged_alert(location=places.mbau)
    nowhere = alert_triage(
        alert=Alert.objects.create(source="sms", text="Des hommes armés tirent, venez vite")
    )
    assert nowhere.location_id is None and nowhere.categories
    assert _incident(nowhere) is None
    assert Incident.objects.count() == 1


def test_triage_groups_alerts_it_places(places):
    first = alert_triage(alert=alert_create(source="web", text="Hommes armés à Mbau, on tire"))
    second = alert_triage(alert=alert_create(source="web", text="Les gens fuient Oicha"))
    third = alert_triage(alert=alert_create(source="web", text="Bonjour, merci pour tout"))
    assert first.location == places.mbau and second.location == places.oicha
    assert first.incident is not None and first.incident == second.incident
    assert third.incident is None
    first.incident.refresh_from_db()
    assert (first.incident.alert_count, first.incident.reporter_count) == (2, 1)  # one user
    assert set(first.incident.categories) == {*first.categories, *second.categories}


def test_grouping_twice_changes_nothing(places):
    alert = triaged_alert(location=places.mbau)
    incident = _incident(alert)
    with transaction.atomic():
        assert alert_group(alert=alert, location=places.mbau) is None
    assert Incident.objects.get().alert_count == 1 and _incident(alert) == incident


# --- What an incident shows -------------------------------------------------------------------


def test_it_counts_independent_reporters_and_mechanisms(places):
    kavira = focal_point_create(name="Kavira Masika", phone="+243991234567")
    cla = UserFactory(username="claire", role="cla")

    one = triaged_alert(location=places.mbau, reporter=kavira, priority=2, categories=["attack"])
    incident = _incident(one)
    assert (incident.reporter_count, incident.mechanism_count) == (1, 1)
    assert incident.corroboration == Incident.Corroboration.SINGLE

    # The same focal point again, by SMS then by a call: still one reporter, one mechanism.
    triaged_alert(location=places.mbau, reporter=kavira, received_at=at(1))
    triaged_alert(location=places.mbau, reporter=kavira, source="voice", received_at=at(2))
    incident.refresh_from_db()
    assert (incident.alert_count, incident.reporter_count, incident.mechanism_count) == (3, 1, 1)
    assert incident.corroboration == Incident.Corroboration.SINGLE

    # An unknown number: a second source through the same mechanism.
    triaged_alert(location=places.oicha, sender="+243970000555", received_at=at(3))
    triaged_alert(location=places.oicha, sender="+243970000555", received_at=at(4))
    incident.refresh_from_db()
    assert (incident.reporter_count, incident.mechanism_count) == (2, 1)
    assert incident.corroboration == Incident.Corroboration.SOURCES

    # A liaison assistant's visit, twice by the same person: a third source, a second mechanism.
    for hours in (5, 6):
        triaged_alert(
            location=places.mbau,
            source="cla",
            created_by=cla,
            priority=1,
            categories=["displacement"],
            received_at=at(hours),
        )
    incident.refresh_from_db()
    assert (incident.alert_count, incident.reporter_count, incident.mechanism_count) == (7, 3, 2)
    assert incident.mechanisms == ["can", "cla"]
    assert incident.corroboration == Incident.Corroboration.MECHANISMS
    assert incident.priority == 1
    assert incident.categories == ["attack", "displacement"]
    assert (incident.first_seen_at, incident.last_seen_at) == (at(0), at(6))


def test_mechanisms_and_families_come_from_the_data_file():
    rules = grouping_rules()
    assert {mechanism_of(source) for source in ("sms", "voice", "missed_call")} == {"can"}
    assert [mechanism_of(s) for s in ("lpc", "cla", "web")] == ["lpc", "cla", "web"]
    assert set(rules.mechanisms) == set(Alert.Source.values)
    assert category_families(["other"]) == frozenset()
    assert category_families(["hate_speech"]) == category_families(["intercommunal_tension"])


# --- Merge and split ------------------------------------------------------------------------------


def test_merging_moves_the_alerts_recounts_and_deletes_the_other(places, analyst):
    a = triaged_alert(location=places.mbau, categories=["attack"], priority=2)
    b = triaged_alert(
        location=places.oicha,
        categories=["intercommunal_tension"],
        priority=3,
        source="lpc",
        received_at=at(2),
    )
    kept, gone = _incident(a), _incident(b)
    assert kept != gone  # not grouped: the categories do not go together

    merged = incident_merge(incident=kept, other=gone, by=analyst)
    assert merged == kept and not Incident.objects.filter(pk=gone.pk).exists()
    assert _incident(b) == kept
    assert (merged.alert_count, merged.reporter_count, merged.mechanism_count) == (2, 2, 2)
    assert merged.categories == ["attack", "intercommunal_tension"] and merged.priority == 2
    event = AlertEvent.objects.get(alert=b, kind="incident_merged")
    assert (event.before, event.after, event.by) == (gone.pk, kept.pk, analyst)


def test_merging_is_refused_across_distant_places(places, analyst):
    mbau = _incident(triaged_alert(location=places.mbau))
    uvira = _incident(triaged_alert(location=places.uvira))
    with pytest.raises(IncidentRefused, match="km apart"):
        incident_merge(incident=mbau, other=uvira, by=analyst)
    eringeti = _incident(triaged_alert(location=places.eringeti))
    with pytest.raises(IncidentRefused, match="15 km"):
        incident_merge(incident=mbau, other=eringeti, by=analyst)
    kalau = _incident(triaged_alert(location=places.kalau))
    with pytest.raises(IncidentRefused, match="unknown"):
        incident_merge(incident=mbau, other=kalau, by=analyst)
    assert Incident.objects.count() == 4
    assert not AlertEvent.objects.filter(kind="incident_merged").exists()


def test_an_incident_is_not_merged_with_itself(places, analyst):
    incident = _incident(triaged_alert(location=places.mbau))
    with pytest.raises(IncidentRefused):
        incident_merge(incident=incident, other=incident, by=analyst)


def test_splitting_moves_the_chosen_alerts_into_a_new_incident(places, analyst):
    cla = UserFactory(username="claire", role="cla")
    sms = triaged_alert(location=places.mbau, priority=2)
    visit = triaged_alert(
        location=places.oicha,
        source="cla",
        created_by=cla,
        priority=1,
        received_at=at(1),
        categories=["displacement"],
    )
    incident = _incident(sms)
    assert incident.corroboration == Incident.Corroboration.MECHANISMS

    new = incident_split(incident=incident, alert_ids=[visit.pk], by=analyst)
    incident.refresh_from_db()
    assert new != incident and _incident(visit) == new and _incident(sms) == incident
    assert new.location == places.oicha
    assert (new.alert_count, new.priority, new.categories) == (1, 1, ["displacement"])
    assert (incident.alert_count, incident.priority, incident.mechanisms) == (1, 2, ["can"])
    assert incident.corroboration == new.corroboration == Incident.Corroboration.SINGLE
    event = AlertEvent.objects.get(alert=visit, kind="incident_split")
    assert (event.before, event.after, event.by) == (incident.pk, new.pk, analyst)


def test_a_split_must_leave_an_alert_and_take_only_the_incidents_own(places, analyst):
    a = triaged_alert(location=places.mbau)
    b = triaged_alert(location=places.mbau, received_at=at(1))
    stranger = triaged_alert(location=places.uvira)
    incident = _incident(a)
    for ids, reason in (
        ([], "at least one"),
        ([a.pk, b.pk], "Keep at least one"),
        ([b.pk, stranger.pk], "not in"),
    ):
        with pytest.raises(IncidentRefused, match=reason):
            incident_split(incident=incident, alert_ids=ids, by=analyst)
    assert Incident.objects.count() == 2 and _incident(b) == incident


# --- Two workers at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_grouping_the_same_place_at_once_make_one_incident():
    """The first worker holds its transaction open after grouping; the second, grouping an
    alert about the same place meanwhile, must wait for it and join its incident instead of
    opening a second one (on PostgreSQL through the lock on the territory's row)."""
    places = make_gazetteer()
    first = triaged_alert(location=None)
    second = triaged_alert(location=None, received_at=at(0.1))
    grouped = threading.Event()
    errors = []

    def worker(alert, *, hold: bool):
        try:
            if not hold:
                grouped.wait(10)
            with transaction.atomic():
                alert_group(alert=alert, location=Location.objects.get(pk=places.mbau.pk))
                if hold:
                    grouped.set()
                    threading.Event().wait(0.5)  # still inside the transaction
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(first,), kwargs={"hold": True}),
        threading.Thread(target=worker, args=(second,), kwargs={"hold": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Incident.objects.count() == 1
    assert Incident.objects.get().alert_count == 2
