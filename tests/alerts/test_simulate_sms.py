import pytest
from django.core.management import call_command

from alerts.models import Alert

pytestmark = pytest.mark.django_db


def test_simulate_sms_goes_through_the_signed_webhook(focal_point, capsys):
    call_command("simulate_sms", "Hommes armés à Mbau", "--from", focal_point.phone)
    alert = Alert.objects.get()
    assert alert.reporter == focal_point and alert.source == "sms"
    out = capsys.readouterr().out
    assert out.startswith("200 SM") and alert.reference in out
