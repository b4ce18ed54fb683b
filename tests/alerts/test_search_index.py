"""On PostgreSQL the queue's text search has a trigram index on triaged alerts only, so that
storing a new alert (intake, under a surge) does not write to it; the search asks for the
triaged and the waiting alerts apart, so that each half can use its own index."""

import pytest
from django.db import connection

from alerts.models import Alert
from alerts.selectors import alerts_search
from tests.factories import AlertFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def test_the_trigram_index_holds_triaged_alerts_only():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'alert_text_fold_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
    assert definition.endswith("WHERE (triaged_at IS NOT NULL)")


def test_the_search_can_read_both_halves_through_their_indexes():
    AlertFactory.create_batch(3, triaged=True)
    AlertFactory.create_batch(2)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the plan a large table would get
    plan = alerts_search(Alert.objects.all(), "hommes armés").explain()
    assert "alert_text_fold_trgm" in plan
    assert "alert_untriaged" in plan


def test_a_search_finds_the_same_alerts_with_either_half_empty():
    triaged = AlertFactory(text="Hommes armés à Oicha", triaged=True)
    assert set(alerts_search(Alert.objects.all(), "hommes armes")) == {triaged}
    waiting = AlertFactory(text="Hommes armés à Eringeti")
    assert set(alerts_search(Alert.objects.all(), "HOMMES ARMÉS")) == {triaged, waiting}
