"""Bulk actions on the queue: acknowledge or assign the rows an analyst ticked, through the same
services as the alert page, and back to the same filtered queue."""

import pytest
from django.conf import settings
from django.test import Client

from alerts.models import Alert, AlertEvent
from tests.factories import AlertFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/dashboard/"
ROWS = "/dashboard/rows/"
BULK = "/dashboard/bulk/"


def statuses(*alerts: Alert) -> list[str]:
    return [Alert.objects.get(pk=a.pk).status for a in alerts]


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst", first_name="Ana", last_name="Lyst")


@pytest.fixture
def as_analyst(client, analyst):
    client.force_login(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages as written in the code
    return client


# --- On the page ---------------------------------------------------------------------------------


def test_analysts_get_a_checkbox_per_row_and_the_bulk_form(as_analyst):
    UserFactory(username="olga", role="analyst", first_name="Olga")
    alert = AlertFactory(triaged=True)
    html = as_analyst.get(QUEUE, {"priority": "2"}).content.decode()
    assert f'name="alerts" value="{alert.pk}" form="queue-bulk"' in html
    assert 'id="queue-bulk"' in html and 'action="/dashboard/bulk/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="back" value="priority=2"' in html
    assert 'value="acknowledge"' in html and 'value="assign"' in html
    start = html.index('id="bulk-assignee"')
    select = html[start : html.index("</select>", start)]
    assert "Olga" in select and ">Me<" in select
    polled = as_analyst.get(ROWS, {"since": "0"}).content.decode()
    assert f'name="alerts" value="{alert.pk}" form="queue-bulk"' in polled


@pytest.mark.parametrize("role", ["viewer", "cla"])
def test_viewers_and_clas_get_no_checkboxes_nor_bulk_form(client, role):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    AlertFactory(triaged=True)
    for url in (QUEUE, ROWS):
        html = client.get(url).content.decode()
        assert 'name="alerts"' not in html and "queue-bulk" not in html


# --- Acknowledge ---------------------------------------------------------------------------------


def test_it_acknowledges_the_selected_alerts_and_records_who_did_it(as_analyst, analyst):
    new, triaged, untouched = (
        AlertFactory(),
        AlertFactory(triaged=True),
        AlertFactory(triaged=True),
    )
    response = as_analyst.post(
        BULK, {"action": "acknowledge", "alerts": [new.pk, triaged.pk]}, follow=True
    )
    assert statuses(new, triaged, untouched) == ["acknowledged", "acknowledged", "triaged"]
    assert shown_messages(response) == ["2 alerts acknowledged."]
    for alert in (new, triaged):
        event = AlertEvent.objects.get(alert=alert, kind=AlertEvent.Kind.STATUS)
        assert (event.by, event.after) == (analyst, "acknowledged")
        assert Alert.objects.get(pk=alert.pk).acknowledged_at is not None


def test_it_skips_the_alerts_someone_else_moved_and_says_how_many(as_analyst):
    waiting = AlertFactory(triaged=True)
    taken = AlertFactory(
        triaged=True, status="acknowledged"
    )  # acknowledged by someone else meanwhile
    closed = AlertFactory(triaged=True, status="closed")
    response = as_analyst.post(
        BULK, {"action": "acknowledge", "alerts": [waiting.pk, taken.pk, closed.pk]}, follow=True
    )
    assert statuses(waiting, taken, closed) == ["acknowledged", "acknowledged", "closed"]
    assert shown_messages(response) == [
        "1 alert acknowledged.",
        "2 skipped: someone else had already moved them.",
    ]
    assert not AlertEvent.objects.filter(alert__in=[taken, closed]).exists()


def test_it_comes_back_to_the_same_filtered_queue(as_analyst):
    alert = AlertFactory(triaged=True)
    back = "view=unassigned&priority=2&category=attack&page=2&since=99"
    response = as_analyst.post(BULK, {"action": "acknowledge", "alerts": [alert.pk], "back": back})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?view=unassigned&priority=2&category=attack&page=2"
    bare = as_analyst.post(BULK, {"action": "acknowledge", "alerts": [alert.pk]})
    assert bare["Location"] == "/dashboard/"


def test_nothing_selected_is_a_clear_message(as_analyst):
    response = as_analyst.post(BULK, {"action": "acknowledge"}, follow=True)
    assert response.status_code == 200
    assert shown_messages(response) == ["Select at least one alert."]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "acknowledge", "alerts": ["abc"]},
        {"action": "acknowledge", "alerts": ["99999999999999999999"]},
        {"action": "acknowledge", "alerts": ["424242"]},
        {"action": "explode", "alerts": ["ALERT"]},
        {"action": "assign", "alerts": ["ALERT"]},
        {"action": "assign", "alerts": ["ALERT"], "assignee": "abc"},
        {"alerts": ["ALERT"]},
    ],
)
def test_a_wrong_bulk_request_is_a_message_not_a_crash(as_analyst, data):
    alert = AlertFactory(triaged=True)
    data = {**data, "alerts": [alert.pk if a == "ALERT" else a for a in data["alerts"]]}
    response = as_analyst.post(BULK, data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert 'class="msg msg-error"' in response.content.decode()
    assert statuses(alert) == ["triaged"] and Alert.objects.get(pk=alert.pk).assignee is None


def test_it_refuses_more_alerts_than_a_person_selects_with_a_400(as_analyst):
    alerts = [AlertFactory(triaged=True) for _ in range(250)]
    response = as_analyst.post(BULK, {"action": "acknowledge", "alerts": [a.pk for a in alerts]})
    assert response.status_code == 400  # DATA_UPLOAD_MAX_NUMBER_FIELDS; a page shows fifty
    assert not Alert.objects.filter(status="acknowledged").exists()


def test_a_whole_page_of_fifty_alerts_goes_through(as_analyst):
    alerts = [AlertFactory(triaged=True) for _ in range(50)]
    response = as_analyst.post(
        BULK, {"action": "acknowledge", "alerts": [a.pk for a in alerts]}, follow=True
    )
    assert shown_messages(response) == ["50 alerts acknowledged."]
    assert Alert.objects.filter(status="acknowledged").count() == 50


# --- Assign --------------------------------------------------------------------------------------


def test_it_assigns_the_selected_alerts_to_someone_else(as_analyst, analyst):
    olga = UserFactory(username="olga", role="supervisor", first_name="Olga", last_name="Visor")
    first, second, already, other = (
        AlertFactory(triaged=True),
        AlertFactory(triaged=True),
        AlertFactory(triaged=True),
        AlertFactory(triaged=True),
    )
    Alert.objects.filter(pk=already.pk).update(assignee=olga)
    response = as_analyst.post(
        BULK,
        {"action": "assign", "assignee": olga.pk, "alerts": [first.pk, second.pk, already.pk]},
        follow=True,
    )
    assert shown_messages(response) == [
        "2 alerts assigned to Olga Visor.",
        "1 was already assigned there.",
    ]
    assigned = {a.pk: a.assignee for a in Alert.objects.all()}
    assert assigned == {first.pk: olga, second.pk: olga, already.pk: olga, other.pk: None}
    event = AlertEvent.objects.get(alert=first, kind=AlertEvent.Kind.ASSIGNED)
    assert event.by == analyst and event.after == {"id": olga.pk, "username": "olga"}
    assert statuses(first) == ["triaged"]  # assigning is not acknowledging


def test_it_assigns_the_selected_alerts_to_me(as_analyst, analyst):
    alert = AlertFactory(triaged=True)
    response = as_analyst.post(
        BULK, {"action": "assign", "assignee": analyst.pk, "alerts": [alert.pk]}, follow=True
    )
    assert shown_messages(response) == ["1 alert assigned to you."]
    assert Alert.objects.get(pk=alert.pk).assignee == analyst


@pytest.mark.parametrize("role", ["viewer", "cla", None])
def test_it_assigns_only_to_someone_who_takes_alerts_up(as_analyst, role):
    someone = UserFactory(username="someone", role=role)
    inactive = UserFactory(username="gone", role="analyst", is_active=False)
    alert = AlertFactory(triaged=True)
    for target in (someone, inactive):
        response = as_analyst.post(
            BULK, {"action": "assign", "assignee": target.pk, "alerts": [alert.pk]}, follow=True
        )
        assert 'class="msg msg-error"' in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).assignee is None


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "cla"])
def test_viewers_and_clas_are_refused(client, analyst, role):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    alert = AlertFactory(triaged=True)
    for data in (
        {"action": "acknowledge", "alerts": [alert.pk]},
        {"action": "assign", "assignee": analyst.pk, "alerts": [alert.pk]},
    ):
        assert client.post(BULK, data).status_code == 403
    alert.refresh_from_db()
    assert (alert.status, alert.assignee) == ("triaged", None)


