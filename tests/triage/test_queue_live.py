"""The queue's cheap polling (an empty 204 while nothing changed in the reader's scope) and the
unacknowledged P1 alerts pinned above it until someone who works alerts presses "Seen"."""

import datetime as dt
import re
import time

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, AlertEvent
from dashboard import queue_live
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/dashboard/"
ROWS = "/dashboard/rows/"
HEADER = "X-Queue-Version"


@pytest.fixture
def areas():
    """Beni (Oicha in it) is the analyst's area; Lubero (Kipese in it) is not."""
    beni, lubero = TerritoryFactory(name="Beni"), TerritoryFactory(name="Lubero")
    return {
        "beni": beni,
        "oicha": VillageFactory(name="Oicha", parent=beni),
        "kipese": VillageFactory(name="Kipese", parent=lubero),
    }


@pytest.fixture
def ana(areas):
    return AnalystProfileFactory(user__username="ana", areas=[areas["beni"]]).user


@pytest.fixture
def as_ana(client, ana):
    client.force_login(ana)
    return client


def p1(place=None, **kwargs) -> Alert:
    return AlertFactory(triaged=True, priority=1, location=place, **kwargs)


def urgent_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-urgent="(\d+)"', html)]


def poll(client, version: str = "", **params):
    return client.get(ROWS, params, headers={HEADER: version} if version else {})


# --- Polling -------------------------------------------------------------------------------


def test_an_unchanged_poll_gets_an_empty_204(as_ana, areas):
    p1(areas["oicha"])
    first = poll(as_ana)
    assert first.status_code == 200 and first[HEADER]
    again = poll(as_ana, first[HEADER])
    assert again.status_code == 204
    assert again.content == b""


def test_the_page_carries_the_version_its_first_poll_sends(as_ana, areas):
    p1(areas["oicha"])
    html = as_ana.get(QUEUE).content.decode()
    version = re.search(r'data-version="([^"]+)"', html).group(1)
    assert poll(as_ana, version).status_code == 204


def test_a_new_alert_in_the_area_brings_the_rows_again(as_ana, areas):
    version = poll(as_ana)[HEADER]
    fresh = AlertFactory(triaged=True, priority=3, location=areas["oicha"])
    answer = poll(as_ana, version)
    assert answer.status_code == 200
    assert fresh.reference in answer.content.decode()
    assert answer[HEADER] != version


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_a_queryset_update_counts_as_a_change(as_ana, areas):
    alert = AlertFactory(triaged=True, priority=3, location=areas["oicha"])
    version = poll(as_ana)[HEADER]
    # Writers that bypass save() (intake's new message, claims, deadlines) move it too.
    Alert.objects.filter(pk=alert.pk).update(new_message_at=timezone.now())
    assert poll(as_ana, version).status_code == 200


def test_a_change_outside_the_analysts_areas_keeps_the_204(as_ana, areas):
    elsewhere = AlertFactory(triaged=True, priority=3, location=areas["kipese"])
    version = poll(as_ana)[HEADER]
    elsewhere.priority = 1
    elsewhere.save()
    AlertFactory(triaged=True, priority=2, location=areas["kipese"])
    assert poll(as_ana, version).status_code == 204


def test_a_page_drawn_too_long_ago_is_drawn_again(as_ana, areas):
    """Relative times and deadlines move with the clock alone."""
    p1(areas["oicha"])
    marker, _, _drawn = poll(as_ana)[HEADER].rpartition(".")
    old = int(time.time()) - queue_live.FULL_REFRESH_SECONDS - 1
    assert poll(as_ana, f"{marker}.{old}").status_code == 200


@pytest.mark.parametrize("version", ["nonsense", "1-0.", ".5", "1-0.abc", "9-9.99999999999"])
def test_a_version_it_does_not_recognise_gets_the_rows(as_ana, areas, version):
    assert poll(as_ana, version).status_code == 200


def test_an_unchanged_poll_with_filters_still_counts_in_the_204(as_ana, areas):
    p1(areas["oicha"])
    version = poll(as_ana, status="new", priority="2")[HEADER]
    assert poll(as_ana, version, status="new", priority="2").status_code == 204


# --- Pinned P1 -----------------------------------------------------------------------------


