"""Shared fixtures of the cla tests: a small gazetteer, CLAs and API clients."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cla.models import CLAProfile
from cla.services import FollowUpData, follow_up_mark_done
from networks.models import Location
from tests.factories import (
    CLAProfileFactory,
    LPCFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)


@pytest.fixture(autouse=True)
def _quick_and_in_english(fast_password_hashing, in_english):
    """Every test here: quick password hashing, messages in English (tests/conftest.py)."""


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def gazetteer(db) -> dict[str, Location]:
    """Nord-Kivu > Beni > {Mbau, Oicha, Kamango}, Nord-Kivu > Lubero > {Kirumba, Butembo}."""
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    lubero = TerritoryFactory(name="Lubero", parent=province)
    places = {"Nord-Kivu": province, "Beni": beni, "Lubero": lubero}
    for name, territory in (
        ("Mbau", beni),
        ("Oicha", beni),
        ("Kamango", beni),
        ("Kirumba", lubero),
        ("Butembo", lubero),
    ):
        places[name] = VillageFactory(name=name, parent=territory)
    return places


@pytest.fixture
def cla_user(db):
    return UserFactory(username="kavira", role="cla")


@pytest.fixture
def other_cla(db):
    return UserFactory(username="ngabo", role="cla")


@pytest.fixture
def visit_factory(cla_user, gazetteer, today):
    """field_visit_create with sensible defaults; returns the visit."""
    from cla.services import field_visit_create

    def make(**overrides):
        arguments = {
            "cla": cla_user,
            "idempotency_key": uuid.uuid4(),
            "visited_on": today,
            "places": [gazetteer["Mbau"]],
        }
        arguments.update(overrides)
        visit, created = field_visit_create(**arguments)
        assert created
        return visit

    return make


@pytest.fixture
def world(gazetteer, cla_user, other_cla, visit_factory, today):
    """kavira (cla_user) leaves: based in Beni, she covers Mbau and Oicha, supports two
    committees, looks after one network, and has an open and a done follow-up. ngabo
    (other_cla) takes over. bahati, another CLA, holds work of her own that stays hers."""
    places = gazetteer
    CLAProfileFactory(user=cla_user, base=places["Beni"], assigned_places=[places["Mbau"]])
    CLAProfile.objects.get(user=cla_user).assigned_places.add(places["Oicha"])
    bahati = UserFactory(username="bahati", role="cla")
    CLAProfileFactory(user=bahati, assigned_places=[places["Kirumba"]])
    world = {
        "kavira": cla_user,
        "ngabo": other_cla,
        "bahati": bahati,
        "sup": UserFactory(username="sup", role="supervisor"),
        "lpc_mbau": LPCFactory(name="CLP Mbau", cla=cla_user, places=[places["Mbau"]]),
        "lpc_oicha": LPCFactory(name="CLP Oicha", cla=cla_user, status="dissolved"),
        "lpc_kirumba": LPCFactory(name="CLP Kirumba", cla=bahati),
        "can_mbau": NetworkFactory(name="CAN Mbau", code="can-mbau", cla=cla_user),
        "can_kirumba": NetworkFactory(name="CAN Kirumba", code="can-kirumba", cla=bahati),
        "can_nobody": NetworkFactory(name="CAN Butembo", code="can-butembo", cla=None),
    }
    visit = visit_factory(
        follow_ups=[
            FollowUpData(description="Apporter des cartes SIM", due_on=today),
            FollowUpData(description="Revoir le chef", due_on=today),
        ]
    )
    world["visit"] = visit
    world["open"], done = visit.follow_ups.order_by("pk")
    follow_up_mark_done(follow_up=done, by=cla_user)
    world["done"] = done
    theirs = visit_factory(
        cla=bahati,
        places=[places["Kirumba"]],
        follow_ups=[FollowUpData(description="Former les points focaux", due_on=today)],
    )
    world["bahati_open"] = theirs.follow_ups.get()
    return world


@pytest.fixture
def api():
    def as_user(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.user = user
        return client

    return as_user


def new_key() -> str:
    return str(uuid.uuid4())
