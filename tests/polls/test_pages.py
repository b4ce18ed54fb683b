"""The poll pages: analysts build, supervisors send and close, every role reads results (of its
areas), the CSV follows the same scope, and CLAs record field interviews without names."""

import pytest

from networks.models import AuditEntry
from polls.models import Interview, Poll, Response
from tests.factories import AnalystProfileFactory, CLAProfileFactory, UserFactory
from tests.polls.conftest import build_poll, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, fast_password_hashing):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_an_analyst_builds_a_poll_with_questions_in_each_language(signed_in, in_english):
    client = signed_in(UserFactory(username="ana", role="analyst"))
    response = client.post("/dashboard/polls/", {"title": "Perception T1"})
    poll = Poll.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/polls/{poll.pk}/")
    client.post(
        f"/dashboard/polls/{poll.pk}/",
        {"add_question": "1", "kind": "yes_no", "text_fr": "Êtes-vous en sécurité ?"},
    )
    client.post(
        f"/dashboard/polls/{poll.pk}/",
        {
            "add_question": "1",
            "kind": "choice",
            "text_fr": "Qui vous protège ?",
            "text_sw": "Nani anawalinda?",
            "choices": "L'armée | Jeshi\nLa police | Polisi | Bapolisi | Police\n",
        },
    )
    q1, q2 = poll.questions.order_by("position")
    assert [c.label_fr for c in q1.choices.all()] == ["Oui", "Non"]
    assert [(c.number, c.label_fr, c.label_sw, c.label_en) for c in q2.choices.all()] == [
        (1, "L'armée", "Jeshi", ""),
        (2, "La police", "Polisi", "Police"),
    ]
    page = client.get(f"/dashboard/polls/{poll.pk}/").content.decode()
    assert "Nani anawalinda?" in page and "Send the poll" not in page  # analysts do not send


def test_a_bad_question_is_a_clear_error_not_a_500(signed_in, in_english):
    client = signed_in(UserFactory(username="ana", role="analyst"))
    poll = Poll.objects.create(title="P")
    response = client.post(
        f"/dashboard/polls/{poll.pk}/",
        {"add_question": "1", "kind": "choice", "text_fr": "Q ?", "choices": "Seule"},
    )
    assert response.status_code == 200
    assert "Give between 2 and 9 answers." in response.content.decode()
    assert not poll.questions.exists()


@pytest.mark.parametrize(
    "role, build, send", [("analyst", 302, 403), ("viewer", 403, 403), ("cla", 403, 403)]
)
def test_who_may_build_and_send(signed_in, roster, supervisor, role, build, send):
    client = signed_in(UserFactory(username="u", role=role))
    assert client.post("/dashboard/polls/", {"title": "X"}).status_code == build
    poll = build_poll(supervisor)
    response = client.post(
        f"/dashboard/polls/{poll.pk}/", {"send": "1", "networks": [roster.can_mbau.pk]}
    )
    assert response.status_code == send
    assert Poll.objects.get(pk=poll.pk).status == "draft"


def test_a_supervisor_sends_from_the_page_then_closes(signed_in, roster, supervisor):
    client = signed_in(supervisor)
    poll = build_poll(supervisor)
    response = client.post(
        f"/dashboard/polls/{poll.pk}/", {"send": "1", "networks": [roster.can_mbau.pk]}
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == "open" and poll.broadcast.network_ids == [roster.can_mbau.pk]
    # Delivery reports of the questions come back, as for any broadcast sent from a page.
    assert poll.broadcast.status_callback.endswith("/webhooks/twilio/status/")
    client.post(f"/dashboard/polls/{poll.pk}/", {"close": "1"})
    assert Poll.objects.get(pk=poll.pk).status == "closed"


def test_results_page_and_csv_follow_the_readers_areas(client, signed_in, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau, roster.can_butembo])
    for name in ("amani", "chance"):
        post_signed(client, "/webhooks/twilio/sms/", sms_params("1", roster.people[name].phone))
    lubero = AnalystProfileFactory(
        user=UserFactory(username="lub", role="analyst"), areas=[roster.lubero]
    ).user
    reader = signed_in(lubero)
    page = reader.get(f"/dashboard/polls/{poll.pk}/results/").content.decode()
    assert "Lubero" in page and "Beni" not in page
    export = reader.get(f"/dashboard/polls/{poll.pk}/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2 and ",Oui,,sms," in lines[1] and ",Lubero," in lines[1]
    assert roster.people["chance"].phone not in "".join(lines)
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.target_ids, entry.details["count"]) == (lubero, f",{poll.pk},", 1)


