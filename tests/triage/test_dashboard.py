import datetime as dt
import re

import pytest
from django.utils import timezone

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, Message
from alerts.services import message_deliver
from networks.models import Location
from tests.factories import AlertFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-kengele-test"
QUEUE = "/dashboard/"
ROWS = "/dashboard/rows/"


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def refs(response) -> list[str]:
    return [a.reference for a in response.context["rows"]]


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst", first_name="Ana", last_name="Lyst")


@pytest.fixture
def as_analyst(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def as_viewer(client):
    client.force_login(UserFactory(username="vic", role="viewer"))
    return client


@pytest.fixture
def reported(focal_point):
    place = Location.objects.create(name="Oicha", kind="village")
    alert = AlertFactory(
        triaged=True,
        reporter=focal_point,
        priority=1,
        categories=["attack", "displacement"],
        risk_factors=["RF11"],
        language="fr",
        location=place,
        text="Attaque à Oicha, les gens fuient",
        explanation={
            "priority": {"value": 1, "rules": ["killing reported: priority 1"], "casualties": [3]},
            "categories": {"value": ["attack"], "scores": {"attack": 2.5}, "rules": []},
            "place": {"value": place.pk, "rule": "first place named in the text", "matches": []},
        },
        triaged_at=timezone.now(),
    )
    MessageFactory(alert=alert, auto_reply="Merci, alerte reçue.")  # from the reporter's phone
    return alert


# --- Login ---------------------------------------------------------------------------------------


def test_the_login_page_renders_and_logs_in_to_the_queue(client, analyst):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="username"' in html and 'name="password"' in html and 'type="submit"' in html
    response = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get(QUEUE).status_code == 200


def test_the_login_page_shows_errors_and_honours_next(client, analyst):
    bad = client.post("/accounts/login/", {"username": "ana", "password": "wrong"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert 'class="errors"' in bad.content.decode()
    ok = client.post(
        "/accounts/login/",
        {"username": "ana", "password": PASSWORD, "next": "/dashboard/?view=mine"},
    )
    assert ok["Location"] == "/dashboard/?view=mine"


def test_it_sends_anonymous_users_to_the_login_page(client, reported):
    for url in (QUEUE, f"/dashboard/alerts/{reported.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_an_expired_session_while_polling_redirects_the_browser(client):
    response = client.get(ROWS, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_a_user_without_a_role_is_refused_everywhere(client, reported):
    client.force_login(UserFactory(username="nobody"))
    for url in (QUEUE, ROWS, f"/dashboard/alerts/{reported.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.get(ROWS, HTTP_HX_REQUEST="true").status_code == 403
    assert client.post(f"/dashboard/alerts/{reported.pk}/acknowledge/").status_code == 403


def test_logging_out_is_a_post_form(as_analyst):
    html = as_analyst.get(QUEUE).content.decode()
    assert 'action="/accounts/logout/" method="post"' in html
    assert as_analyst.post("/accounts/logout/").status_code == 302


# --- Queue ---------------------------------------------------------------------------------------


def test_the_queue_puts_untriaged_first_then_priority_then_deadline_then_newest(as_analyst):
    p2 = AlertFactory(triaged=True, priority=2, received_at=ago(hours=3))
    p1_late = AlertFactory(
        triaged=True, priority=1, received_at=ago(hours=1), sla_due_at=ago(minutes=-50)
    )
    p1_soon = AlertFactory(
        triaged=True, priority=1, received_at=ago(hours=2), sla_due_at=ago(minutes=-5)
    )
    p1_no_deadline = AlertFactory(triaged=True, priority=1, received_at=ago(minutes=1))
    untriaged = AlertFactory(received_at=ago(hours=5))
    p4_new = AlertFactory(triaged=True, priority=4, received_at=ago(minutes=2))
    p4_old = AlertFactory(triaged=True, priority=4, received_at=ago(minutes=30))
    AlertFactory(triaged=True, priority=1, status="closed")  # not open: not in the default view

    expected = [untriaged, p1_soon, p1_late, p1_no_deadline, p2, p4_new, p4_old]
    assert refs(as_analyst.get(QUEUE)) == [a.reference for a in expected]


def test_the_queue_rows_show_what_an_analyst_needs(as_analyst, reported, analyst):
    reported.assignee = analyst
    reported.save()
    html = as_analyst.get(QUEUE).content.decode()
    for piece in (reported.reference, "badge-p1", "Oicha", "Attaque à Oicha", "Ana Lyst"):
        assert piece in html
    assert "Attaque" in html and "Déplacement" in html  # categories, in French


def test_the_queue_costs_a_fixed_number_of_queries(as_analyst, focal_point, analyst):
    place = Location.objects.create(name="Eringeti", kind="village")
    for i in range(30):
        AlertFactory(
            triaged=True, priority=i % 4 + 1, reporter=focal_point, location=place, assignee=analyst
        )
    as_analyst.get(QUEUE)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        as_analyst.get(QUEUE)
    alert_queries = [q for q in queries.captured_queries if "alerts_alert" in q["sql"]]
    # a bounded count, the latest alert, one page of rows, the alerts with a new message, the
    # untriaged backlog (banner), the last change (polling's version) and the unacknowledged P1
    assert len(alert_queries) == 7
    # session, user, roles, the analyst's areas (visibility), duty, and the filter form's
    # three selects (networks, territories, assignees): none grows with the alerts
    assert len(queries.captured_queries) <= 15


def test_the_queue_reads_neither_reporters_nor_encrypted_senders(as_analyst, reported):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in (QUEUE, ROWS):
        with CaptureQueriesContext(connection) as queries:
            response = as_analyst.get(url)
        assert refs(response) == [reported.reference]
        assert "Oicha" in response.content.decode()
        rows_sql = [
            q["sql"]
            for q in queries.captured_queries
            if "alerts_alert" in q["sql"] and "COUNT(" not in q["sql"] and "MAX(" not in q["sql"]
        ]
        # the page of rows, the alerts with a new message, the unacknowledged P1 and the last
        # change (the polling's version)
        assert len(rows_sql) == 4
        for unused in ("networks_focalpoint", '."sender"', '."explanation"'):
            assert unused not in rows_sql[0], unused


def test_the_thread_brings_who_sent_each_reply_in_one_query(
    reported, analyst, django_assert_num_queries
):
    from alerts.selectors import alert_thread

    for author in (analyst, UserFactory(username="olga", role="analyst"), None):
        Message.objects.create(
            alert=reported, direction="outbound", kind="reply", body="Bien reçu", sent_by=author
        )
    with django_assert_num_queries(1):
        authors = [m.sent_by and m.sent_by.get_username() for m in alert_thread(alert=reported)]
    assert authors == [None, "ana", "olga", None]


@pytest.mark.parametrize(
    ("params", "counted", "shown"),
    [
        # first load: how many, how many unread (and the latest)
        ({}, 2, {"total": 2, "open": 2, "unread": 1, "new": 0}),
        ({"since": "0"}, 2, {"total": 2, "open": 2, "unread": 1, "new": 2}),  # and how many new
        ({"status": "triaged"}, 2, {"total": 1, "open": 1, "unread": 1, "new": 0}),  # open ones
        ({"status": ["triaged", "closed"]}, 3, {"total": 2, "open": 1, "unread": 1, "new": 0}),
        ({"status": "closed", "since": "0"}, 3, {"total": 1, "open": 0, "unread": 0, "new": 1}),
    ],
)
def test_the_queue_counts_only_what_it_shows(as_analyst, params, counted, shown):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AlertFactory(triaged=True, priority=2)
    AlertFactory(triaged=True, priority=3, status="acknowledged")
    AlertFactory(triaged=True, priority=3, status="closed")
    as_analyst.get(QUEUE)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = as_analyst.get(QUEUE, params)
    (bounded,) = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert bounded.count("COUNT(") == counted
    assert {key: response.context["counts"][key] for key in shown} == shown
    assert response.context["counts"]["more"] is False


def test_the_queue_counts_a_few_pages_ahead_and_no_further(as_analyst, monkeypatch):
    from dashboard import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_PAGES_AHEAD", 1)
    for _ in range(7):
        AlertFactory(triaged=True, priority=3)
    first = as_analyst.get(QUEUE)  # counts up to (1 + 1) pages of 2
    counts = first.context["counts"]
    assert (counts["open"], counts["total"], counts["more"]) == (4, 4, True)
    html = first.content.decode()
    assert "<strong>4+</strong>" in html and "Page 1 sur 2+" in html
    second = as_analyst.get(QUEUE, {"page": 2})  # the last page counted still leads further
    assert len(second.context["rows"]) == 2 and "page=3" in second.content.decode()
    last = as_analyst.get(QUEUE, {"page": 4})  # asking for a deeper page counts further
    counts = last.context["counts"]
    assert (counts["total"], counts["more"], last.context["pages"]) == (7, False, 4)
    assert len(last.context["rows"]) == 1 and "Page 4 sur 4" in last.content.decode()


def test_the_queue_paginates_by_fifty(as_analyst):
    for _ in range(55):
        AlertFactory(triaged=True, priority=3)
    first = as_analyst.get(QUEUE)
    assert len(first.context["rows"]) == 50 and first.context["pages"] == 2
    second = as_analyst.get(QUEUE, {"page": 2})
    assert len(second.context["rows"]) == 5
    assert "?page=2" in first.content.decode()


def test_a_page_number_out_of_range_shows_the_nearest_page(as_analyst):
    for _ in range(55):
        AlertFactory(triaged=True, priority=3)
    assert as_analyst.get(QUEUE, {"page": 9}).context["page"] == 2
    assert as_analyst.get(QUEUE, {"page": "x"}).context["page"] == 1


def test_the_filters_narrow_the_queue(as_analyst):
    attack = AlertFactory(triaged=True, priority=1, categories=["attack"], text="Attaque à Mbau")
    looting = AlertFactory(
        triaged=True, priority=3, categories=["looting"], text="Pillage des champs"
    )
    closed = AlertFactory(triaged=True, priority=3, categories=["other"], status="closed")
    voice = AlertFactory(triaged=True, priority=2, source="voice", categories=["other"], text="")
    old = AlertFactory(triaged=True, priority=4, received_at=ago(days=10))

    def shown(**params):
        return set(refs(as_analyst.get(QUEUE, params)))

    assert shown(priority=1) == {attack.reference}
    assert shown(category="looting") == {looting.reference}
    assert shown(q="pillage") == {looting.reference}
    assert shown(q=attack.reference) == {attack.reference}
    assert shown(status="closed") == {closed.reference}
    assert shown(source="voice") == {voice.reference}
    since = timezone.localtime(ago(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert old.reference not in shown(received_after=since)
    assert shown(received_before=since) == {old.reference}


def test_open_any_and_an_unknown_status_keep_to_open_alerts(as_analyst):
    open_alert = AlertFactory(triaged=True, priority=2)
    closed = AlertFactory(triaged=True, priority=2, status="closed")
    for status in ("", "bogus"):
        assert refs(as_analyst.get(QUEUE, {"status": status})) == [open_alert.reference]
        assert refs(as_analyst.get(ROWS, {"status": status})) == [open_alert.reference]
    # The form as a browser sends it with "Any" everywhere: the open alerts and no error.
    blank = dict.fromkeys(["q", "status", "priority", "category", "source", "received_after"], "")
    response = as_analyst.get(QUEUE, {"view": "open", **blank})
    assert refs(response) == [open_alert.reference]
    assert 'class="errors"' not in response.content.decode()
    # A picked status still counts beside another, wrong filter.
    assert refs(as_analyst.get(QUEUE, {"status": "closed", "priority": "x"})) == [closed.reference]


def test_the_filter_form_keeps_its_values(as_analyst):
    html = as_analyst.get(QUEUE, {"q": "Mbau", "priority": "2", "category": "attack"}).content
    html = html.decode()
    assert 'value="Mbau"' in html
    assert '<option value="2" selected>' in html
    assert '<option value="attack" selected>' in html


@pytest.mark.parametrize(
    "params",
    [
        {"location": "99999999999999999999"},
        {"assignee": "99999999999999999999"},
        {"network": "99999999999999999999"},
        {"location": "-1"},
        {"priority": "7"},
        {"received_after": "0001-01-01T00:00"},
        {"received_before": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_an_out_of_range_filter_is_shown_as_an_error_not_a_crash(as_analyst, params):
    alert = AlertFactory(triaged=True, priority=2)
    for url in (QUEUE, ROWS):
        response = as_analyst.get(url, params)
        assert response.status_code == 200
        assert refs(response) == [alert.reference]  # the bad filter is left out
    assert 'class="errors"' in as_analyst.get(QUEUE, params).content.decode()


def test_the_category_filter_offers_every_category_with_its_label(as_analyst):
    from core.taxonomy import CATEGORY_CHOICES, CATEGORY_CODES
    from dashboard.templatetags.dashboard import category_label

    assert CATEGORY_CODES == tuple(code for code, _label in CATEGORY_CHOICES)
    html = as_analyst.get(QUEUE).content.decode()
    for code, label in CATEGORY_CHOICES:
        assert f'<option value="{code}">{label}</option>' in html
        assert category_label(code) == label


def test_the_views_mine_unassigned_and_overdue(as_analyst, analyst):
    other = UserFactory(username="olga", role="analyst")
    mine = AlertFactory(triaged=True, priority=2, assignee=analyst)
    theirs = AlertFactory(triaged=True, priority=2, assignee=other)
    nobody = AlertFactory(triaged=True, priority=2)
    late = AlertFactory(triaged=True, priority=1, sla_due_at=ago(minutes=5), assignee=other)
    late_closed = AlertFactory(triaged=True, priority=1, sla_due_at=ago(minutes=5), status="closed")
    AlertFactory(triaged=True, priority=1, sla_due_at=ago(minutes=-30))

    def shown(view):
        return set(refs(as_analyst.get(QUEUE, {"view": view})))

    assert shown("mine") == {mine.reference}
    assert theirs.reference not in shown("unassigned") and nobody.reference in shown("unassigned")
    assert shown("overdue") == {late.reference}
    assert late_closed.reference not in shown("open")


def test_the_polled_partial_brings_new_alerts_and_counts(as_analyst):
    AlertFactory(triaged=True, priority=3)
    page = as_analyst.get(QUEUE)
    html = page.content.decode()
    since = page.context["since"]
    assert 'hx-get="/dashboard/rows/?since=' in html
    assert 'hx-trigger="every 3s, queue:refresh"' in html
    assert 'id="queue-counts"' in html

    fresh = AlertFactory(triaged=True, priority=1, text="Nouvelle attaque signalée")
    partial = as_analyst.get(ROWS, {"since": since}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200
    assert fresh.reference in body and "Nouvelle attaque signalée" in body
    assert "<html" not in body and "<tbody" not in body  # rows only: the tbody stays in place
    assert 'hx-swap-oob="true"' in body
    assert partial.context["counts"]["new"] == 1 and partial.context["counts"]["open"] == 2
    assert "1 nouvelle" in body


def test_the_polled_partial_keeps_the_filters(as_analyst):
    page = as_analyst.get(QUEUE, {"view": "mine", "priority": "1"})
    assert "view=mine" in page.context["poll_url"] and "priority=1" in page.context["poll_url"]
    mine = AlertFactory(triaged=True, priority=1, assignee=page.wsgi_request.user)
    AlertFactory(triaged=True, priority=1)
    partial = as_analyst.get(page.context["poll_url"])
    assert refs(partial) == [mine.reference]


# --- Alert page ----------------------------------------------------------------------------------


def test_the_alert_page_shows_the_alert_thread_and_explanation(as_analyst, reported, analyst):
    reply = Message.objects.create(
        alert=reported,
        direction="outbound",
        kind="reply",
        body="Nous avons prévenu la MONUSCO.",
        status="delivered",
        sent_by=analyst,
    )
    response = as_analyst.get(f"/dashboard/alerts/{reported.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for piece in (
        reported.reference,
        "Attaque à Oicha, les gens fuient",
        "Merci, alerte reçue.",  # the automatic answer, under the inbound message
        "Réponse automatique",
        reply.body,
        "Distribué",  # delivery status of the reply, in French
        "killing reported: priority 1",  # the explanation's rule
        "premier lieu cité dans le texte",  # the engine's rule, in French
        "RF11",
        "Oicha",
    ):
        assert piece in html, piece
    assert html.index("Merci, alerte reçue.") < html.index(reply.body)


def test_the_alert_page_marks_a_place_that_is_the_reporters_home(as_analyst, focal_point):
    alert = AlertFactory(triaged=True, reporter=focal_point, location=focal_point.home_location)
    alert.location_is_fallback = True
    alert.save()
    html = as_analyst.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert "domicile du rapporteur" in html


def test_a_viewer_sees_no_identity_anywhere(as_viewer, reported):
    pages = [as_viewer.get(QUEUE), as_viewer.get(f"/dashboard/alerts/{reported.pk}/")]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        for secret in ("991234567", "1234567", "Kavira", "Masika", "K. M."):
            assert secret not in html
    assert "Point focal enregistré" in pages[1].content.decode()


def test_an_analyst_sees_the_reporters_name_and_phone(as_analyst, reported):
    html = as_analyst.get(f"/dashboard/alerts/{reported.pk}/").content.decode()
    assert "Kavira Masika" in html and "+243991234567" in html


def test_a_viewer_of_an_unknown_sender_alert_sees_only_that(as_viewer):
    alert = AlertFactory(triaged=True, sender="+243970000123", priority=3)
    html = as_viewer.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert "Expéditeur inconnu" in html and "970000123" not in html


@pytest.mark.parametrize("role", ["viewer", "cla"])
def test_viewers_and_clas_get_no_actions_and_their_posts_are_refused(client, reported, role):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    base = f"/dashboard/alerts/{reported.pk}/"
    html = client.get(base).content.decode()
    assert "/acknowledge/" not in html and "/reply/" not in html
    posts = {
        "acknowledge/": {},
        "status/": {"status": "closed"},
        "priority/": {"priority": "4"},
        "assign/": {},
        "reply/": {"body": "Bonjour"},
    }
    for action, data in posts.items():
        assert client.post(base + action, data).status_code == 403, action
    reported.refresh_from_db()
    assert (reported.status, reported.priority, reported.assignee) == ("triaged", 1, None)
    assert not Message.objects.filter(direction="outbound").exists()


def test_an_analyst_acknowledges_sets_status_priority_and_takes_the_alert(
    as_analyst, reported, analyst
):
    base = f"/dashboard/alerts/{reported.pk}/"
    response = as_analyst.post(base + "acknowledge/", follow=True)
    assert f"Alerte {reported.reference} prise en charge." in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == "acknowledged" and reported.acknowledged_at is not None

    as_analyst.post(base + "priority/", {"priority": "2"})
    as_analyst.post(base + "assign/")
    as_analyst.post(base + "status/", {"status": "closed"})
    reported.refresh_from_db()
    assert (reported.priority, reported.assignee, reported.status) == (2, analyst, "closed")
    assert reported.closed_at is not None
    assert as_analyst.post(base + "status/", {"status": "bogus"}).status_code == 302
    assert as_analyst.get(base + "acknowledge/").status_code == 405


@pytest.mark.parametrize("status", Alert.Status.values)
def test_the_acknowledge_button_shows_exactly_when_acknowledging_works(as_analyst, status):
    from dashboard.views import may_acknowledge

    alert = AlertFactory(triaged=True, priority=2, status=status)
    base = f"/dashboard/alerts/{alert.pk}/"
    offered = "/acknowledge/" in as_analyst.get(base).content.decode()
    assert offered == may_acknowledge(alert) == (status in ("new", "triaged"))
    as_analyst.post(base + "acknowledge/")
    alert.refresh_from_db()
    assert (alert.status == "acknowledged") == (offered or status == "acknowledged")


def test_a_reply_queues_an_outbound_sms_to_the_reporter(as_analyst, reported, analyst):
    response = as_analyst.post(
        f"/dashboard/alerts/{reported.pk}/reply/", {"body": "Restez à l'abri, on arrive."}
    )
    assert response.status_code == 302
    message = Message.objects.get(direction="outbound")
    assert (message.alert, message.kind, message.sent_by) == (reported, "reply", analyst)
    assert message.status_callback == "http://testserver/webhooks/twilio/status/"

    message_deliver(message_id=message.pk)  # what the outbound worker does
    assert LocmemBackend.outbox[-1]["to"] == "+243991234567"
    assert LocmemBackend.outbox[-1]["body"] == "Restez à l'abri, on arrive."
    html = as_analyst.get(f"/dashboard/alerts/{reported.pk}/").content.decode()
    assert "Restez à l&#x27;abri, on arrive." in html and "En file d’attente" in html


def test_a_refused_reply_shows_the_reason_and_keeps_the_text(as_analyst, reported, focal_point):
    focal_point.opted_out_at = timezone.now()
    focal_point.save()
    response = as_analyst.post(f"/dashboard/alerts/{reported.pk}/reply/", {"body": "Bonjour"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "msg-error" in html and "STOP" in html
    assert "Bonjour</textarea>" in html
    assert not Message.objects.filter(direction="outbound").exists()


def test_an_empty_reply_is_refused(as_analyst, reported):
    response = as_analyst.post(f"/dashboard/alerts/{reported.pk}/reply/", {"body": "  "})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not Message.objects.filter(direction="outbound").exists()


# --- Languages -----------------------------------------------------------------------------------


def test_the_ui_is_french_by_default_and_english_after_switching(as_analyst):
    html = as_analyst.get(QUEUE).content.decode()
    assert "File d’attente des alertes" in html and "Déconnexion" in html
    assert '<html lang="fr">' in html
    switched = as_analyst.post("/i18n/setlang/", {"language": "en", "next": QUEUE})
    assert switched.status_code == 302
    html = as_analyst.get(QUEUE).content.decode()
    assert "Alert queue" in html and "Log out" in html and '<html lang="en">' in html


def test_the_login_page_is_french_by_default(client):
    assert "Connexion" in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "x", "1e3", "9" * 5000])
def test_any_page_number_gives_a_page(as_analyst, page):
    AlertFactory(triaged=True, priority=3)
    response = as_analyst.get(QUEUE, {"page": page})
    assert response.status_code == 200 and len(response.context["rows"]) == 1


def test_a_search_reads_what_matches_first_and_sorts_only_that(as_analyst, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_PAGES_AHEAD", 1)  # counts up to 4 on the first page
    AlertFactory(triaged=True, priority=3, text="Tirs à Mbau")
    urgent = AlertFactory(triaged=True, priority=1, text="Attaque à Mbau maintenant")
    AlertFactory(triaged=True, priority=2, text="Calme à Oicha")
    AlertFactory(triaged=True, priority=2, status="acknowledged", text="Pillage à Mbau")

    def search(term):
        with CaptureQueriesContext(connection) as queries:
            response = as_analyst.get(QUEUE, {"q": term})
        rows_sql = [
            q["sql"]
            for q in queries.captured_queries
            if "alerts_alert" in q["sql"] and re.search(r"LIMIT 2\b", q["sql"])
        ]
        return response, rows_sql

    response, (rows_sql,) = search("Mbau")  # three matches: sorted by themselves
    assert [a.text for a in response.context["rows"]] == [urgent.text, "Pillage à Mbau"]
    assert response.context["counts"]["total"] == 3 and not response.context["counts"]["more"]
    assert "LIKE" not in rows_sql.upper() and " IN (" in rows_sql
    for i in range(3):
        AlertFactory(triaged=True, priority=4, text=f"Mbau, message {i}")
    response, (rows_sql,) = search("Mbau")  # more than counted: the queue's own order
    assert [a.text for a in response.context["rows"]] == [urgent.text, "Pillage à Mbau"]
    assert response.context["counts"]["more"] and "LIKE" in rows_sql.upper()
