"""One taxonomy for alerts, triage, visits and meetings."""

from django.utils import translation

from core.taxonomy import (
    CATEGORY_CODES,
    RISK_FACTOR_CHOICES_NUMBERED,
    RISK_FACTOR_CODES,
    RISK_FACTOR_LABELS,
)


def test_the_categories_and_the_fourteen_risk_factors():
    assert CATEGORY_CODES == (
        "attack",
        "armed_presence",
        "abduction",
        "sexual_violence",
        "displacement",
        "looting",
        "hate_speech",
        "intercommunal_tension",
        "threat_to_informant",
        "other",
    )
    assert RISK_FACTOR_CODES == tuple(f"RF{n}" for n in range(1, 15))


def test_numbered_risk_factors_read_in_each_language():
    numbered = dict(RISK_FACTOR_CHOICES_NUMBERED)
    with translation.override("en"):
        assert str(numbered["RF1"]) == "RF1 · Armed conflict or instability"
        assert str(RISK_FACTOR_LABELS["RF14"]).startswith("Serious threats to humanitarian")
    with translation.override("fr"):
        assert str(numbered["RF1"]) == "FR1 · Conflit armé ou instabilité"
