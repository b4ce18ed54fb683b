"""Polls that bring only the changed rows: which rows an answer carries (changed, new to the
filter, pinned), which it drops, and when the whole body goes again instead."""

import re
import time

import pytest

from alerts.models import Alert
from dashboard import queue_live
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    IncidentFactory,
    TerritoryFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

ROWS = "/dashboard/rows/"
HEADER = "X-Queue-Version"
DELTA = "X-Queue-Delta"


@pytest.fixture
def areas():
    beni, lubero = TerritoryFactory(name="Beni"), TerritoryFactory(name="Lubero")
    return {
        "oicha": VillageFactory(name="Oicha", parent=beni),
        "kipese": VillageFactory(name="Kipese", parent=lubero),
        "beni": beni,
    }


@pytest.fixture
def as_ana(client, areas):
    client.force_login(AnalystProfileFactory(user__username="ana", areas=[areas["beni"]]).user)
    return client


@pytest.fixture
def five(areas):
    return [
        AlertFactory(triaged=True, priority=3, location=areas["oicha"], text=f"Rapport {n}")
        for n in range(5)
    ]


def poll(client, version: str = "", **params):
    return client.get(ROWS, params, headers={HEADER: version} if version else {})


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr\b[^>]*?\bid="([^"]+)"', html)


def alert_rows(html: str) -> list[str]:
    """The rows of alerts an answer carries (the headings always ride along)."""
    return [key for key in row_ids(html) if not key.startswith("queue-head")]


def layout(html: str) -> list[str]:
    return re.search(r'data-queue-rows="([^"]*)"', html).group(1).split()


def change(alert: Alert, **fields) -> None:
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.save()


def test_one_changed_alert_brings_only_its_row_and_the_order_of_all(as_ana, five):
    version = poll(as_ana)[HEADER]
    change(five[2], text="Maisons brûlées cette nuit")
    answer = poll(as_ana, version)
    html = answer.content.decode()
    assert answer.status_code == 200 and answer[DELTA] == "1"
    assert alert_rows(html) == [f"alert-row-{five[2].pk}"]
    assert "Maisons brûlées cette nuit" in html
    assert layout(html) == row_ids(poll(as_ana).content.decode())  # as the whole body would be
    assert 'id="queue-counts"' in html and 'id="triage-banner"' in html
    # The other rows were drawn when the page was: so is the version, for the 60 s redraw.
    assert answer[HEADER].rpartition(".")[2] == version.rpartition(".")[2]
    assert answer[HEADER].rpartition(".")[0] != version.rpartition(".")[0]
    assert poll(as_ana, answer[HEADER]).status_code == 204


def test_an_alert_new_to_the_filter_is_sent_at_its_place(as_ana, five, areas):
    version = poll(as_ana)[HEADER]
    fresh = AlertFactory(triaged=True, priority=2, location=areas["oicha"])
    html = poll(as_ana, version).content.decode()
    assert alert_rows(html) == [f"alert-row-{fresh.pk}"]
    order = layout(html)
    assert order == row_ids(poll(as_ana).content.decode())
    assert order.index(f"alert-row-{fresh.pk}") < order.index(f"alert-row-{five[0].pk}")


def test_a_closed_alert_leaves_the_order_and_nothing_is_sent_for_it(as_ana, five):
    version = poll(as_ana)[HEADER]
    change(five[1], status=Alert.Status.CLOSED)
    html = poll(as_ana, version).content.decode()
    assert alert_rows(html) == []
    assert f"alert-row-{five[1].pk}" not in layout(html)
    assert len(layout(html)) == 4
    assert "<strong>4</strong>" in html  # the open count


def test_an_alert_leaving_the_filter_leaves_the_order(as_ana, five):
    version = poll(as_ana, priority="3")[HEADER]
    change(five[0], priority=2)
    html = poll(as_ana, version, priority="3").content.decode()
    assert f"alert-row-{five[0].pk}" not in layout(html)
    assert alert_rows(html) == []


def test_an_alert_moved_out_of_the_readers_areas_leaves_the_order(as_ana, five, areas):
    version = poll(as_ana)[HEADER]
    change(five[0], location=areas["kipese"])
    change(five[3], text="Toujours là")  # a change within the areas: the page is answered
    html = poll(as_ana, version).content.decode()
    assert f"alert-row-{five[0].pk}" not in layout(html)
    assert alert_rows(html) == [f"alert-row-{five[3].pk}"]


