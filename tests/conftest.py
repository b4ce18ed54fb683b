import pytest


@pytest.fixture
def roles(db):
    from django.contrib.auth.models import Group

    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group, User

    def make(username: str, role: str | None = None, **extra) -> User:
        user = User.objects.create_user(username=username, password="pw-kengele-test", **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make
