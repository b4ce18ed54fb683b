"""Terms admins add to the lexicons reach triage without a deployment."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.services import alert_create
from tests.factories import UserFactory
from triage.models import LexiconTerm
from triage.services import alert_triage

TEXT = "Les kibokoyo sont au marché"


def _triaged(text=TEXT):
    return alert_triage(alert=alert_create(source="web", text=text))


def test_an_unknown_word_means_nothing_until_an_admin_adds_it(db):
    assert "attack" not in _triaged().categories
    LexiconTerm.objects.create(
        term="kibokoyo", language="fr", category="attack", weight=3, signals=["life"]
    )
    alert = _triaged()
    assert alert.categories[0] == "attack" and alert.priority == 1
    assert "kibokoyo" in str(alert.explanation)


def test_an_inactive_term_is_left_out(db):
    LexiconTerm.objects.create(term="kibokoyo", language="fr", category="attack", active=False)
    assert "attack" not in _triaged().categories


@pytest.mark.parametrize(
    "fields",
    [
        {"term": "kibokoyo", "language": "fr"},  # means nothing
        {"term": "a*", "language": "fr", "category": "attack"},  # wildcard too short
        {"term": "kibokoyo", "language": "fr", "signals": ["teleport"]},
        {"term": "kibokoyo", "language": "fr", "risk_factors": ["RF99"]},
    ],
)
def test_a_term_the_engine_cannot_use_is_refused_when_saved(db, fields):
    with pytest.raises(ValidationError):
        LexiconTerm(**fields).full_clean()


def test_the_lexicon_is_read_once_not_per_alert(db):
    LexiconTerm.objects.create(term="kibokoyo", language="fr", category="attack")
    _triaged()
    with CaptureQueriesContext(connection) as queries:
        _triaged()
        _triaged()
    assert not [q for q in queries.captured_queries if "triage_lexiconterm" in q["sql"]]


def test_an_admin_adds_a_term_in_the_admin(client, db):
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/triage/lexiconterm/add/",
        {
            "term": "wamechoma",
            "language": "sw",
            "category": "attack",
            "weight": "3",
            "risk_factors": ["RF13"],
            "signals": ["life"],
            "active": "on",
            "note": "burnt houses, Swahili",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    term = LexiconTerm.objects.get()
    assert term.created_by == admin and term.risk_factors == ["RF13"]
    assert "attack" in _triaged("Wamechoma nyumba huko Mbau").categories
