"""CLA profiles and the places a CLA works in (the lpc app's permissions rely on these)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from cla.selectors import cla_place_ids
from cla.services import cla_profile_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_territory_covers_every_place_inside_it(cla_user, gazetteer):
    cla_profile_save(
        user=cla_user,
        base=gazetteer["Mbau"],
        languages=["fr", "sw", "fr"],
        assigned_places=[gazetteer["Beni"], gazetteer["Kirumba"]],
    )
    expected = {gazetteer[name].pk for name in ("Beni", "Mbau", "Oicha", "Kamango", "Kirumba")}
    assert cla_place_ids(user=cla_user) == expected
    assert cla_user.cla_profile.languages == ["fr", "sw"]


def test_without_a_profile_or_a_login_there_are_no_places(cla_user, db):
    assert cla_place_ids(user=cla_user) == set()
    assert cla_place_ids(user=AnonymousUser()) == set()


def test_it_refuses_a_language_it_does_not_know(cla_user):
    with pytest.raises(ValidationError) as caught:
        cla_profile_save(user=cla_user, languages=["fr", "kinyarwanda"])
    assert "languages" in caught.value.message_dict


def test_saving_again_replaces_the_assignment(cla_user, gazetteer):
    cla_profile_save(user=cla_user, assigned_places=[gazetteer["Beni"]])
    cla_profile_save(user=cla_user, assigned_places=[gazetteer["Butembo"]])
    assert cla_place_ids(user=cla_user) == {gazetteer["Butembo"].pk}


def test_the_visit_form_offers_the_places_assigned(client, cla_user, gazetteer):
    cla_profile_save(user=cla_user, assigned_places=[gazetteer["Lubero"]])
    client.force_login(cla_user)
    page = client.get(reverse("cla:visit-new")).content.decode()
    assert "Kirumba" in page and "Butembo" in page
    assert "Mbau" not in page


def test_the_admin_pages_open_and_a_search_with_a_nul_finds_nothing(client, visit_factory):
    visit = visit_factory()
    client.force_login(UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))
    for url in (
        reverse("admin:cla_claprofile_changelist"),
        reverse("admin:cla_claprofile_add"),
        reverse("admin:cla_fieldvisit_changelist"),
        reverse("admin:cla_fieldvisit_change", args=[visit.pk]),
        reverse("admin:cla_followup_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    for url in (
        reverse("admin:cla_fieldvisit_changelist"),
        reverse("admin:cla_followup_changelist"),
    ):
        assert client.get(url, {"q": "a\x00b"}).status_code == 200
    response = client.post(
        reverse("admin:cla_followup_changelist"),
        {"action": "mark_done", "_selected_action": ["abc", "99999999999999999999"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing was done" in response.content.decode()
