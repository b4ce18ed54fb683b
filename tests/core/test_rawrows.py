"""Instances from a hand-written SELECT: the same as raw() makes them, converters included."""

import pytest
from django.core.exceptions import FieldDoesNotExist

from alerts.models import Alert
from alerts.services import alert_create
from core.rawrows import model_rows

pytestmark = pytest.mark.django_db

SQL = (
    "SELECT id, text, categories, explanation, received_at, priority, "
    "length(text) AS text_length FROM alerts_alert WHERE id IN (%s, %s) ORDER BY id"
)


def _as_read(alert: Alert) -> tuple:
    return (
        alert.pk,
        alert.text,
        alert.categories,
        alert.explanation,
        alert.received_at,
        alert.priority,
        alert.text_length,
        alert._state.adding,
        alert._state.db,
    )


def test_it_makes_the_instances_raw_makes():
    first = alert_create(source="web", text="Tirs entendus")
    second = alert_create(source="web", text="Hommes armés à Mbau")
    Alert.objects.filter(pk=second.pk).update(
        categories=["attack"], explanation={"rules": ["attack under way"]}, priority=1
    )
    params = [first.pk, second.pk]
    expected = [_as_read(a) for a in Alert.objects.raw(SQL, params)]
    for _ in range(2):  # the second time from what the first worked out
        found = model_rows(Alert, SQL, params)
        assert [_as_read(a) for a in found] == expected
    assert found[1].categories == ["attack"] and found[1].text_length == len(second.text)
    assert "sender" in found[0].get_deferred_fields()  # not read, so never decrypted


def test_it_gives_nothing_for_no_rows_and_needs_the_primary_key():
    assert model_rows(Alert, "SELECT id FROM alerts_alert WHERE id = %s", [-1]) == []
    alert_create(source="web", text="Tirs entendus")
    with pytest.raises(FieldDoesNotExist):
        model_rows(Alert, "SELECT text FROM alerts_alert", [])
