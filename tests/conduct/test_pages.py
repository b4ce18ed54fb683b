"""The complaint form (conduct staff, and a CLA for a member: the CLA gets the reference,
never the text back) and the CBCM members' registry, encrypted at rest."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import Client

from conduct import services
from conduct.models import CbcmMember, Complaint
from conduct.services import member_create

pytestmark = pytest.mark.django_db

TEXT = "Un militaire du contingent a demandé du sexe à Amisi contre de l'argent"


def _as(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_cla_enters_a_complaint_and_gets_only_its_reference(people, places):
    client = _as(people["beni_cla"])
    form = client.get("/conduct/new/").content.decode()
    assert 'name="member"' not in form  # the registry is not hers to read
    response = client.post("/conduct/new/", {"text": TEXT, "location": places["mbau"].pk})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.text, complaint.source, complaint.created_by) == (
        TEXT,
        "form",
        people["beni_cla"],
    )
    receipt = client.get(response["Location"]).content.decode()
    assert complaint.reference in receipt and "Amisi" not in receipt
    assert client.get(f"/conduct/{complaint.pk}/").status_code == 403


def test_conduct_staff_enter_a_complaint_with_the_member_who_brought_it(people, places):
    member = member_create(name="Furaha Zawadi", phone="0992000009", location=places["mbau"])
    client = _as(people["cd"])
    assert "Furaha Zawadi" in client.get("/conduct/new/").content.decode()
    response = client.post(
        "/conduct/new/", {"text": TEXT, "location": places["mbau"].pk, "member": member.pk}
    )
    assert response.status_code == 302
    assert Complaint.objects.get().member == member


@pytest.mark.parametrize(
    "data",
    [{"text": "   ", "location": "mbau"}, {"text": TEXT, "location": "999999"}, {"text": TEXT}],
)
def test_a_bad_form_gets_its_errors_not_a_500(people, places, data):
    data = {k: (places["mbau"].pk if v == "mbau" else v) for k, v in data.items()}
    response = _as(people["cd"]).post("/conduct/new/", data)
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_members_are_registered_with_their_number_in_e164_and_encrypted(people, places):
    client = _as(people["cd"])
    response = client.post(
        "/conduct/members/new/",
        {
            "name": "Neema Kasereka",
            "phone": "0992 000 010",
            "gender": "female",
            "location": places["mbau"].pk,
            "elected_on": "2026-10-03",
        },
    )
    assert response.status_code == 302
    member = CbcmMember.objects.get()
    assert (member.name, member.phone) == ("Neema Kasereka", "+243992000010")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM conduct_cbcmmember")
        stored = " ".join(cursor.fetchone())
    assert "Neema" not in stored and "992000010" not in stored
    assert "Neema Kasereka" in client.get("/conduct/members/").content.decode()


def test_a_bad_number_is_refused_with_a_message(people, places):
    response = _as(people["cd"]).post(
        "/conduct/members/new/",
        {"name": "X", "phone": "12", "gender": "female", "location": places["mbau"].pk},
    )
    assert response.status_code == 400
    assert "not a" in response.content.decode()
    assert not CbcmMember.objects.exists()


def test_complaints_are_encrypted_at_rest(people, places):
    _as(people["cd"]).post("/conduct/new/", {"text": TEXT, "location": places["mbau"].pk})
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM conduct_complaint")
        assert "Amisi" not in cursor.fetchone()[0]


def test_conduct_staff_change_the_status_and_it_is_recorded(people, places):
    client = _as(people["cd"])
    client.post("/conduct/new/", {"text": TEXT, "location": places["mbau"].pk})
    complaint = Complaint.objects.get()
    response = client.post(f"/conduct/{complaint.pk}/status/", {"status": "referred"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "referred"
    assert list(complaint.views.values_list("what", flat=True)) == ["status"]
    client.post(f"/conduct/{complaint.pk}/status/", {"status": "nonsense"})
    complaint.refresh_from_db()
    assert complaint.status == "referred"
    # Others may not.
    response = _as(people["root"]).post(f"/conduct/{complaint.pk}/status/", {"status": "closed"})
    assert response.status_code == 403


def test_a_status_never_changes_without_its_record_in_the_trail(people, places, monkeypatch):
    client = _as(people["cd"])
    client.post("/conduct/new/", {"text": TEXT, "location": places["mbau"].pk})
    complaint = Complaint.objects.get()

    def broken(**kwargs):
        raise DatabaseError("the trail could not be written")

    monkeypatch.setattr(services, "complaint_view_record", broken)
    with pytest.raises(DatabaseError):
        services.complaint_status_set(complaint=complaint, status="closed", by=people["cd"])
    complaint.refresh_from_db()
    assert complaint.status != "closed"
    assert not complaint.views.exists()


def test_the_demo_has_a_conduct_login_members_and_a_complaint(settings, db):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert CbcmMember.objects.count() == 3
    assert Complaint.objects.count() == 1
    conduct = User.objects.get(username="conduct")
    assert list(conduct.groups.values_list("name", flat=True)) == ["conduct"]


def test_the_pages_speak_french_first(people, places):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(people["cd"])
    body = client.get("/conduct/new/").content.decode()
    assert "Nouvelle plainte" in body and "Envoyer la plainte" in body
    assert "Plaintes" in client.get("/conduct/").content.decode()


def test_conduct_staff_correct_a_member_and_mark_them_inactive(people, places):
    member = member_create(name="Neema K", phone="+243992000011", location=places["mbau"])
    client = _as(people["cd"])
    assert "Neema K" in client.get(f"/conduct/members/{member.pk}/").content.decode()
    response = client.post(
        f"/conduct/members/{member.pk}/",
        {
            "name": "Neema Kasereka",
            "phone": "+243992000012",
            "gender": "female",
            "location": places["beni"].pk,
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.phone, member.location, member.active) == (
        "Neema Kasereka",
        "+243992000012",
        places["beni"],
        False,
    )
    # An inactive member is no longer offered on the complaint form.
    assert "Neema Kasereka" not in client.get("/conduct/new/").content.decode()
    assert _as(people["root"]).get(f"/conduct/members/{member.pk}/").status_code == 403