def test_a_cla_records_a_field_interview_with_group_and_place_only(
    signed_in, roster, supervisor, in_english
):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    cla = CLAProfileFactory(
        user=UserFactory(username="kav", role="cla"), assigned_places=[roster.beni]
    ).user
    client = signed_in(cla)
    q1, q2, q3 = poll.questions.order_by("position")
    assert client.get(f"/dashboard/polls/{poll.pk}/interview/").status_code == 200
    response = client.post(
        f"/dashboard/polls/{poll.pk}/interview/",
        {
            "group": "displaced",
            "location": roster.mbau.pk,
            f"q{q1.pk}": "2",
            f"q{q2.pk}": "",
            f"q{q3.pk}": "Plus de patrouilles",
        },
    )
    assert response.status_code == 302
    interview = Interview.objects.get()
    assert (interview.group, interview.location, interview.territory, interview.recorded_by) == (
        "displaced",
        roster.mbau,
        roster.beni,
        cla,
    )
    assert sorted(
        (r.question.position, r.choice and r.choice.number, r.text, r.source)
        for r in Response.objects.all()
    ) == [(1, 2, "", "field"), (3, None, "Plus de patrouilles", "field")]
    bad = client.post(
        f"/dashboard/polls/{poll.pk}/interview/",
        {"group": "women", "location": roster.mbau.pk, f"q{q1.pk}": "7"},
    )
    assert bad.status_code == 200 and "Choose one of the answers." in bad.content.decode()
    assert Interview.objects.count() == 1


def test_an_analyst_may_not_record_field_interviews(signed_in, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    client = signed_in(UserFactory(username="ana", role="analyst"))
    assert client.get(f"/dashboard/polls/{poll.pk}/interview/").status_code == 403


def test_the_admin_lists_polls_and_answers_in_french(signed_in, roster, supervisor):
    from django.utils import translation

    poll = build_poll(supervisor)
    client = signed_in(UserFactory(username="adm", role="admin", is_staff=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    with translation.override("fr"):
        assert client.get("/admin/polls/poll/").status_code == 200
        page = client.get(f"/admin/polls/poll/{poll.pk}/change/").content.decode()
        answers = client.get("/admin/polls/response/").content.decode()
    assert "Vague précédente" in page and "Perception Q1" in page
    assert "Réponses aux sondages" in answers or "réponses aux sondages" in answers


def test_a_viewer_gets_the_csv_without_free_answers(client, signed_in, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    amani = roster.people["amani"]
    for body in ("1", "2", "Ni Kahindo tu anayetusaidia"):
        post_signed(client, "/webhooks/twilio/sms/", sms_params(body, amani.phone))
    viewer = signed_in(UserFactory(username="view", role="viewer"))
    export = b"".join(viewer.get(f"/dashboard/polls/{poll.pk}/export.csv").streaming_content)
    assert len(export.decode().strip().splitlines()) == 4
    assert "Kahindo" not in export.decode()
    analyst = signed_in(UserFactory(username="ana", role="analyst"))
    export = b"".join(analyst.get(f"/dashboard/polls/{poll.pk}/export.csv").streaming_content)
    assert "Ni Kahindo tu anayetusaidia" in export.decode()
