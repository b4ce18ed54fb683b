import pytest

from tests.factories import (
    AnalystProfileFactory,
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
    """One user per role. The analyst covers Beni, the other analyst Masisi; the CLA works in
    Beni territory."""
    made = {role: UserFactory.with_role(role) for role in ("admin", "supervisor", "viewer")}
    made["analyst"] = AnalystProfileFactory(
        user__username="analyst", areas=[gazetteer["beni"]]
    ).user
    made["masisi_analyst"] = AnalystProfileFactory(
        user__username="masisi-analyst", areas=[gazetteer["masisi"]]
    ).user
    made["cla"] = CLAProfileFactory(user__username="cla", assigned_places=[gazetteer["beni"]]).user
    return made
