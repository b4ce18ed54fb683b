"""The role table, answered by hand: who may do what. A change to core.roles that changes an
answer here must be meant."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from core.roles import CAPABILITIES, ROLES, can, mask_name, mask_phone, roles_of, roles_with

pytestmark = pytest.mark.django_db

A, S, AN, C, V, K = "admin", "supervisor", "analyst", "cla", "viewer", "conduct"

# capability -> the roles that hold it, written out by hand.
EXPECTED = {
    "use": {A, S, AN, C, V, K},
    "see_all_alerts": {A, S, V},
    "see_identity": {A, S, AN, C},
    "see_all_identities": {A, S},
    "read_identities_in_bulk": {A},
    "raise_alert": {A, S, AN, C},
    "work_alerts": {A, S, AN},
    "be_assigned": {A, S, AN},
    "read_broadcasts": {A, S, AN},
    "send_broadcasts": {A, S},
    "supervise": {A, S},
    "use_admin_site": {A, S},
    "read_all_field_records": {A, S, AN},
    "read_field_records": {A, S, AN, C},
    "write_field_records": {A, C},
    "edit_any_field_record": {A},
    "hand_over_cla_work": {A, S},
    "edit_membership": {A},
    "read_audit_trail": {A},
    "read_town_halls": {A, S, AN, C, V, K},
    "record_town_halls": {A, S, AN, C},
    "read_deployments": {A, S, AN},
    "record_deployments": {A, S, AN},
    "read_polls": {A, S, AN, C, V, K},
    "build_polls": {A, S, AN},
    "send_polls": {A, S},
    "record_poll_interviews": {A, C},
    "read_complaints": {K},
    "submit_complaint": {K, C},
}


def user_with(*groups: str, superuser: bool = False) -> User:
    user = User.objects.create_user(f"u{User.objects.count()}", is_superuser=superuser)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def test_the_table_names_every_capability_and_only_known_roles():
    assert set(CAPABILITIES) == set(EXPECTED)
    assert ROLES == (A, S, AN, C, V, K)


@pytest.mark.parametrize("capability", sorted(EXPECTED))
@pytest.mark.parametrize("role", [A, S, AN, C, V, K])
def test_each_role_holds_exactly_its_capabilities(role, capability):
    assert can(user_with(role), capability) is (role in EXPECTED[capability])


def test_no_role_no_capability_and_a_visitor_none():
    nobody = user_with()
    for capability in EXPECTED:
        assert not can(nobody, capability)
        assert not can(AnonymousUser(), capability)


def test_a_superuser_is_an_admin_and_roles_add_up():
    assert roles_of(user_with(superuser=True)) == {A}
    both = user_with(AN, C)
    assert can(both, "work_alerts") and can(both, "write_field_records")
    assert not can(both, "send_broadcasts")


def test_roles_with_keeps_the_table_order():
    assert roles_with("write_field_records") == (A, C)
    assert roles_with("be_assigned") == (A, S, AN)


def test_masks_hide_enough():
    assert mask_phone("+243991234567") == "+243 ••• ••• 567"
    assert mask_name("Amani Kahindo") == "A. K."
    assert mask_phone(None) == "" and mask_name("") == ""
