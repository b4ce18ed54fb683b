"""Assignment of new alerts to on-duty analysts, duty, and the claim lock."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from tests.factories import UserFactory
from triage.models import AnalystProfile
from triage.services import (
    ClaimRefused,
    alert_claim,
    alert_release,
    alert_triage,
    analyst_duty_set,
)

from .support import make_gazetteer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are read in English here, whatever the catalogue says in French."""
    with translation.override("en"):
        yield


MBAU_ATTACK = "Hommes armés à Mbau, on tire"


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def analyst_in():
    def make(username: str, *areas, on_duty: bool = True, role: str = "analyst", **profile):
        user = UserFactory(username=username, role=role, first_name=username.capitalize())
        made = AnalystProfile.objects.create(user=user, on_duty=on_duty, **profile)
        made.areas.set(areas)
        return user

    return make


def open_alerts_for(user, count: int, status: str = Alert.Status.TRIAGED) -> None:
    for _ in range(count):
        Alert.objects.create(source="sms", text="…", status=status, assignee=user)


def triage_text(text: str = MBAU_ATTACK) -> Alert:
    return alert_triage(alert=alert_create(source="web", text=text))


# --- Assignment ------------------------------------------------------------------------------


def test_a_new_alert_goes_to_the_on_duty_analyst_covering_its_territory(places, analyst_in):
    ana = analyst_in("ana", places.beni)
    analyst_in("lou", places.lubero)
    alert = triage_text()
    assert alert.location == places.mbau and alert.assignee == ana
    alert.refresh_from_db()
    assert alert.assignee == ana
    event = AlertEvent.objects.get(alert=alert, kind="assigned")
    assert event.by is None and event.after == {"id": ana.pk, "username": "ana"}
    assert AnalystProfile.objects.get(user=ana).last_assigned_at is not None


def test_the_analyst_with_the_fewest_open_alerts_gets_it(places, analyst_in):
    ana = analyst_in("ana", places.beni)
    bob = analyst_in("bob", places.beni)
    open_alerts_for(ana, 2)
    open_alerts_for(bob, 1)
    open_alerts_for(bob, 5, status=Alert.Status.CLOSED)  # closed ones do not count
    assert triage_text().assignee == bob
    assert triage_text().assignee in (ana, bob)  # now 2 each: the tie-break decides
    assert Alert.objects.filter(assignee=ana, status="triaged").count() == 3


def test_ties_go_to_whoever_waited_longest_then_to_the_lowest_id(places, analyst_in):
    ana = analyst_in("ana", places.beni)
    bob = analyst_in("bob", places.beni)
    cid = analyst_in("cid", places.beni)
    AnalystProfile.objects.filter(user=ana).update(
        last_assigned_at=timezone.now() - dt.timedelta(hours=1)
    )
    AnalystProfile.objects.filter(user=cid).update(
        last_assigned_at=timezone.now() - dt.timedelta(hours=2)
    )
    # bob was never assigned anything: he goes first, then cid (waited longer than ana), then ana.
    assert [triage_text().assignee for _ in range(3)] == [bob, cid, ana]
    # All even again: round and round, in the same order.
    assert [triage_text().assignee for _ in range(3)] == [bob, cid, ana]


def test_never_assigned_analysts_tie_on_the_lowest_id(places, analyst_in):
    first = analyst_in("zoe", places.beni)
    analyst_in("adam", places.beni)
    assert triage_text().assignee == first


def test_off_duty_out_of_area_and_roleless_users_are_skipped(places, analyst_in):
    analyst_in("off", places.beni, on_duty=False)
    analyst_in("far", places.lubero)
    analyst_in("vic", places.beni, role="viewer")
    gone = analyst_in("gone", places.beni)
    gone.is_active = False
    gone.save()
    alert = triage_text()
    assert alert.location == places.mbau and alert.assignee is None
    assert not AlertEvent.objects.filter(alert=alert, kind="assigned").exists()


def test_nobody_covering_the_place_leaves_the_alert_in_the_shared_queue(places, analyst_in):
    analyst_in("ana", places.lubero)
    assert triage_text().assignee is None  # Mbau is in Beni
    assert triage_text("Des hommes armés tirent, venez vite").assignee is None  # no place


def test_an_alert_already_assigned_or_taken_up_keeps_its_analyst(places, analyst_in):
    analyst_in("ana", places.beni)
    olga = UserFactory(username="olga", role="analyst")
    alert = alert_create(source="web", text=MBAU_ATTACK)
    alert.assignee = olga
    alert.save()
    assert alert_triage(alert=alert).assignee == olga
    taken = alert_create(source="web", text=MBAU_ATTACK)
    Alert.objects.filter(pk=taken.pk).update(status="acknowledged", acknowledged_at=timezone.now())
    taken.refresh_from_db()
    assert alert_triage(alert=taken).assignee is None