def test_unacknowledged_p1_are_pinned_first_the_nearest_deadline_then_the_oldest(as_ana, areas):
    now = timezone.now()
    AlertFactory(location=areas["oicha"])  # untriaged: first in the queue's own order
    late = p1(areas["oicha"], sla_due_at=now + dt.timedelta(minutes=5))
    older = p1(areas["oicha"], received_at=now - dt.timedelta(hours=2))
    newer = p1(areas["oicha"], received_at=now - dt.timedelta(hours=1))
    soonest = p1(areas["oicha"], sla_due_at=now + dt.timedelta(minutes=1))
    p1(areas["oicha"], status=Alert.Status.ACKNOWLEDGED)  # someone took it up: not pinned
    AlertFactory(triaged=True, priority=2, location=areas["oicha"])
    p1(areas["kipese"])  # outside Ana's areas

    html = as_ana.get(QUEUE).content.decode()
    assert urgent_ids(html) == [soonest.pk, late.pk, older.pk, newer.pk]
    # Above every other row, the untriaged and the new-message ones included.
    body = html.split('id="queue-rows"')[1]
    assert body.index("data-urgent=") < body.index("data-alert=")
    assert "<title>(4) " in html


def test_p1_stay_pinned_whatever_the_filters_or_tab(as_ana, areas):
    alert = p1(areas["oicha"])
    html = as_ana.get(QUEUE, {"view": "mine", "priority": "3"}).content.decode()
    assert urgent_ids(html) == [alert.pk]
    assert 'data-urgent-total="1"' in poll(as_ana, view="mine", priority="3").content.decode()


def test_seen_acknowledges_unpins_and_is_in_the_history(as_ana, ana, areas):
    alert = p1(areas["oicha"])
    response = as_ana.post(
        f"/dashboard/alerts/{alert.pk}/acknowledge/", {"back": "view=open&priority=1&since=4"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?view=open&priority=1"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_at is not None
    event = AlertEvent.objects.get(alert=alert, kind=AlertEvent.Kind.STATUS)
    assert (event.by, event.before, event.after) == (ana, "triaged", "acknowledged")
    html = as_ana.get(QUEUE).content.decode()
    assert urgent_ids(html) == []
    assert "<title>(" not in html


def test_an_analyst_cannot_acknowledge_an_alert_outside_their_areas(as_ana, areas):
    elsewhere = p1(areas["kipese"])
    response = as_ana.post(f"/dashboard/alerts/{elsewhere.pk}/acknowledge/", {"back": ""})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Alert.Status.TRIAGED
    assert not AlertEvent.objects.filter(alert=elsewhere).exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("supervisor", 302), ("analyst", 302), ("viewer", 403), ("cla", 403)],
)
def test_who_may_press_seen(client, areas, role, expected):
    alert = p1(areas["oicha"])
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    response = client.post(f"/dashboard/alerts/{alert.pk}/acknowledge/", {"back": ""})
    assert response.status_code == expected
    alert.refresh_from_db()
    assert (alert.status == Alert.Status.ACKNOWLEDGED) is (expected == 302)


def test_only_those_who_work_alerts_see_the_seen_button(client, areas):
    p1(areas["oicha"])
    client.force_login(UserFactory(username="vic", role="viewer"))
    html = client.get(QUEUE).content.decode()
    assert len(urgent_ids(html)) == 1
    assert "btn-seen" not in html


# --- htmx only where a page uses it --------------------------------------------------------


def test_htmx_loads_on_the_queue_but_not_on_login_or_the_cla_pages(client, as_ana):
    assert "htmx.min" in as_ana.get(QUEUE).content.decode()
    coverage = as_ana.get("/cla/coverage/")
    assert coverage.status_code == 200 and "htmx.min" not in coverage.content.decode()
    as_ana.logout()
    login = client.get("/accounts/login/")
    assert login.status_code == 200 and "htmx.min" not in login.content.decode()


def test_pages_and_json_are_gzipped(as_ana, areas):
    for _ in range(3):
        p1(areas["oicha"])
    page = as_ana.get(QUEUE, headers={"accept-encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    data = as_ana.get("/api/v1/alerts/", headers={"accept-encoding": "gzip"})
    assert data.status_code == 200 and data["Content-Type"] == "application/json"
    assert data["Content-Encoding"] == "gzip"
    assert not poll(as_ana).has_header("Content-Encoding")  # asked without gzip: plain
