"""Drill: the SMS provider fails, then recovers. Twilio's REST API (its local stand-in) answers
500 to every send for a while; a real worker on the outbound queue keeps trying. Afterwards every
SMS queued meanwhile was taken by the provider exactly once, each failed try is recorded with
its reason, and none was given up."""

import pytest

from alerts.models import Message, SendAttempt
from alerts.services import sms_send
from tests.realworker import Worker, wait_for
from tests.twilio_support import FakeTwilioAPI

SMS = 10
FAILURES = 25  # every send fails until the provider has answered 500 this many times
SERVER_ERROR = (500, {"code": 20500, "message": "Internal Server Error"})


@pytest.fixture
def provider():
    fake = FakeTwilioAPI(script=[SERVER_ERROR] * FAILURES)
    yield fake
    fake.close()


@pytest.mark.slow
def test_the_provider_answering_500_then_recovering(transactional_db, tmp_path, provider):
    worker = Worker(
        env={"SMS_BACKEND": "twilio", "TWILIO_API_BASE_URL": provider.url},
        queues="outbound",
        log=tmp_path / "worker.log",
    ).start(purge=True)
    try:
        messages = [
            sms_send(body=f"Kengele : message {n} bien reçu.", to=f"+2439910{n:05d}")
            for n in range(SMS)
        ]
        ids = [m.pk for m in messages]

        def settled() -> bool:
            return not Message.objects.filter(pk__in=ids, status=Message.Status.PENDING).exists()

        assert wait_for(settled, 120), f"SMS still pending; see {worker.log_path}"
    finally:
        worker.stop()

    # The outage happened, and the worker kept trying through it.
    assert len(provider.script) == 0, "the provider never answered 500 as many times as scripted"
    failed_tries = SendAttempt.objects.filter(message_id__in=ids, succeeded=False)
    assert failed_tries.count() == FAILURES
    assert set(failed_tries.values_list("http_status", flat=True)) == {500}
    assert all(attempt.error_message for attempt in failed_tries)
    assert not failed_tries.filter(permanent=True).exists()
    # Then each SMS was taken once, none twice, none given up.
    bodies = sorted(form["Body"] for form in provider.accepted)
    assert bodies == sorted(m.body for m in messages)
    statuses = set(Message.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {Message.Status.QUEUED}
    assert SendAttempt.objects.filter(message_id__in=ids, succeeded=True).count() == SMS