def test_an_acknowledged_p1_leaves_the_pinned_block_and_a_new_one_enters(as_ana, areas):
    old = AlertFactory(triaged=True, priority=1, location=areas["oicha"])
    version = poll(as_ana)[HEADER]
    change(old, status=Alert.Status.ACKNOWLEDGED)
    new = AlertFactory(triaged=True, priority=1, location=areas["oicha"])
    html = poll(as_ana, version).content.decode()
    order = layout(html)
    assert f"queue-u-{old.pk}" not in order and f"alert-row-{old.pk}" in order
    assert order[:2] == ["queue-head-urgent", f"queue-u-{new.pk}"]
    assert set(alert_rows(html)) == {
        f"queue-u-{new.pk}",
        f"alert-row-{new.pk}",
        f"alert-row-{old.pk}",
    }
    assert f'data-urgent="{new.pk}"' in html
    assert 'data-urgent-total="1"' in html


def test_rows_sharing_an_incident_with_a_changed_alert_are_sent(as_ana, five, areas):
    incident = IncidentFactory(location=areas["oicha"], alert_count=2)
    for alert in five[:2]:
        change(alert, incident=incident)
    version = poll(as_ana)[HEADER]
    change(five[0], text="Encore des tirs")
    html = poll(as_ana, version).content.decode()
    assert set(alert_rows(html)) == {f"alert-row-{five[0].pk}", f"alert-row-{five[1].pk}"}


def test_a_full_page_sends_the_row_a_removal_brings_up_from_the_next(as_ana, five, monkeypatch):
    monkeypatch.setattr("dashboard.views.PAGE_SIZE", 3)
    before = alert_rows(poll(as_ana).content.decode())
    version = poll(as_ana)[HEADER]
    closed = int(before[0].rpartition("-")[2])
    change(Alert.objects.get(pk=closed), status=Alert.Status.CLOSED)
    html = poll(as_ana, version).content.decode()
    order = layout(html)
    assert order == row_ids(poll(as_ana).content.decode())
    assert order[-1] not in before and order[-1] in alert_rows(html)


# --- The whole body again --------------------------------------------------------------------


def test_more_than_twenty_changes_send_the_whole_body(as_ana, five, areas):
    version = poll(as_ana)[HEADER]
    for _ in range(queue_live.MAX_CHANGED + 1):
        AlertFactory(triaged=True, priority=3, location=areas["oicha"])
    answer = poll(as_ana, version)
    html = answer.content.decode()
    assert answer.status_code == 200 and not answer.has_header(DELTA)
    assert "data-queue-rows" not in html
    assert len(alert_rows(html)) == 5 + queue_live.MAX_CHANGED + 1


def test_a_version_drawn_too_long_ago_gets_the_whole_body(as_ana, five):
    marker = poll(as_ana)[HEADER].rpartition(".")[0]
    change(five[0], text="Changé")
    old = int(time.time()) - queue_live.FULL_REFRESH_SECONDS - 1
    answer = poll(as_ana, f"{marker}.{old}")
    assert answer.status_code == 200 and not answer.has_header(DELTA)
    assert len(alert_rows(answer.content.decode())) == 5


@pytest.mark.parametrize("version", ["", "nonsense", "abc-0.123", f"1-0.{10**12}"])
def test_an_unknown_version_gets_the_whole_body(as_ana, five, version):
    answer = poll(as_ana, version)
    assert answer.status_code == 200 and not answer.has_header(DELTA)
    assert len(alert_rows(answer.content.decode())) == 5


def test_a_change_in_place_on_a_full_page_sends_only_its_row(as_ana, five, monkeypatch):
    monkeypatch.setattr("dashboard.views.PAGE_SIZE", 3)
    shown = alert_rows(poll(as_ana).content.decode())
    version = poll(as_ana)[HEADER]
    target = Alert.objects.get(pk=int(shown[1].rpartition("-")[2]))
    change(target, text="Changé sur place")
    assert alert_rows(poll(as_ana, version).content.decode()) == [shown[1]]
