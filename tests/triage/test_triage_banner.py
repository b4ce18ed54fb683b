"""The queue's "triage stopped" banner: every untriaged alert past TRIAGE_STALE_SECONDS, for those
who work alerts, on the page and through its polling; and those alerts come first."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from alerts.models import Alert
from networks.models import Location
from tests.factories import UserFactory
from triage.models import AnalystProfile
from triage.services import triage_watchdog_poke_reset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poke_now():
    triage_watchdog_poke_reset()
    yield
    triage_watchdog_poke_reset()


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def untriaged(*, minutes: float, **fields) -> Alert:
    return Alert.objects.create(
        source="sms", text="Hommes armés", received_at=ago(minutes=minutes), **fields
    )


def triaged(*, priority: int = 1, **fields) -> Alert:
    return Alert.objects.create(
        source="sms",
        text="Attaque en cours",
        status="triaged",
        priority=priority,
        triaged_at=timezone.now(),
        received_at=ago(seconds=30),
        **fields,
    )


def banner(html: str) -> str:
    return html.split('id="triage-banner"')[1].split("</div>")[0]


def test_it_shows_how_many_alerts_wait_and_for_how_long(client, in_english):
    untriaged(minutes=7.5)
    untriaged(minutes=2)
    untriaged(minutes=0.5)  # still within TRIAGE_STALE_SECONDS: not counted
    triaged()
    client.force_login(UserFactory(username="alf", role="analyst"))
    html = client.get("/dashboard/").content.decode()
    assert "Triage stopped: 2 alerts waiting, the oldest for 7 min" in banner(html)


def test_it_speaks_french_to_french_readers(client):
    untriaged(minutes=12)
    untriaged(minutes=3)
    client.force_login(UserFactory(username="sam", role="supervisor"))
    client.cookies["django_language"] = "fr"
    html = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Triage arrêté : 2 alertes en attente, la plus ancienne depuis 12 min" in banner(html)


def test_one_alert_waiting_reads_in_the_singular(client, in_english):
    untriaged(minutes=4)
    client.force_login(UserFactory(username="alf", role="analyst"))
    assert "Triage stopped: 1 alert waiting, for 4 min" in banner(
        client.get("/dashboard/").content.decode()
    )


def test_there_is_no_banner_when_triage_keeps_up(client, in_english):
    triaged()
    untriaged(minutes=0.5)  # just arrived: triage has a minute
    client.force_login(UserFactory(username="alf", role="analyst"))
    html = client.get("/dashboard/").content.decode()
    assert 'id="triage-banner"' in html  # the place the polling fills, empty
    assert "Triage stopped" not in html and "banner-triage" not in html


@override_settings(TRIAGE_STALE_SECONDS=600)
def test_stale_is_the_setting(client, in_english):
    untriaged(minutes=7)
    client.force_login(UserFactory(username="alf", role="analyst"))
    assert "Triage stopped" not in client.get("/dashboard/").content.decode()


def test_it_counts_every_untriaged_alert_whatever_the_analysts_areas(client, in_english):
    beni = Location.objects.create(name="Beni", kind="territory")
    uvira = Location.objects.create(name="Uvira", kind="territory")
    analyst = UserFactory(username="alf", role="analyst")
    AnalystProfile.objects.create(user=analyst).areas.set([beni])
    untriaged(minutes=6)
    untriaged(minutes=5, location=uvira)  # placed by hand outside the analyst's areas
    client.force_login(analyst)
    assert "2 alerts waiting" in banner(client.get("/dashboard/").content.decode())


def test_viewers_get_no_banner(client, in_english):
    untriaged(minutes=9)
    client.force_login(UserFactory(username="vic", role="viewer"))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "Triage stopped" not in response.content.decode()


def test_untriaged_alerts_are_listed_first(client):
    first_p1 = triaged(priority=1, sla_due_at=timezone.now() + dt.timedelta(minutes=5))
    p2 = triaged(priority=2)
    waiting = untriaged(minutes=3)
    older = untriaged(minutes=9)
    client.force_login(UserFactory(username="sam", role="supervisor"))
    rows = [a.pk for a in client.get("/dashboard/").context["rows"]]
    # No priority yet comes before priority 1; among them, the newest first.
    assert rows == [waiting.pk, older.pk, first_p1.pk, p2.pk]


def test_the_polled_rows_bring_the_banner_and_take_it_away(client, in_english):
    alert = untriaged(minutes=6)
    client.force_login(UserFactory(username="alf", role="analyst"))
    html = client.get("/dashboard/rows/").content.decode()
    assert 'id="triage-banner" hx-swap-oob="true"' in html
    assert "Triage stopped: 1 alert waiting, for 6 min" in banner(html)

    Alert.objects.filter(pk=alert.pk).update(triaged_at=timezone.now(), status="triaged")
    html = client.get("/dashboard/rows/").content.decode()
    assert 'id="triage-banner" hx-swap-oob="true"' in html  # swapped in empty: it goes away
    assert "Triage stopped" not in html
