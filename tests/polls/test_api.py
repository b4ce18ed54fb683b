"""Building, sending and closing polls through /api/v1/polls/, with the poll pages' rules: a
draft is changed or deleted until it is sent (409 after), the first question goes out through
the broadcasts, answers come back through the signed SMS webhook, results and the CSV follow
the reader's areas. Who may do what is written out by hand per role below."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Broadcast, OptOut
from networks.models import AuditEntry, FocalPoint
from polls.models import Interview, Poll, Question, Response
from tests.factories import AnalystProfileFactory, CLAProfileFactory, UserFactory
from tests.polls.conftest import build_poll, deliver, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/api/v1/polls/"


def api(user, language: str = "en") -> APIClient:
    """A client of `user`'s token; messages in English unless told (French is the default)."""
    client = APIClient()
    token = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def as_role(role: str) -> APIClient:
    return api(UserFactory(username=f"{role}-user", role=role))


def text(client, person, body) -> None:
    post_signed(client, "/webhooks/twilio/sms/", sms_params(body, person.phone))


QUESTIONS = [
    {"kind": "yes_no", "text_fr": "Vous sentez-vous en sécurité ?", "text_sw": "Mko salama?"},
    {
        "kind": "choice",
        "text_fr": "La situation depuis 3 mois ?",
        "text_ln": "Makambo banda sanza 3?",
        "choices": [
            {"label_fr": "Meilleure", "label_sw": "Bora"},
            {"label_fr": "Pareille"},
            {"label_fr": "Pire", "label_en": "Worse"},
        ],
    },
]


