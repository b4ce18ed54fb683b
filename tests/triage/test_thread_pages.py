"""The queue and the alert page show a reporter's new message until an analyst reads it."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertEvent, Message
from tests.factories import AlertFactory, MessageFactory, UserFactory
from triage.services import thread_message_triage

pytestmark = pytest.mark.django_db

QUEUE = "/dashboard/"
ROWS = "/dashboard/rows/"


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def reporter_writes(alert: Alert, text: str = "Ils brûlent les maisons") -> Message:
    at = ago(minutes=1)
    message = MessageFactory(alert=alert, body=text, triage_pending=True, created_at=at)
    Alert.objects.filter(pk=alert.pk).update(new_message_at=at)
    return message


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst")


@pytest.fixture
def as_analyst(client, analyst, in_english):
    client.force_login(analyst)
    return client


@pytest.fixture
def queue_with_a_new_message():
    """Three open alerts; the reporter of the lowest in queue order wrote again."""
    urgent = AlertFactory(triaged=True, priority=1, received_at=ago(minutes=5))
    AlertFactory(triaged=True, priority=2, received_at=ago(minutes=4))
    answered = AlertFactory(
        triaged=True, priority=4, status=Alert.Status.ACKNOWLEDGED, received_at=ago(hours=3)
    )
    reporter_writes(answered)
    return urgent, answered


def pinned(response) -> list[int]:
    return [a.pk for a in response.context["new_messages"]]


def test_the_queue_shows_the_alert_with_a_new_message_above_the_others(
    as_analyst, queue_with_a_new_message
):
    urgent, answered = queue_with_a_new_message
    response = as_analyst.get(QUEUE)
    assert pinned(response) == [answered.pk]
    assert response.context["rows"][0].pk == urgent.pk  # the queue's own order is kept
    html = response.content.decode()
    pinned_row = html.index(f'data-pinned="{answered.pk}"')
    assert pinned_row < html.index(f'data-alert="{urgent.pk}"')
    assert "1 alert with a new message from the reporter" in html
    assert html.count("✉ New message") == 2  # pinned, and in its place in the queue


def test_the_polled_partial_shows_a_new_message_that_came_in_meanwhile(as_analyst):
    alert = AlertFactory(triaged=True, priority=3, status=Alert.Status.ACKNOWLEDGED)
    first = as_analyst.get(ROWS)
    assert pinned(first) == [] and "New message" not in first.content.decode()
    reporter_writes(alert)
    polled = as_analyst.get(ROWS)
    assert pinned(polled) == [alert.pk]
    assert f'data-pinned="{alert.pk}"' in polled.content.decode()


def test_the_queue_says_nouveau_message_in_french(client, analyst, queue_with_a_new_message):
    client.force_login(analyst)
    html = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Nouveau message" in html


def test_pinned_alerts_keep_to_the_queue_view_and_filters(
    as_analyst, analyst, queue_with_a_new_message
):
    _urgent, answered = queue_with_a_new_message
    assert pinned(as_analyst.get(QUEUE, {"view": "mine"})) == []
    Alert.objects.filter(pk=answered.pk).update(assignee=analyst)
    assert pinned(as_analyst.get(QUEUE, {"view": "mine"})) == [answered.pk]
    assert pinned(as_analyst.get(QUEUE, {"priority": 1})) == []


def test_the_unread_count_is_what_nobody_acknowledged_plus_unread_messages(
    as_analyst, queue_with_a_new_message
):
    AlertFactory(triaged=True, priority=2, status=Alert.Status.ACKNOWLEDGED)  # read, nothing new
    AlertFactory(
        triaged=True, priority=2, status=Alert.Status.CLOSED, new_message_at=ago(minutes=2)
    )  # closed
    response = as_analyst.get(QUEUE)
    assert response.context["counts"]["unread"] == 3  # two triaged, one with a new message
    assert response.context["counts"]["open"] == 4
    assert "<strong>3</strong> unread" in response.content.decode()
    searched = as_analyst.get(QUEUE, {"q": "marché"})  # the search counts the same way
    assert searched.context["counts"]["unread"] == 3


def test_opening_the_alert_page_reads_the_new_message(
    as_analyst, analyst, queue_with_a_new_message
):
    _urgent, answered = queue_with_a_new_message
    page = as_analyst.get(f"/dashboard/alerts/{answered.pk}/")
    html = page.content.decode()
    assert "The reporter wrote again" in html and "bubble-new" in html
    answered.refresh_from_db()
    assert answered.new_message_at is None
    event = answered.events.get(kind=AlertEvent.Kind.MESSAGE_READ)
    assert event.by == analyst
    assert pinned(as_analyst.get(QUEUE)) == []
    assert "bubble-new" not in as_analyst.get(f"/dashboard/alerts/{answered.pk}/").content.decode()


def test_a_viewer_opening_the_alert_page_leaves_it_unread(client, queue_with_a_new_message):
    _urgent, answered = queue_with_a_new_message
    client.force_login(UserFactory(username="vic", role="viewer"))
    assert client.get(f"/dashboard/alerts/{answered.pk}/").status_code == 200
    answered.refresh_from_db()
    assert answered.new_message_at is not None


def test_replying_from_the_alert_page_reads_the_new_message(as_analyst, focal_point):
    alert = AlertFactory(
        triaged=True,
        priority=3,
        status=Alert.Status.ACKNOWLEDGED,
        reporter=focal_point,
        sender_known=True,
    )
    reporter_writes(alert)
    as_analyst.post(f"/dashboard/alerts/{alert.pk}/reply/", {"body": "Nous arrivons."})
    alert.refresh_from_db()
    assert alert.new_message_at is None


def test_the_history_says_what_the_new_message_changed(as_analyst, focal_point):
    home = focal_point.home_location
    alert = AlertFactory(
        triaged=True,
        priority=3,
        categories=["armed_presence"],
        location=home,
        reporter=focal_point,
        triaged_at=ago(minutes=20),
    )
    thread_message_triage(message_id=reporter_writes(alert, "On tire, il y a des morts").pk)
    html = as_analyst.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert "New message from the reporter" in html
    assert "P3 → P1" in html


def test_the_alert_pages_link_a_follower_and_the_alert_it_follows(as_analyst):
    parent = AlertFactory(triaged=True, priority=2)
    follower = AlertFactory(triaged=True, priority=1, thread_parent=parent, text="Attaque à Uvira")
    parent_html = as_analyst.get(f"/dashboard/alerts/{parent.pk}/").content.decode()
    assert "Follow-up alerts" in parent_html
    assert f'href="/dashboard/alerts/{follower.pk}/"' in parent_html
    follower_html = as_analyst.get(f"/dashboard/alerts/{follower.pk}/").content.decode()
    assert "Follows" in follower_html
    assert f'href="/dashboard/alerts/{parent.pk}/"' in follower_html
