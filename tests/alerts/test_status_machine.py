"""The one status machine, the alert's history and the corrections counted against triage."""

import pytest
from django.utils import timezone, translation

from alerts.models import Alert, AlertEvent
from alerts.selectors import reliability_score, reporter_outcomes, reporter_reliability
from alerts.services import (
    TransitionRefused,
    alert_create,
    alert_event_record,
    alert_transition,
    alert_update,
    transitions_from,
)
from networks.models import Location
from tests.factories import UserFactory
from triage.services import alert_triage

S = Alert.Status


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):  # the refusals' wording is checked in English
        yield


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana", role="analyst")


@pytest.fixture
def alert(db):
    return alert_triage(alert=alert_create(source="web", text="Des hommes armés tirent à Mbau"))


def test_the_contract_path_from_triaged_to_closed_is_allowed_and_stamps_each_time(alert, analyst):
    assert alert.status == S.TRIAGED and alert.triaged_at
    for status in (S.ACKNOWLEDGED, S.VERIFIED, S.ESCALATED, S.CLOSED):
        alert_transition(alert=alert, to=status, by=analyst)
    alert.refresh_from_db()
    assert alert.status == S.CLOSED
    assert alert.received_at <= alert.triaged_at <= alert.acknowledged_at <= alert.closed_at
    statuses = list(
        alert.events.filter(kind="status").values_list("before", "after", "by__username")
    )
    assert statuses == [
        ("triaged", "acknowledged", "ana"),
        ("acknowledged", "verified", "ana"),
        ("verified", "escalated", "ana"),
        ("escalated", "closed", "ana"),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.TRIAGED, S.CLOSED),  # nobody looked at it
        (S.TRIAGED, S.VERIFIED),
        (S.TRIAGED, S.ESCALATED),
        (S.ACKNOWLEDGED, S.ESCALATED),  # escalate only what was checked
        (S.ESCALATED, S.FALSE_ALARM),
        (S.CLOSED, S.VERIFIED),
        (S.ACKNOWLEDGED, S.TRIAGED),  # only the pipeline triages
        (S.ACKNOWLEDGED, S.NEW),
        (S.ACKNOWLEDGED, "bogus"),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason_and_change_nothing(
    alert, analyst, start, to
):
    Alert.objects.filter(pk=alert.pk).update(status=start)
    with pytest.raises(TransitionRefused, match="Allowed"):
        alert_transition(alert=alert, to=to, by=analyst)
    alert.refresh_from_db()
    assert alert.status == start
    assert not alert.events.filter(kind="status").exists()