def test_a_poll_is_built_changed_sent_answered_read_and_closed_through_the_api(
    client, roster, in_english
):
    analyst = api(UserFactory(username="ana", role="analyst"))
    created = analyst.post(URL, {"title": "Perception T1", "questions": QUESTIONS}, format="json")
    assert created.status_code == 201, created.content
    poll = created.json()
    assert (poll["status"], poll["created_by"], len(poll["questions"])) == ("draft", "ana", 2)
    assert [c["label_fr"] for c in poll["questions"][0]["choices"]] == ["Oui", "Non"]
    assert [(c["number"], c["label_en"]) for c in poll["questions"][1]["choices"]] == [
        (1, ""),
        (2, ""),
        (3, "Worse"),
    ]

    free = {"kind": "text", "text_fr": "Que faudrait-il ?", "text_en": "What is needed?"}
    changed = analyst.patch(
        f"{URL}{poll['id']}/",
        {"title": "Perception T1 2026", "questions": [*QUESTIONS, free]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Perception T1 2026"
    assert [q["position"] for q in changed.json()["questions"]] == [1, 2, 3]

    supervisor = api(UserFactory(username="sup", role="supervisor"))
    sent = supervisor.post(
        f"{URL}{poll['id']}/send/", {"networks": [roster.can_mbau.pk]}, format="json"
    )
    assert sent.status_code == 202, sent.content
    assert (sent.json()["status"], sent.json()["sent_by"]) == ("open", "sup")
    assert sent.json()["networks"] == [roster.can_mbau.pk]
    stored = Poll.objects.get(pk=poll["id"])
    assert stored.broadcast.status_callback.endswith("/webhooks/twilio/status/")
    recipients = deliver(stored)
    assert recipients["amani"].message.body == "Mko salama?\n1. Ndiyo\n2. Hapana"
    assert recipients["bahati"].message.body.startswith("Vous sentez-vous en sécurité ?\n1. Oui")

    amani, bahati = roster.people["amani"], roster.people["bahati"]
    text(client, amani, "ndiyo")
    text(client, amani, "3")
    text(client, amani, "Des routes")
    text(client, bahati, "2")
    results = supervisor.get(f"{URL}{poll['id']}/results/").json()["questions"]
    q1, q2, q3 = results
    assert (q1["sent"], q1["answered"], q1["rate"]) == (2, 2, 1.0)
    assert [(c["number"], c["count"]) for c in q1["choices"]] == [(1, 1), (2, 1)]
    assert (q2["sent"], q2["answered"], q2["rate"]) == (2, 1, 0.5)  # Bahati was asked too
    assert [(c["label"], c["count"]) for c in q2["choices"]][2] == ("Pire", 1)
    assert (q3["answered"], q3["free_answers"]) == (1, 1)
    assert [(row["name"], row["sent"], row["answered"]) for row in q1["by_territory"]] == [
        ("Beni", 2, 2)
    ]

    export = supervisor.get(f"{URL}{poll['id']}/export/?format=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(lines) == 1 + 4 and "Des routes" in lines[-1]
    assert amani.phone not in "".join(lines)
    entry = AuditEntry.objects.get(action="export")
    assert entry.details["export"] == "poll_answers_csv" and entry.details["count"] == 4

    closed = supervisor.post(f"{URL}{poll['id']}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None


# Role -> expected status of: create, change a draft, delete a draft, send, close an open poll,
# record a field interview, read the list. Written from the poll pages' rules (README).
POLICY = {
    "admin": (201, 200, 204, 202, 200, 201, 200),
    "supervisor": (201, 200, 204, 202, 200, 403, 200),
    "analyst": (201, 200, 204, 403, 403, 403, 200),
    "cla": (403, 403, 403, 403, 403, 201, 200),
    "viewer": (403, 403, 403, 403, 403, 403, 200),
    "conduct": (403, 403, 403, 403, 403, 403, 200),
}


@pytest.mark.parametrize("role", sorted(POLICY))
def test_each_role_may_do_what_the_poll_pages_let_it(roster, supervisor, role):
    create, change, delete, send, close, interview, read = POLICY[role]
    client = as_role(role)
    assert client.post(URL, {"title": "T"}, format="json").status_code == create
    draft = build_poll(supervisor)
    assert client.patch(f"{URL}{draft.pk}/", {"title": "T2"}, format="json").status_code == change
    assert client.delete(f"{URL}{build_poll(supervisor).pk}/").status_code == delete
    answered = client.post(
        f"{URL}{draft.pk}/send/", {"networks": [roster.can_mbau.pk]}, format="json"
    )
    assert answered.status_code == send
    assert Poll.objects.get(pk=draft.pk).status == ("open" if send == 202 else "draft")
    opened = build_poll(supervisor, title="Ouvert")
    send_to(opened, supervisor, networks=[roster.can_mbau])
    q1 = opened.questions.get(position=1)
    recorded = client.post(
        f"{URL}{opened.pk}/interviews/",
        {"group": "women", "location": roster.oicha.pk, "answers": {str(q1.pk): "1"}},
        format="json",
    )
    assert recorded.status_code == interview
    assert Interview.objects.filter(poll=opened).count() == (1 if interview == 201 else 0)
    assert client.post(f"{URL}{opened.pk}/close/").status_code == close
    assert client.get(URL).status_code == read


def test_a_user_without_a_role_and_a_visitor_get_nothing(supervisor):
    poll = build_poll(supervisor)
    nobody = api(UserFactory(username="norole"))
    assert nobody.get(URL).status_code == 403
    assert nobody.post(URL, {"title": "T"}, format="json").status_code == 403
    assert nobody.delete(f"{URL}{poll.pk}/").status_code == 403
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {"title": "T"}, format="json").status_code == 401
    assert Poll.objects.count() == 1


def test_an_analyst_limited_to_beni_may_send_to_no_one_in_or_out_of_her_areas(roster, supervisor):
    analyst = AnalystProfileFactory(
        user=UserFactory(username="ana", role="analyst"), areas=[roster.beni]
    ).user
    poll = build_poll(supervisor)
    client = api(analyst)
    for audience in (
        {"networks": [roster.can_butembo.pk]},
        {"locations": [roster.lubero.pk]},
        {"focal_points": [roster.people["chance"].pk]},
        {"networks": [roster.can_mbau.pk]},
    ):
        assert client.post(f"{URL}{poll.pk}/send/", audience, format="json").status_code == 403
    assert Poll.objects.get(pk=poll.pk).status == "draft"
    assert not Broadcast.objects.exists()


def test_a_sent_poll_is_neither_changed_nor_deleted_nor_sent_again(roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    client = as_role("admin")
    refused = client.patch(
        f"{URL}{poll.pk}/",
        {"title": "Autre", "questions": [{"kind": "text", "text_fr": "Q ?"}]},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Only a draft poll can be changed."}
    assert client.delete(f"{URL}{poll.pk}/").status_code == 409
    again = client.post(f"{URL}{poll.pk}/send/", {"networks": [roster.can_butembo.pk]})
    assert again.status_code == 409
    poll.refresh_from_db()
    assert (poll.title, poll.questions.count()) == ("Perception Q1", 3)
    assert Broadcast.objects.count() == 1


def test_a_draft_is_deleted_and_not_closed(supervisor):
    client = as_role("analyst")
    poll = build_poll(supervisor)
    closing = as_role("supervisor").post(f"{URL}{poll.pk}/close/")
    assert closing.status_code == 409
    assert closing.json()["detail"] == "Only an open poll can be closed."
    assert client.delete(f"{URL}{poll.pk}/").status_code == 204
    assert not Poll.objects.exists() and not Question.objects.exists()
    assert client.delete(f"{URL}{poll.pk}/").status_code == 404


@pytest.mark.parametrize(
    "question, errors",
    [
        (
            {"kind": "choice", "text_fr": "Q ?", "choices": [{"label_fr": "Seule"}]},
            {"choices": ["Give between 2 and 9 answers."]},
        ),
        (
            {"kind": "choice", "text_fr": "Q ?"},
            {"choices": ["Give between 2 and 9 answers."]},
        ),
        (
            {"kind": "text", "text_fr": "Q ?", "choices": [{"label_fr": "A"}, {"label_fr": "B"}]},
            {"choices": ["Only a question with numbered answers takes answers of its own."]},
        ),
        (
            {"kind": "yes_no", "text_fr": "Q ?", "choices": [{"label_fr": "Peut-être"}]},
            {"choices": ["Only a question with numbered answers takes answers of its own."]},
        ),
        (
            {"kind": "rating", "text_fr": "Q ?"},
            {"kind": ['"rating" is not a valid choice.']},
        ),
        (
            {"kind": "yes_no", "text_sw": "Swali?"},
            {"text_fr": ["This field is required."]},
        ),
        (
            {"kind": "yes_no", "text_fr": "   "},
            {"text_fr": ["This field may not be blank."]},
        ),
        (
            {"kind": "choice", "text_fr": "Q ?", "choices": [{"label_sw": "A"}, {"label_fr": "B"}]},
            {"choices": {"0": {"label_fr": ["This field is required."]}}},
        ),
        (
            {"kind": "text", "text_fr": "Q" * 321},
            {"text_fr": ["Ensure this field has no more than 320 characters."]},
        ),
    ],
)
def test_a_badly_shaped_question_is_refused_under_its_number_and_stores_nothing(
    supervisor, question, errors
):
    client = as_role("analyst")
    first = {"kind": "yes_no", "text_fr": "Ça va ?"}
    response = client.post(URL, {"title": "T", "questions": [first, question]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"questions": {"1": errors}}
    assert not Poll.objects.exists()
    draft = build_poll(supervisor)
    response = client.patch(f"{URL}{draft.pk}/", {"questions": [question]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"questions": {"0": errors}}
    assert draft.questions.count() == 3  # the draft keeps its own


def test_more_than_ten_questions_are_refused():
    client = as_role("supervisor")
    too_many = client.post(
        URL, {"title": "T", "questions": [{"kind": "text", "text_fr": "Q ?"}] * 11}, format="json"
    )
    assert too_many.status_code == 400
    assert too_many.json() == {
        "questions": {"non_field_errors": ["Ensure this field has no more than 10 elements."]}
    }
    assert not Poll.objects.exists()


def test_a_refusal_is_in_french_unless_english_is_asked(roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    admin = UserFactory(username="adm", role="admin")
    refused = api(admin, language="fr").patch(f"{URL}{poll.pk}/", {"title": "X"}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Seul un sondage en brouillon peut être modifié."}


def test_a_poll_cannot_follow_itself(supervisor):
    poll = build_poll(supervisor)
    analyst = as_role("analyst")
    response = analyst.patch(f"{URL}{poll.pk}/", {"previous_round": poll.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"previous_round": ["A poll cannot follow itself."]}
    earlier = build_poll(supervisor, title="T0")
    response = analyst.patch(f"{URL}{poll.pk}/", {"previous_round": earlier.pk}, format="json")
    assert response.status_code == 200 and response.json()["previous_round"] == earlier.pk


def test_an_audience_that_names_nothing_or_what_does_not_exist_is_refused(roster, supervisor):
    poll = build_poll(supervisor)
    client = as_role("supervisor")
    empty = client.post(f"{URL}{poll.pk}/send/", {}, format="json")
    assert empty.status_code == 400
    assert empty.json() == {"networks": ["Choose at least one network, place or focal point."]}
    unknown = client.post(
        f"{URL}{poll.pk}/send/", {"networks": [987654], "focal_points": [0]}, format="json"
    )
    assert unknown.status_code == 400 and "focal_points" in unknown.json()
    unknown = client.post(f"{URL}{poll.pk}/send/", {"locations": [987654]}, format="json")
    assert unknown.json() == {"locations": ["No such id: 987654."]}
    assert Poll.objects.get(pk=poll.pk).status == "draft" and not Broadcast.objects.exists()
    empty_poll = as_role("analyst").post(URL, {"title": "Vide"}, format="json").json()
    refused = client.post(
        f"{URL}{empty_poll['id']}/send/", {"networks": [roster.can_mbau.pk]}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Add at least one question before sending."}


def test_sending_through_the_api_keeps_the_broadcasts_rules(roster, supervisor):
    bahati, amani = roster.people["bahati"], roster.people["amani"]
    OptOut.objects.create(phone_hash=bahati.phone_hash)
    FocalPoint.objects.filter(pk=amani.pk).update(discreet=True)
    poll = as_role("analyst").post(
        URL,
        {"title": "T", "questions": [{"kind": "yes_no", "text_fr": "La MONUSCO vous aide ?"}]},
        format="json",
    )
    pk = poll.json()["id"]
    sent = as_role("supervisor").post(
        f"{URL}{pk}/send/", {"networks": [roster.can_mbau.pk]}, format="json"
    )
    assert sent.status_code == 202
    recipients = deliver(Poll.objects.get(pk=pk))
    assert "bahati" not in recipients  # opted out
    assert (recipients["amani"].state, recipients["amani"].skip_reason) == (
        "skipped",
        "revealing",
    )


def test_field_interviews_need_a_sent_poll_and_answers_to_its_own_questions(roster, supervisor):
    cla = CLAProfileFactory(
        user=UserFactory(username="kav", role="cla"), assigned_places=[roster.beni]
    ).user
    client = api(cla)
    draft = build_poll(supervisor)
    q1 = draft.questions.get(position=1)
    body = {"group": "youth", "location": roster.mbau.pk, "answers": {str(q1.pk): "oui"}}
    on_draft = client.post(f"{URL}{draft.pk}/interviews/", body, format="json")
    assert on_draft.status_code == 409
    assert on_draft.json() == {"detail": "This poll has not been sent yet."}
    send_to(draft, supervisor, networks=[roster.can_mbau])
    other = build_poll(supervisor, title="Autre").questions.get(position=1)
    wrong = client.post(
        f"{URL}{draft.pk}/interviews/",
        {**body, "answers": {str(other.pk): "1"}},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"answers": [f"No such question in this poll: {other.pk}."]}
    seventh = client.post(
        f"{URL}{draft.pk}/interviews/", {**body, "answers": {str(q1.pk): "7"}}, format="json"
    )
    assert seventh.json() == {"answers": {str(q1.pk): ["Choose one of the answers."]}}
    not_an_id = client.post(
        f"{URL}{draft.pk}/interviews/", {**body, "answers": {"q1": "1"}}, format="json"
    )
    assert not_an_id.status_code == 400
    province = client.post(
        f"{URL}{draft.pk}/interviews/",
        {**body, "location": roster.beni.parent_id},
        format="json",
    )
    assert province.status_code == 400 and "location" in province.json()
    assert not Interview.objects.exists()
    recorded = client.post(f"{URL}{draft.pk}/interviews/", body, format="json")
    assert recorded.status_code == 201
    data = recorded.json()
    assert (data["group"], data["territory"], data["recorded_by"], data["answers"]) == (
        "youth",
        roster.beni.pk,
        "kav",
        1,
    )
    answer = Response.objects.get(interview_id=data["id"])
    assert (answer.source, answer.choice.number) == ("field", 1)


def test_the_csv_follows_the_readers_areas_and_asks_for_csv_only(client, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau, roster.can_butembo])
    for name in ("bahati", "chance"):  # Oicha (Beni), Butembo (Lubero)
        text(client, roster.people[name], "1")
    lubero = AnalystProfileFactory(
        user=UserFactory(username="lub", role="analyst"), areas=[roster.lubero]
    ).user
    reader = api(lubero)
    export = reader.get(f"{URL}{poll.pk}/export/")
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2 and ",Lubero," in lines[1]
    assert reader.get(f"{URL}{poll.pk}/export/?as=csv").status_code == 200
    assert reader.get(f"{URL}{poll.pk}/export/?format=xlsx").status_code == 400
    assert as_role("viewer").get(f"{URL}{poll.pk}/export/").status_code == 200
