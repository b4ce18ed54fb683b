import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from core.crypto import lookup_hash
from networks.demo import RESERVED_NUMBERS, seed_focal_points, seed_networks, seed_places
from networks.models import Equipment, FocalPoint, Location, Membership, Network

pytestmark = pytest.mark.django_db

MODELS = (User, Location, Network, FocalPoint, Membership, Equipment)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_data(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    first_phones = set(FocalPoint.objects.values_list("phone_hash", flat=True))
    call_command("seed_demo")
    assert counts() == first
    assert set(FocalPoint.objects.values_list("phone_hash", flat=True)) == first_phones
    assert first["Network"] >= 10
    assert first["FocalPoint"] >= 200  # the networks demo, plus the CLAs' recruits
    assert "Demo data ready" in capsys.readouterr().out


def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()


def test_demo_users_log_in_with_the_demo_password_and_have_their_roles(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")
    call_command("seed_demo")
    for role in ("admin", "supervisor", "analyst", "cla", "viewer", "conduct"):
        user = authenticate(username=role, password="another-demo-pass")
        assert user is not None, role
        assert list(user.groups.values_list("name", flat=True)) == [role]
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"admin", "supervisor"}
    assert User.objects.get(username="admin").is_superuser


def test_demo_focal_points_are_plausible(settings):
    seed_places()
    seed_networks()
    seed_focal_points()
    people = list(FocalPoint.objects.select_related("home_location"))
    women = sum(p.gender == "female" for p in people)
    assert 0.3 < women / len(people) < 0.5
    assert {p.language for p in people} == {"fr", "sw", "ln", "en"}
    assert not {lookup_hash(n) for n in RESERVED_NUMBERS} & {p.phone_hash for p in people}
    assert all(p.phone[:6] in ("+24397", "+24399", "+24381") for p in people)
    statuses = set(Network.objects.values_list("status", flat=True))
    assert statuses == {"active", "dormant", "closed"}
    for membership in Membership.objects.select_related("focal_point", "network"):
        if membership.network.status != "closed":
            continue
        assert membership.left_on == membership.network.closed_on
    assert any(p.opted_out for p in people)
    assert Equipment.objects.filter(kind="airtime").exists()
    for person in FocalPoint.objects.prefetch_related("memberships__network__area"):
        areas = {loc.pk for m in person.memberships.all() for loc in m.network.area.all()}
        assert person.home_location_id in areas
