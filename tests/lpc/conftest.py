import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lpc import services
from lpc.models import LPC
from tests.factories import (
    CLAProfileFactory,
    LocationFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _quick_and_in_english(fast_password_hashing, in_english):
    """Every test here: quick password hashing, messages in English (tests/conftest.py)."""


@pytest.fixture
def gazetteer(db):
    """Two territories: Beni (Oicha, Mbau) and Masisi (Kitshanga)."""
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    masisi = TerritoryFactory(name="Masisi", parent=province)
    return {
        "beni": beni,
        "masisi": masisi,
        "oicha": LocationFactory(name="Oicha", parent=beni),
        "mbau": LocationFactory(name="Mbau", parent=beni),
        "kitshanga": LocationFactory(name="Kitshanga", parent=masisi),
    }


@pytest.fixture
def users(gazetteer):
    """One user per role; the CLA works in Beni territory (so Oicha and Mbau)."""
    made = {
        role: UserFactory.with_role(role) for role in ("admin", "supervisor", "analyst", "viewer")
    }
    made["cla"] = CLAProfileFactory(user__username="cla", assigned_places=[gazetteer["beni"]]).user
    made["other_cla"] = UserFactory(username="other-cla", role="cla")
    return made


@pytest.fixture
def oicha(gazetteer) -> LPC:
    return services.lpc_create(
        by=None,
        name="CLP Oicha",
        kind=LPC.Kind.MISSION,
        places=[gazetteer["oicha"], gazetteer["mbau"]],
        founded_on=dt.date(2019, 5, 14),
    )


@pytest.fixture
def kitshanga(gazetteer) -> LPC:
    return services.lpc_create(
        by=None,
        name="CLP Kitshanga",
        kind=LPC.Kind.COMMUNITY,
        places=[gazetteer["kitshanga"]],
        status=LPC.Status.DORMANT,
    )


@pytest.fixture
def secretary(oicha):
    return services.lpc_member_create(
        lpc=oicha,
        by=None,
        name="Kavira Masika",
        role="secretary",
        gender="female",
        age_band="25-34",
        group="women",
        joined_on=dt.date(2019, 5, 14),
    )


@pytest.fixture
def meeting(oicha, secretary, gazetteer):
    return services.lpc_meeting_create(
        lpc=oicha,
        by=None,
        held_on=dt.date(2025, 10, 4),
        place=gazetteer["oicha"],
        attendance={"women_youth": 3, "men_adults": 5},
        members_present=[secretary],
        categories=["armed_presence"],
        risk_factors=["RF1"],
        minutes="Des hommes armés ont été vus près de Mbau.",
        action_points=[
            services.ActionPointInput(
                description="Informer le chef de groupement",
                owner="Président",
                due_on=dt.date(2025, 10, 18),
            )
        ],
    )


@pytest.fixture
def api(users):
    def as_role(role: str) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.user = users[role]
        return client

    return as_role


@pytest.fixture
def browser(client, users):
    """The Django test client logged in as the given role."""

    def as_role(role: str):
        client.force_login(users[role])
        return client

    return as_role
