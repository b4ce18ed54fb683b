"""The committee pages: forms that record meetings, follow action points and raise alerts."""

import datetime as dt

import pytest
from django.urls import reverse

from alerts.models import Alert
from lpc.models import LPC, LPCMeeting, LPCMember

pytestmark = pytest.mark.django_db


def meeting_form(lpc, **extra) -> dict:
    data = {
        "held_on": "2025-11-08",
        "place": "",
        "women_youth": "4",
        "women_adults": "2",
        "women_elders": "0",
        "men_youth": "6",
        "men_adults": "3",
        "men_elders": "1",
        "categories": ["armed_presence", "displacement"],
        "risk_factors": ["RF1"],
        "minutes": "Présence de groupes armés signalée.",
        "decisions": "Informer l'ALC.",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "50",
        "actions-0-description": "Prévenir le chef de groupement",
        "actions-0-owner": "Président",
        "actions-0-due_on": "2025-11-15",
        "actions-0-status": "open",
    }
    data.update(extra)
    return data


ALL_PAGES = [
    ("lpc:list", None),
    ("lpc:create", None),
    ("lpc:detail", "lpc"),
    ("lpc:edit", "lpc"),
    ("lpc:report", "lpc"),
    ("lpc:member-create", "lpc"),
    ("lpc:member-edit", "member"),
    ("lpc:meeting-create", "lpc"),
    ("lpc:meeting", "meeting"),
    ("lpc:meeting-edit", "meeting"),
    ("lpc:meeting-alert", "meeting"),
    ("lpc:action-point", "point"),
]


@pytest.mark.parametrize(("name", "arg"), ALL_PAGES)
@pytest.mark.parametrize(
    ("language", "word"), [("en", "Local protection committee"), ("fr", "Comité")]
)
def test_every_page_renders_in_french_and_english(
    browser, meeting, secretary, name, arg, language, word
):
    args = {
        None: [],
        "lpc": [meeting.lpc_id],
        "member": [secretary.pk],
        "meeting": [meeting.pk],
        "point": [meeting.action_points.get().pk],
    }[arg]
    response = browser("admin").get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert "style=" not in html.split("<main", 1)[1]  # no inline style: a CSP is coming
    assert "<script" not in html.split("<main", 1)[1]