def test_every_status_can_reach_closed_or_dismissed_and_none_leads_back_to_new():
    for status in S.values:
        assert S.NEW not in transitions_from(status)
        assert S.TRIAGED not in transitions_from(status)
    seen, frontier = {S.TRIAGED.value}, [S.TRIAGED.value]
    while frontier:
        for nxt in transitions_from(frontier.pop()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(S.values) - {S.NEW}


def test_setting_the_status_it_already_has_records_nothing(alert, analyst):
    alert_transition(alert=alert, to=S.TRIAGED, by=analyst)
    assert not alert.events.filter(kind="status").exists()


def test_reopening_a_closed_alert_clears_its_closing_time_but_keeps_the_first_acknowledgement(
    alert, analyst
):
    alert_transition(alert=alert, to=S.ACKNOWLEDGED, by=analyst)
    first_ack = Alert.objects.get(pk=alert.pk).acknowledged_at
    alert_transition(alert=alert, to=S.CLOSED, by=analyst)
    alert_transition(alert=alert, to=S.ACKNOWLEDGED, by=analyst, note="new information")
    alert.refresh_from_db()
    assert alert.closed_at is None and alert.acknowledged_at == first_ack
    assert alert.events.filter(kind="status").last().note == "new information"


def test_a_stale_acknowledge_never_reopens_an_alert_someone_closed(alert, analyst, db):
    other = UserFactory(username="other", role="analyst")
    stale = Alert.objects.get(pk=alert.pk)  # the first analyst's page, drawn before
    alert_transition(alert=alert, to=S.ACKNOWLEDGED, by=other)
    alert_transition(alert=alert, to=S.CLOSED, by=other)
    with pytest.raises(TransitionRefused):
        alert_transition(alert=stale, to=S.ACKNOWLEDGED, by=analyst, only_from=(S.NEW, S.TRIAGED))
    assert Alert.objects.get(pk=alert.pk).status == S.CLOSED


def test_dismissing_spam_does_not_count_as_acknowledging_it(alert, analyst):
    alert_transition(alert=alert, to=S.DISMISSED, by=analyst)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.closed_at is not None


def test_the_outcome_of_checking_survives_escalation_and_closing(alert, analyst):
    for status in (S.ACKNOWLEDGED, S.FALSE_ALARM, S.CLOSED):
        alert_transition(alert=alert, to=status, by=analyst)
    alert.refresh_from_db()
    assert alert.outcome == "false_alarm"


def test_an_alert_acknowledged_before_triage_is_still_classified_and_keeps_its_status(db, analyst):
    alert = alert_create(source="web", text="Des hommes armés tirent à Mbau")
    alert_transition(alert=alert, to=S.ACKNOWLEDGED, by=analyst)
    alert_triage(alert=Alert.objects.get(pk=alert.pk))
    alert.refresh_from_db()
    assert alert.status == S.ACKNOWLEDGED
    assert alert.triaged_at and "attack" in alert.categories and alert.priority == 1
    # and a second delivery of the task changes nothing
    assert alert_triage(alert=alert) is alert
    assert alert.events.filter(kind="triaged").count() == 1


def test_triage_records_what_it_decided_for_later_comparison(alert):
    event = alert.events.get(kind="triaged")
    assert event.by is None
    assert event.after["priority"] == alert.priority == 1
    assert event.after["categories"] == alert.categories


def test_a_correction_records_who_when_before_and_after(alert, analyst):
    mbau = Location.objects.create(name="Mbau", kind="village")
    before_priority = alert.priority
    alert_update(alert=alert, by=analyst, priority=2, categories=["armed_presence"], location=mbau)
    events = {e.kind: e for e in alert.events.exclude(kind="triaged")}
    assert set(events) == {"priority", "categories", "location"}
    assert events["priority"].before == before_priority and events["priority"].after == 2
    assert events["categories"].after == ["armed_presence"]
    assert events["location"].after == {"id": mbau.pk, "name": "Mbau"}
    assert all(e.by == analyst and e.at <= timezone.now() for e in events.values())
    alert.refresh_from_db()
    assert alert.location_is_fallback is False


def test_an_unchanged_value_is_no_correction(alert, analyst):
    alert_update(alert=alert, by=analyst, priority=alert.priority, categories=alert.categories)
    assert not alert.events.exclude(kind="triaged").exists()


def test_assignment_is_recorded_and_other_fields_are_refused(alert, analyst):
    alert_update(alert=alert, by=analyst, assignee=analyst)
    event = alert.events.get(kind="assigned")
    assert event.after == {"id": analyst.pk, "username": "ana"}
    with pytest.raises(TypeError):
        alert_update(alert=alert, by=analyst, text="rewritten")


def test_history_entries_cannot_be_edited_or_deleted(alert):
    event = alert_event_record(alert=alert, kind="note", note="called the reporter")
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AlertEvent.objects.get(pk=event.pk).note == "called the reporter"


def test_an_unknown_event_kind_is_refused(alert):
    with pytest.raises(ValueError):
        alert_event_record(alert=alert, kind="teleported")


def test_reliability_needs_enough_checked_alerts_and_leans_to_the_middle():
    assert reliability_score({"verified": 2}) is None
    assert reliability_score({"verified": 3}) == 0.8
    assert reliability_score({"false_alarm": 3}) == 0.2
    assert reliability_score({"unverified": 4}) == 0.5
    assert reliability_score({"verified": 2, "false_alarm": 2}) == 0.5


def test_a_reporter_with_false_alarms_gets_lower_priority_for_non_urgent_alerts(
    focal_point, analyst
):
    for _ in range(3):
        past = alert_triage(alert=alert_create(source="web", text="x", reporter=focal_point))
        for status in (S.ACKNOWLEDGED, S.FALSE_ALARM, S.CLOSED):
            alert_transition(alert=past, to=status, by=analyst)
    assert reporter_outcomes(reporter_id=focal_point.pk)["false_alarm"] == 3
    assert reporter_reliability(reporter_id=focal_point.pk) == 0.2

    text = "Des militaires sont vus pres du marche"
    unknown = alert_triage(alert=alert_create(source="web", text=text))
    known = alert_triage(alert=alert_create(source="web", text=text, reporter=focal_point))
    assert known.priority == unknown.priority + 1
    assert "reliability" in " ".join(known.explanation["priority"]["rules"])
    urgent = alert_triage(
        alert=alert_create(source="web", text="ils tirent sur la population", reporter=focal_point)
    )
    assert urgent.priority == 1  # a threat to life is never demoted


def test_a_priority_correction_moves_the_acknowledge_deadline(alert, analyst):
    assert alert.priority == 1
    first_due = Alert.objects.get(pk=alert.pk).sla_due_at
    Alert.objects.filter(pk=alert.pk).update(sla_escalated_at=timezone.now())
    alert_update(alert=alert, by=analyst, priority=3)
    alert.refresh_from_db()
    assert first_due is not None and alert.sla_due_at > first_due
    assert alert.sla_escalated_at is None


def test_acknowledging_what_someone_just_acknowledged_says_so(alert, analyst, db):
    alert_transition(
        alert=alert, to=S.ACKNOWLEDGED, by=UserFactory(username="quick", role="analyst")
    )
    with pytest.raises(TransitionRefused, match="Someone else"):
        alert_transition(alert=alert, to=S.ACKNOWLEDGED, by=analyst, only_from=(S.NEW, S.TRIAGED))
    assert alert.events.filter(kind="status").count() == 1
