import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from networks.models import Equipment, FocalPoint, Membership
from networks.services import focal_point_create
from tests.factories import (
    EquipmentFactory,
    LocationFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = ["location", "network", "focalpoint", "membership", "equipment"]


@pytest.fixture
def person(places):
    person = focal_point_create(
        name="Kahindo Masika", phone="0991234567", language="sw", notes="Tante du chef"
    )
    MembershipFactory(focal_point=person, network=NetworkFactory(code="can-oicha"))
    EquipmentFactory(focal_point=person)
    return person


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    return client


@pytest.fixture
def supervisor_client(client):
    client.force_login(UserFactory.with_role("supervisor", is_staff=True))
    return client


@pytest.fixture
def masked_client(client):
    """Staff who may read the networks app but not identities (a viewer given view rights)."""
    user = UserFactory.with_role("viewer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="networks", codename__startswith="view_")
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_and_add_forms_load_for_an_admin(admin_client, person, model):
    assert admin_client.get(f"/admin/networks/{model}/").status_code == 200
    assert admin_client.get(f"/admin/networks/{model}/add/").status_code == 200


def test_change_pages_load_for_an_admin(admin_client, person):
    membership = person.memberships.get()
    for url in (
        f"/admin/networks/focalpoint/{person.pk}/change/",
        f"/admin/networks/network/{membership.network_id}/change/",
        f"/admin/networks/membership/{membership.pk}/change/",
        f"/admin/networks/location/{person.home_location_id or LocationFactory().pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_an_admin_sees_identities_and_the_import_and_export_buttons(admin_client, person):
    page = admin_client.get("/admin/networks/focalpoint/").content.decode()
    assert "Kahindo Masika" in page
    assert "+243991234567" in page
    assert "/admin/networks/focalpoint/import/" in page
    assert "/admin/networks/focalpoint/export/" in page


def test_identities_are_masked_for_staff_who_may_not_see_them(masked_client, person):
    pages = [
        masked_client.get("/admin/networks/focalpoint/"),
        masked_client.get(f"/admin/networks/focalpoint/{person.pk}/change/"),
        masked_client.get(f"/admin/networks/network/{person.memberships.get().network_id}/change/"),
        masked_client.get("/admin/networks/membership/"),
    ]
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        assert "Kahindo" not in page
        assert "991234567" not in page
        assert "Tante du chef" not in page
    assert "K. M." in pages[0].content.decode()
    assert "+243 ••• ••• 567" in pages[1].content.decode()
    assert "K. M." in pages[2].content.decode()


def test_masked_staff_cannot_search_by_name_or_number(masked_client, person):
    for term in ("Kahindo", "0991234567"):
        page = masked_client.get("/admin/networks/focalpoint/", {"q": term}).content.decode()
        assert "K. M." not in page, term
    page = masked_client.get("/admin/networks/focalpoint/", {"q": "zzz"}).content.decode()
    assert "K. M." not in page
    assert "K. M." in masked_client.get("/admin/networks/focalpoint/").content.decode()


def test_a_supervisor_sees_identities_but_cannot_edit(supervisor_client, person):
    page = supervisor_client.get("/admin/networks/focalpoint/").content.decode()
    assert "Kahindo Masika" in page
    assert "/admin/networks/focalpoint/add/" not in page
    assert "/admin/networks/focalpoint/import/" not in page
    assert supervisor_client.get("/admin/networks/focalpoint/add/").status_code == 403
    assert supervisor_client.get("/admin/networks/focalpoint/import/").status_code == 403
    response = supervisor_client.post(
        f"/admin/networks/focalpoint/{person.pk}/change/", {"name": "Changed"}
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "Kahindo Masika"


def test_a_viewer_without_staff_rights_is_kept_out(client, person):
    client.force_login(UserFactory.with_role("viewer"))
    response = client.get("/admin/networks/focalpoint/")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("term", "found"),
    [("kahindo", True), ("MASIKA kahindo", True), ("+243 99 123 4567", True), ("Furaha", False)],
)
def test_an_admin_searches_by_name_or_number(admin_client, person, term, found):
    page = admin_client.get("/admin/networks/focalpoint/", {"q": term}).content.decode()
    assert ("Kahindo Masika" in page) is found


def test_name_search_ignores_accents(admin_client, places):
    focal_point_create(name="Espérance Kavira", phone="0991234567")
    page = admin_client.get("/admin/networks/focalpoint/", {"q": "esperance"}).content.decode()
    assert "Espérance Kavira" in page


def test_the_place_search_uses_alternate_spellings(admin_client, places):
    page = admin_client.get("/admin/networks/location/", {"q": "kichanga"}).content.decode()
    assert "Kitshanga" in page


def add_form(**overrides) -> dict:
    data = {
        "name": "Furaha Bahati",
        "phone": "+243 99 765 4321",
        "phone_alt": "",
        "language": "sw",
        "gender": "female",
        "age_band": "25-34",
        "role": "teacher",
        "home_location": "",
        "consent_at": "2025-01-10",
        "active": "on",
        "opted_out_at_0": "",
        "opted_out_at_1": "",
        "notes": "",
    }
    for prefix in ("memberships", "equipment"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | overrides


def test_the_add_form_stores_the_number_in_e164(admin_client, places):
    response = admin_client.post("/admin/networks/focalpoint/add/", add_form())
    assert response.status_code == 302
    person = FocalPoint.objects.get()
    assert person.phone == "+243997654321"
    assert person.phone_hash


def test_the_add_form_explains_junk_and_duplicate_numbers(admin_client, person):
    page = admin_client.post("/admin/networks/focalpoint/add/", add_form(phone="abc"))
    assert "is not a phone number" in page.content.decode()
    page = admin_client.post("/admin/networks/focalpoint/add/", add_form(phone="+243991234567"))
    assert "Another focal point already has the number +243991234567." in page.content.decode()
    assert FocalPoint.objects.count() == 1


def test_a_membership_added_inline_goes_through_the_service(admin_client, places):
    network = NetworkFactory()
    data = add_form() | {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-network": str(network.pk),
        "memberships-0-joined_on": "2025-02-01",
        "memberships-0-left_on": "",
        "memberships-0-left_reason": "",
    }
    assert admin_client.post("/admin/networks/focalpoint/add/", data).status_code == 302
    assert Membership.objects.get().network == network


def inline_memberships(*rows: tuple) -> dict:
    data = {"memberships-TOTAL_FORMS": str(len(rows))}
    for i, (network, joined_on, left_on, reason) in enumerate(rows):
        data |= {
            f"memberships-{i}-network": str(network.pk),
            f"memberships-{i}-joined_on": joined_on,
            f"memberships-{i}-left_on": left_on,
            f"memberships-{i}-left_reason": reason,
        }
    return data


def test_past_and_current_memberships_added_inline_are_both_kept(admin_client, places):
    network = NetworkFactory()
    data = add_form() | inline_memberships(
        (network, "2023-03-01", "", ""),
        (network, "2020-01-01", "2022-12-31", "Moved to Goma"),
    )
    assert admin_client.post("/admin/networks/focalpoint/add/", data).status_code == 302
    assert list(
        Membership.objects.values_list("joined_on", "left_on", "left_reason").order_by("joined_on")
    ) == [
        (dt.date(2020, 1, 1), dt.date(2022, 12, 31), "Moved to Goma"),
        (dt.date(2023, 3, 1), None, ""),
    ]


def test_overlapping_memberships_added_inline_are_a_form_error(admin_client, places):
    network = NetworkFactory()
    data = add_form() | inline_memberships(
        (network, "2020-01-01", "2024-01-01", ""),
        (network, "2023-03-01", "", ""),
    )
    response = admin_client.post("/admin/networks/focalpoint/add/", data)
    assert response.status_code == 200
    assert "This period overlaps the membership of the same network" in response.content.decode()
    assert not FocalPoint.objects.exists()
    assert not Membership.objects.exists()


def membership_form(person, network, joined_on: str, left_on: str, reason: str = "") -> dict:
    return {
        "focal_point": person.pk,
        "network": network.pk,
        "joined_on": joined_on,
        "left_on": left_on,
        "left_reason": reason,
    }


def test_adding_a_past_membership_keeps_the_current_one_open(admin_client, person):
    current = person.memberships.get()  # joined 2024-01-15
    data = membership_form(person, current.network, "2020-01-01", "2023-12-31", "Moved to Goma")
    response = admin_client.post("/admin/networks/membership/add/", data)
    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.left_on, current.left_reason) == (None, "")
    past = person.memberships.exclude(pk=current.pk).get()
    assert (past.joined_on, past.left_on, past.left_reason) == (
        dt.date(2020, 1, 1),
        dt.date(2023, 12, 31),
        "Moved to Goma",
    )


@pytest.mark.parametrize("left_on", ["2024-06-30", "2025-01-01"])
def test_adding_a_membership_overlapping_the_current_one_is_a_form_error(
    admin_client, person, left_on
):
    current = person.memberships.get()
    data = membership_form(person, current.network, "2020-01-01", left_on, "Moved")
    response = admin_client.post("/admin/networks/membership/add/", data)
    assert response.status_code == 200
    assert "This period overlaps the membership of the same network" in response.content.decode()
    current.refresh_from_db()
    assert (current.left_on, current.left_reason) == (None, "")
    assert person.memberships.count() == 1


def test_equipment_records_who_gave_it(admin_client, person):
    data = add_form(phone="0991111111") | {
        "equipment-TOTAL_FORMS": "1",
        "equipment-0-kind": "sim",
        "equipment-0-given_on": "2025-03-01",
        "equipment-0-currency": "USD",
        "equipment-0-amount": "",
        "equipment-0-serial": "8924301000",
        "equipment-0-notes": "",
    }
    assert admin_client.post("/admin/networks/focalpoint/add/", data).status_code == 302
    sim = Equipment.objects.get(kind="sim")
    assert sim.given_by.username == "admin"


def test_memberships_cannot_be_deleted_from_the_admin(admin_client, person):
    membership = person.memberships.get()
    response = admin_client.get(f"/admin/networks/membership/{membership.pk}/delete/")
    assert response.status_code == 403
    page = admin_client.get("/admin/networks/membership/").content.decode()
    assert "delete_selected" not in page


def test_the_end_today_action_ends_memberships(admin_client, person):
    membership = person.memberships.get()
    admin_client.post(
        "/admin/networks/membership/",
        {"action": "end_today", "_selected_action": [membership.pk]},
    )
    membership.refresh_from_db()
    assert membership.left_on is not None


def test_a_closed_network_needs_its_closing_date(admin_client, places):
    response = admin_client.post(
        "/admin/networks/network/add/",
        {
            "name": "CAN Test",
            "code": "can-test",
            "status": "closed",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert "A closed network needs the date it closed." in response.content.decode()


def test_the_import_page_loads_and_imports_a_good_file(admin_client, places):
    assert admin_client.get("/admin/networks/focalpoint/import/").status_code == 200
    upload = SimpleUploadedFile(
        "roster.csv", b"name;phone;home_location\nFuraha;0991234567;Oicha\n", "text/csv"
    )
    response = admin_client.post("/admin/networks/focalpoint/import/", {"file": upload})
    assert response.status_code == 302
    assert FocalPoint.objects.get().home_location.name == "Oicha"


def test_the_import_page_lists_each_bad_line(admin_client, places):
    content = b"name,phone\nFuraha,0991234567\nBahati,12\nNeema,abc\n"
    upload = SimpleUploadedFile("roster.csv", content, "text/csv")
    response = admin_client.post("/admin/networks/focalpoint/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in page
    assert "<td>3</td>" in page
    assert "<td>4</td>" in page
    assert FocalPoint.objects.count() == 0


def test_the_export_button_honours_filters_and_masks_for_masked_staff(masked_client, person):
    focal_point_create(name="Safari Amani", phone="0812345678", language="fr")
    response = masked_client.get("/admin/networks/focalpoint/export/", {"language__exact": "sw"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2
    assert "K. M." in text
    assert "Kahindo" not in text


def test_the_export_button_with_an_unknown_filter_goes_back_to_the_list(admin_client, person):
    response = admin_client.get("/admin/networks/focalpoint/export/", {"foo": "bar"}, follow=True)
    assert response.redirect_chain == [("/admin/networks/focalpoint/", 302)]
    page = response.content.decode()
    assert "Nothing was exported: the filters in the address are not valid." in page


def test_the_export_action_gives_clear_identities_to_an_admin(admin_client, person):
    response = admin_client.post(
        "/admin/networks/focalpoint/",
        {"action": "export_csv", "_selected_action": [person.pk]},
    )
    text = response.content.decode("utf-8-sig")
    assert "Kahindo Masika" in text
    assert "+243991234567" in text


def test_list_filters_narrow_the_changelist(admin_client, person, places):
    network = person.memberships.get().network
    for params, expected in [
        ({"network": network.pk}, True),
        ({"opted_out": "yes"}, False),
        ({"opted_out": "no"}, True),
        ({"language__exact": "fr"}, False),
    ]:
        page = admin_client.get("/admin/networks/focalpoint/", params).content.decode()
        assert ("Kahindo Masika" in page) is expected, params


def test_the_home_territory_filter_includes_places_below_it(admin_client, places):
    from networks.models import Location

    oicha = Location.objects.get(name="Oicha")
    focal_point_create(name="Furaha", phone="0991234567", home_location=oicha)
    beni = Location.objects.get(name="Beni", kind="territory")
    fizi = Location.objects.get(name="Fizi", kind="territory")
    assert (
        "Furaha"
        in admin_client.get(
            "/admin/networks/focalpoint/", {"home_territory": beni.pk}
        ).content.decode()
    )
    assert (
        "Furaha"
        not in admin_client.get(
            "/admin/networks/focalpoint/", {"home_territory": fizi.pk}
        ).content.decode()
    )


@pytest.mark.parametrize("territory", ["99999999999999999999", "-1", "beni"])
def test_a_home_territory_that_is_no_place_id_lists_nobody(admin_client, person, territory):
    for url in ("/admin/networks/focalpoint/", "/admin/networks/focalpoint/export/"):
        response = admin_client.get(url, {"home_territory": territory})
        assert response.status_code == 200
        assert "Kahindo Masika" not in response.content.decode()


def test_a_filter_value_with_a_nul_character_is_refused_not_a_500(admin_client, person):
    params = {"language__exact": "fr\x00"}
    response = admin_client.get("/admin/networks/focalpoint/", params)
    assert response.status_code == 302 and response.url.endswith("?e=1")
    response = admin_client.get("/admin/networks/focalpoint/export/", params)
    assert response.status_code == 302
    assert (
        admin_client.get("/admin/networks/network/", {"status__exact": "\x00"}).status_code == 302
    )


@pytest.mark.parametrize("selected", [["abc"], ["99999999999999999999"], ["0"]])
def test_an_action_on_a_forged_selection_does_nothing_and_says_so(admin_client, person, selected):
    response = admin_client.post(
        "/admin/networks/focalpoint/",
        {"action": "export_csv", "_selected_action": [str(person.pk), *selected]},
        follow=True,
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Nothing was done: the selection is not valid." in response.content.decode()


def test_membership_dates_are_validated_in_the_admin(admin_client, person):
    membership = person.memberships.get()
    response = admin_client.post(
        f"/admin/networks/membership/{membership.pk}/change/",
        {
            "focal_point": person.pk,
            "network": membership.network_id,
            "joined_on": "2024-05-01",
            "left_on": "2024-01-01",
            "left_reason": "",
        },
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.left_on is None
    assert membership.joined_on == dt.date(2024, 1, 15)


def test_an_airtime_top_up_needs_its_amount(admin_client, person):
    response = admin_client.post(
        "/admin/networks/equipment/add/",
        {"focal_point": person.pk, "kind": "airtime", "given_on": "2025-03-01", "currency": "USD"},
    )
    assert "An airtime top-up needs its amount." in response.content.decode()