def test_anonymous_visitors_go_to_the_login_page(client):
    alert = AlertFactory(triaged=True)
    response = client.post(BULK, {"action": "acknowledge", "alerts": [alert.pk]})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert statuses(alert) == ["triaged"]


def test_it_takes_only_a_post_with_a_csrf_token(analyst):
    alert = AlertFactory(triaged=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(analyst)
    assert browser.post(BULK, {"action": "acknowledge", "alerts": [alert.pk]}).status_code == 403
    assert browser.get(BULK).status_code == 405
    assert statuses(alert) == ["triaged"]

    page = browser.get(QUEUE)
    token = page.context["csrf_token"]
    response = browser.post(
        BULK, {"action": "acknowledge", "alerts": [alert.pk], "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302
    assert statuses(alert) == ["acknowledged"]


# --- Keyboard shortcuts, documented ---------------------------------------------------------------


def test_the_page_documents_its_keyboard_shortcuts_and_loads_their_script(as_analyst):
    html = as_analyst.get(QUEUE).content.decode()
    assert '<section id="queue-help"' in html and "hidden>" in html.split('id="queue-help"')[1]
    for text in (
        "Next alert",
        "Previous alert",
        "Open the highlighted alert",
        "Select or unselect the highlighted alert",
        "Acknowledge the selected alerts",
        "Show or hide this help",
    ):
        assert text in html, text
    assert 'aria-controls="queue-help"' in html
    assert '<script src="/static/js/queue.js" defer></script>' in html
    assert "<script>" not in html  # the content security policy forbids inline scripts


def test_viewers_are_not_offered_the_shortcuts_that_act(client):
    client.force_login(UserFactory(username="vic", role="viewer"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(QUEUE).content.decode()
    assert "Next alert" in html
    assert "Acknowledge the selected alerts" not in html


def test_an_analyst_lists_and_acts_only_on_the_alerts_of_their_areas(client):
    from networks.models import Location
    from triage.models import AnalystProfile

    beni = Location.objects.create(name="Beni", kind="territory")
    lubero = Location.objects.create(name="Lubero", kind="territory")
    analyst = UserFactory(username="beni-analyst", role="analyst")
    AnalystProfile.objects.create(user=analyst).areas.add(beni)
    in_beni, in_lubero = (
        AlertFactory(triaged=True, location=beni),
        AlertFactory(triaged=True, location=lubero),
    )
    client.force_login(analyst)

    listed = {a.pk for a in client.get(QUEUE).context["rows"]}
    assert in_beni.pk in listed and in_lubero.pk not in listed
    response = client.post(
        BULK, {"action": "acknowledge", "alerts": [in_beni.pk, in_lubero.pk]}, follow=True
    )
    assert 'class="msg msg-error"' in response.content.decode()
    assert statuses(in_beni, in_lubero) == ["triaged", "triaged"]
    client.post(BULK, {"action": "acknowledge", "alerts": [in_beni.pk]})
    assert statuses(in_beni) == ["acknowledged"]