def test_the_pages_speak_french(browser, meeting):
    client = browser("admin")
    listing = client.get(reverse("lpc:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Comités locaux de protection" in listing
    form = client.get(
        reverse("lpc:meeting-create", args=[meeting.lpc_id]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Enregistrer une réunion" in form and "Femmes" in form and "Points d'action" in form
    report = client.get(
        reverse("lpc:report", args=[meeting.lpc_id]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Rapport de représentativité" in report and "T4 2025" in report


def test_a_secretary_records_a_meeting_with_attendance_and_action_points(
    browser, oicha, secretary, users
):
    response = browser("cla").post(
        reverse("lpc:meeting-create", args=[oicha.pk]),
        meeting_form(oicha, members_present=[secretary.pk]),
    )
    meeting = LPCMeeting.objects.get(lpc=oicha)
    assert response.status_code == 302
    assert response["Location"] == reverse("lpc:meeting", args=[meeting.pk])
    assert meeting.attendance_total == 16 and meeting.recorded_by == users["cla"]
    assert meeting.categories == ["armed_presence", "displacement"]
    assert list(meeting.members_present.all()) == [secretary]
    point = meeting.action_points.get()
    assert (point.owner, point.due_on) == ("Président", dt.date(2025, 11, 15))


def test_an_action_point_due_before_the_meeting_is_shown_on_its_row(browser, oicha):
    response = browser("cla").post(
        reverse("lpc:meeting-create", args=[oicha.pk]),
        meeting_form(oicha, **{"actions-0-due_on": "2025-11-01"}),
    )
    assert response.status_code == 200
    assert "The due date cannot be before the meeting (08/11/2025)." in response.content.decode()
    assert not LPCMeeting.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"women_youth": "-3"},
        {"men_adults": "beaucoup"},
        {"held_on": "2025-02-30"},
        {"categories": ["war"]},
        {"place": "999999999999999999999"},
        {"members_present": ["abc"]},
        {"actions-TOTAL_FORMS": "nope"},
        {"actions-0-due_on": "demain"},
    ],
)
def test_bad_meeting_input_is_a_form_error_not_a_500(browser, oicha, extra):
    response = browser("cla").post(
        reverse("lpc:meeting-create", args=[oicha.pk]), meeting_form(oicha, **extra)
    )
    assert response.status_code == 200
    assert not LPCMeeting.objects.exists()


def test_a_second_meeting_the_same_day_is_a_form_error(browser, meeting):
    response = browser("admin").post(
        reverse("lpc:meeting-create", args=[meeting.lpc_id]),
        meeting_form(meeting.lpc, held_on="2025-10-04"),
    )
    assert response.status_code == 200
    assert "already has a meeting recorded on that day" in response.content.decode()


def test_editing_a_meeting_keeps_and_follows_up_its_action_points(browser, meeting):
    point = meeting.action_points.get()
    data = meeting_form(
        meeting.lpc,
        held_on="2025-10-04",
        **{
            "actions-INITIAL_FORMS": "1",
            "actions-0-id": str(point.pk),
            "actions-0-meeting": str(meeting.pk),
            "actions-0-description": point.description,
            "actions-0-due_on": "2025-10-18",
            "actions-0-status": "dropped",
            "actions-1-description": "Nouvelle action",
            "actions-1-due_on": "2025-10-30",
            "actions-1-status": "open",
        },
    )
    response = browser("admin").post(reverse("lpc:meeting-edit", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(meeting.action_points.values_list("description", "status")) == [
        ("Informer le chef de groupement", "dropped"),
        ("Nouvelle action", "open"),
    ]


def test_an_action_point_is_marked_done_with_a_note(browser, meeting):
    point = meeting.action_points.get()
    response = browser("cla").post(
        reverse("lpc:action-point", args=[point.pk]),
        {"status": "done", "follow_up": "Le chef a été informé.", "due_on": "2025-10-18"},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.status == "done" and point.done_on is not None
    assert point.follow_up == "Le chef a été informé."


def test_an_action_point_cannot_move_before_its_meeting(browser, meeting):
    point = meeting.action_points.get()
    response = browser("cla").post(
        reverse("lpc:action-point", args=[point.pk]),
        {"status": "open", "due_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "cannot be before the meeting" in response.content.decode()


def test_raising_an_alert_from_a_meeting_prefills_the_risks_and_links_to_the_alert(
    browser, meeting, django_capture_on_commit_callbacks
):
    client = browser("cla")
    url = reverse("lpc:meeting-alert", args=[meeting.pk])
    form = client.get(url).content.decode()
    assert "Meeting of CLP Oicha on 04/10/2025 at Oicha. Risks discussed: Armed presence." in form
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"text": "Hommes armés vus à Mbau hier soir", "location": ""})
    assert response.status_code == 302 and len(callbacks) == 1
    alert = Alert.objects.get()
    assert alert.source == "lpc" and alert.location is None
    page = client.get(response["Location"]).content.decode()
    assert reverse("dashboard:alert", args=[alert.pk]) in page
    assert alert.reference in page


def test_an_empty_alert_is_a_form_error(browser, meeting):
    response = browser("cla").post(
        reverse("lpc:meeting-alert", args=[meeting.pk]), {"text": "  ", "location": ""}
    )
    assert response.status_code == 200 and not Alert.objects.exists()


def test_a_member_is_added_and_a_community_must_be_named(browser, oicha):
    client = browser("cla")
    url = reverse("lpc:member-create", args=[oicha.pk])
    base = {"name": "Neema Kataliko", "role": "member", "gender": "female", "age_band": "35-49"}
    refused = client.post(url, {**base, "group": "community", "community_name": ""})
    assert refused.status_code == 200 and "Name the community" in refused.content.decode()
    assert client.post(url, {**base, "group": ""}).status_code == 302
    assert LPCMember.objects.get().name == "Neema Kataliko"


def test_the_list_filters_and_a_bad_filter_is_shown_not_a_500(browser, oicha, kitshanga):
    client = browser("analyst")
    page = client.get(reverse("lpc:list"), {"status": "dormant"}).content.decode()
    assert "CLP Kitshanga" in page and "CLP Oicha" not in page
    for bad in ({"place": "abc"}, {"place": str(2**70)}, {"status": "x"}, {"page": "zz"}):
        response = client.get(reverse("lpc:list"), bad)
        assert response.status_code == 200


def test_an_unknown_committee_is_a_404(browser):
    assert browser("admin").get(reverse("lpc:detail", args=[999999])).status_code == 404
    assert browser("admin").get(reverse("lpc:meeting", args=[999999])).status_code == 404


def test_a_committee_is_created_from_its_form(browser, gazetteer, users):
    response = browser("admin").post(
        reverse("lpc:create"),
        {
            "name": "CLP Kitshanga-Centre",
            "kind": "mission",
            "status": "active",
            "places": [gazetteer["kitshanga"].pk],
            "founded_on": "2021-01-25",
            "cla": users["cla"].pk,
            "funding_source": "MONUSCO",
        },
    )
    assert response.status_code == 302
    lpc = LPC.objects.get(name="CLP Kitshanga-Centre")
    assert lpc.cla == users["cla"] and lpc.founded_on == dt.date(2021, 1, 25)
