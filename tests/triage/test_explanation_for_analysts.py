"""The alert page explains triage to an analyst in sentences: which words led to which category
and priority, what was set aside and why; risk factors, response units and history notes in
the reader's language, never the engine's internal names."""

import re

import pytest
from django.utils.html import strip_tags

from alerts.models import AlertEvent, ResponseUnit
from alerts.services import alert_escalate, alert_event_record, alert_transition
from tests.factories import AlertFactory, UserFactory, VillageFactory
from triage.constants import AUTO_ASSIGN_NOTE
from triage.engine import analyse
from triage.engine.types import Place

TEXT = "Hommes armés à Mbau maintenant, on tire sur les maisons, 3 morts, ce n'est pas un vol"
DEBUG_WORDS = ("per category", "per_category", "kept", "negated", "False", "True", "term:")


@pytest.fixture
def page_of(client):
    def page(alert, language="fr") -> str:
        client.cookies["django_language"] = language
        html = client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
        html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
        return re.sub(r"\s+", " ", strip_tags(html))

    return page


@pytest.fixture
def triaged(db, client):
    analyst = UserFactory(username="ana", role="analyst")
    client.force_login(analyst)
    mbau = VillageFactory(name="Mbau", latitude="0.63", longitude="29.49")
    result = analyse(TEXT, [Place(mbau.pk, "Mbau")], reporter_reliability=0.2)
    alert = AlertFactory(
        triaged=True,
        text=TEXT,
        location=mbau,
        priority=result.priority,
        categories=result.categories,
        risk_factors=result.risk_factors,
        explanation=result.explanation,
    )
    return alert, analyst


def test_the_explanation_reads_as_sentences_in_french(triaged, page_of):
    alert, _analyst = triaged
    text = page_of(alert)
    assert "Attaque : d’après les mots « on tire », « morts »." in text
    assert "Écartés parce que le texte les nie : « vol »." in text
    assert "« vol » : Pillage ; non compté, le texte le nie (« pas »)." in text
    assert "Victimes comptées : 3 (« morts »)." in text
    assert "Le texte parle de :" in text and "menace pour la vie" in text
    assert "écrit comme dans la liste des lieux" in text
    assert "FR13 · Menaces graves" in text  # the risk factor by its number and name
    for word in DEBUG_WORDS:
        assert word not in text, word
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)


def test_the_explanation_reads_as_sentences_in_english(triaged, page_of):
    alert, _analyst = triaged
    text = page_of(alert, "en")
    assert "Attack: from the words “on tire”, “morts”." in text
    assert "Set aside because the text negates them: “vol”." in text
    for word in DEBUG_WORDS:
        assert word not in text, word


def test_risk_factors_units_and_notes_show_in_the_readers_words(triaged, page_of):
    alert, analyst = triaged
    alert_event_record(
        alert=alert,
        kind=AlertEvent.Kind.RISK_FACTORS,
        by=analyst,
        before=["RF1"],
        after=["RF1", "RF11"],
    )
    alert_event_record(
        alert=alert, kind=AlertEvent.Kind.ASSIGNED, after={"username": "ana"}, note=AUTO_ASSIGN_NOTE
    )
    alert_transition(alert=alert, to="acknowledged", by=analyst)
    alert_transition(alert=alert, to="verified", by=analyst)
    unit = ResponseUnit.objects.get(name="Human Rights")  # seeded, stored in English
    alert_escalate(alert=alert, unit=unit, by=analyst, note="")
    text = page_of(alert)
    assert "FR1 · Conflit armé ou instabilité → FR1 · Conflit armé" in text
    assert "Attribuée automatiquement : de permanence pour cette zone." in text
    assert AUTO_ASSIGN_NOTE not in text
    assert "Droits de l’homme" in text and "Human Rights" not in text
    # The correction form names every risk factor.
    assert "FR14 · Menaces graves contre les opérations humanitaires" in text
    assert not re.search(r"\bRF\d", text)
