"""Shared fixtures of the cla tests: a small gazetteer, CLAs and API clients."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from networks.models import Location
from tests.factories import ProvinceFactory, TerritoryFactory, UserFactory, VillageFactory


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
def api():
    def as_user(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.user = user
        return client

    return as_user


def new_key() -> str:
    return str(uuid.uuid4())
