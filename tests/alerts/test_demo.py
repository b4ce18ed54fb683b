import pytest
from django.core.management import call_command

from alerts.models import Alert, Message


@pytest.mark.django_db
def test_seed_demo_loads_weeks_of_triaged_alerts_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Alert.objects.count(), Message.objects.count())
    assert counts[0] >= 100
    assert not Alert.objects.filter(status="new").exists()
    assert Alert.objects.filter(status="closed").exists()
    call_command("seed_demo")
    assert (Alert.objects.count(), Message.objects.count()) == counts
