import pytest
from django.contrib.auth.models import AnonymousUser, Group

from core.roles import ROLES, can_edit_membership, can_see_identity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.parametrize(
    ("role", "sees"),
    [("admin", True), ("supervisor", True), ("analyst", True), ("cla", True), ("viewer", False)],
)
def test_only_viewers_may_not_see_identities(role, sees):
    assert can_see_identity(UserFactory.with_role(role)) is sees


@pytest.mark.parametrize("role", ["supervisor", "analyst", "cla", "viewer"])
def test_only_admins_edit_memberships(role):
    assert can_edit_membership(UserFactory.with_role("admin"))
    assert not can_edit_membership(UserFactory.with_role(role))


def test_a_superuser_counts_as_an_admin_and_nobody_counts_as_nothing():
    assert can_edit_membership(UserFactory(is_superuser=True))
    assert not can_see_identity(AnonymousUser())
    assert not can_see_identity(UserFactory())


def test_roles_carry_the_networks_permissions_the_admin_needs():
    admin, supervisor, viewer = (
        Group.objects.get(name=r) for r in ("admin", "supervisor", "viewer")
    )
    assert admin.permissions.filter(codename="change_focalpoint").exists()
    assert supervisor.permissions.filter(codename="view_focalpoint").exists()
    assert not supervisor.permissions.filter(codename="change_focalpoint").exists()
    assert not viewer.permissions.filter(content_type__app_label="networks").exists()
