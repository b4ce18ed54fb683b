import json

import pytest
from django.core.management import call_command

from alerts.models import Alert
from networks.models import Location
from networks.services import focal_point_create
from triage.services import alert_triage, place_index_reset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gazetteer(db):
    place_index_reset()
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    beni = Location.objects.create(name="Beni", kind="territory", parent=province)
    Location.objects.create(
        name="Mbau",
        kind="village",
        parent=beni,
        alternate_names=["Mbawu"],
        latitude=0.63,
        longitude=29.49,
    )
    oicha = Location.objects.create(
        name="Oicha", kind="village", parent=beni, latitude=0.7, longitude=29.52
    )
    yield oicha
    place_index_reset()


def test_it_classifies_prioritises_and_places_an_alert_and_explains_why():
    alert = alert_triage(
        alert=Alert.objects.create(source="sms", text="Hommes armés à mbawu maintenant, on tire")
    )
    assert alert.status == "triaged" and alert.triaged_at
    assert alert.priority == 1 and alert.categories[0] == "attack"
    assert alert.location.name == "Mbau" and not alert.location_is_fallback
    assert alert.language == "fr"
    assert alert.explanation["priority"]


def test_it_falls_back_to_the_reporters_home_and_says_so(gazetteer):
    reporter = focal_point_create(
        name="Kahindo Mbusa", phone="+243991112233", home_location=gazetteer
    )
    alert = Alert.objects.create(
        source="sms", text="Bahati ameona wanajeshi wengi", reporter=reporter
    )
    alert = alert_triage(alert=alert)
    assert alert.location == gazetteer and alert.location_is_fallback


def test_a_missed_call_is_priority_two_until_called_back():
    alert = alert_triage(alert=Alert.objects.create(source="missed_call", text=""))
    assert alert.priority == 2


def test_triage_runs_once_even_if_the_task_is_delivered_twice():
    alert = alert_triage(alert=Alert.objects.create(source="sms", text="Tirs à Oicha"))
    alert.priority = 4
    alert.save()
    again = alert_triage(alert=Alert.objects.get(pk=alert.pk))  # an analyst's change survives
    assert again.priority == 4


def test_triage_report_prints_the_contract_summary(tmp_path, capsys):
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {
            "text": "Coups de feu à Mbau maintenant",
            "language": "fr",
            "categories": ["attack"],
            "priority": 1,
            "place": "Mbau",
        },
        {
            "text": "Bonjour, merci",
            "language": "fr",
            "categories": ["other"],
            "priority": 4,
            "place": None,
        },
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    call_command("triage_report", str(labelled))
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(summary) == {
        "n",
        "category_accuracy",
        "priority1_recall",
        "priority_accuracy",
        "place_accuracy",
        "language_accuracy",
    }
    assert summary["n"] == 2 and summary["priority1_recall"] == 1.0
    assert not Alert.objects.exists()  # nothing kept