def test_an_analyst_sets_their_own_duty():
    ana = UserFactory(username="ana", role="analyst")
    assert analyst_duty_set(user=ana, on_duty=True).on_duty
    assert not analyst_duty_set(user=ana, on_duty=False).on_duty
    assert AnalystProfile.objects.filter(user=ana).count() == 1


# --- Claim lock --------------------------------------------------------------------------------


@pytest.fixture
def alert(db):
    return Alert.objects.create(source="sms", text="…", status="triaged", priority=2)


@pytest.fixture
def ana():
    return UserFactory(username="ana", role="analyst", first_name="Ana", last_name="Lyst")


@pytest.fixture
def bob():
    return UserFactory(username="bob", role="analyst")


def test_a_claim_by_someone_else_is_refused_while_fresh(alert, ana, bob):
    alert_claim(alert=alert, by=ana)
    with pytest.raises(ClaimRefused, match="Ana Lyst"):
        alert_claim(alert=Alert.objects.get(pk=alert.pk), by=bob)
    alert.refresh_from_db()
    assert alert.claimed_by == ana
    assert list(AlertEvent.objects.filter(alert=alert).values_list("kind", "by__username")) == [
        ("claimed", "ana")
    ]


def test_a_claim_expires_and_can_then_be_taken_over(alert, ana, bob, settings):
    settings.CLAIM_TTL_MINUTES = 15
    alert_claim(alert=alert, by=ana)
    Alert.objects.filter(pk=alert.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=16))
    taken = alert_claim(alert=Alert.objects.get(pk=alert.pk), by=bob)
    assert taken.claimed_by == bob
    alert.refresh_from_db()
    assert alert.claimed_by == bob
    event = AlertEvent.objects.filter(alert=alert, kind="claimed").last()
    assert event.by == bob and event.before == {"id": ana.pk}


def test_claiming_again_renews_the_claim_without_a_new_history_entry(alert, ana):
    first = alert_claim(alert=alert, by=ana).claimed_at
    again = alert_claim(alert=Alert.objects.get(pk=alert.pk), by=ana).claimed_at
    assert again >= first
    assert AlertEvent.objects.filter(alert=alert, kind="claimed").count() == 1


def test_only_the_holder_releases_a_fresh_claim(alert, ana, bob):
    alert_claim(alert=alert, by=ana)
    with pytest.raises(ClaimRefused, match="only they"):
        alert_release(alert=Alert.objects.get(pk=alert.pk), by=bob)
    alert_release(alert=Alert.objects.get(pk=alert.pk), by=ana)
    alert.refresh_from_db()
    assert alert.claimed_by is None and alert.claimed_at is None
    assert AlertEvent.objects.filter(alert=alert, kind="released", by=ana).exists()
    alert_release(alert=alert, by=bob)  # nothing claimed: nothing to do
    alert_claim(alert=alert, by=bob)
    assert Alert.objects.get(pk=alert.pk).claimed_by == bob


# --- On the dashboard --------------------------------------------------------------------------


def test_the_queue_and_alert_page_say_who_is_working_on_it(client, alert, ana, bob):
    client.cookies["django_language"] = "en"
    client.force_login(bob)
    page = f"/dashboard/alerts/{alert.pk}/"
    assert client.post(page + "claim/").status_code == 302
    client.force_login(ana)
    response = client.post(page + "claim/", follow=True)
    html = response.content.decode()
    assert "msg-error" in html and "bob is working on this alert." in html
    assert "bob is working on this</span>" in html
    queue = client.get("/dashboard/").content.decode()
    assert "bob is working on this</small>" in queue
    Alert.objects.filter(pk=alert.pk).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert 'class="working"' not in client.get("/dashboard/").content.decode()
    client.post(page + "claim/")
    assert Alert.objects.get(pk=alert.pk).claimed_by == ana
    client.post(page + "release/")
    assert Alert.objects.get(pk=alert.pk).claimed_by is None


def test_viewers_cannot_claim_or_take_duty(client, alert):
    client.force_login(UserFactory(username="vic", role="viewer"))
    assert client.post(f"/dashboard/alerts/{alert.pk}/claim/").status_code == 403
    assert client.post("/dashboard/duty/", {"on_duty": "1"}).status_code == 403
    assert not AnalystProfile.objects.exists()
    assert Alert.objects.get(pk=alert.pk).claimed_by is None


def test_an_analyst_toggles_duty_on_the_queue_page(client, ana):
    client.force_login(ana)
    assert "duty/" in client.get("/dashboard/").content.decode()
    client.post("/dashboard/duty/", {"on_duty": "1"})
    assert AnalystProfile.objects.get(user=ana).on_duty
    client.post("/dashboard/duty/", {"on_duty": "0"})
    assert not AnalystProfile.objects.get(user=ana).on_duty
    response = client.post("/dashboard/duty/", {"on_duty": "maybe"}, follow=True)
    assert response.status_code == 200 and "msg-error" in response.content.decode()
    assert client.get("/dashboard/duty/").status_code == 405
