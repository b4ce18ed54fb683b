"""Alerts travel from the webhook to a real Celery worker on the real broker."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from alerts.services import alerts_requeue_stale, enqueue_triage
from networks.models import Location
from tests.outages import broker_at
from tests.realworker import Worker, wait_for
from tests.twilio_support import post_signed, sms_params


@pytest.fixture
def gazetteer(transactional_db):
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    territory = Location.objects.create(name="Beni", kind="territory", parent=province)
    return Location.objects.create(
        name="Mbau",
        kind="village",
        parent=territory,
        alternate_names=["Mbawu"],
        latitude=0.63,
        longitude=29.49,
    )


@pytest.fixture
def worker(transactional_db):
    running = Worker().start(purge=True)
    yield running
    running.stop()


@pytest.mark.slow
def test_an_sms_is_triaged_by_a_real_worker(gazetteer, worker):
    response = post_signed(
        Client(), "/webhooks/twilio/sms/", sms_params("Hommes armés à Mbau maintenant, on tire")
    )
    assert response.status_code == 200
    alert = Alert.objects.get()

    def triaged():
        alert.refresh_from_db()
        return alert.status == "triaged"

    assert wait_for(triaged, 30), f"still {alert.status}; see {worker.log_path}"
    assert alert.priority == 1 and "attack" in alert.categories
    assert alert.location == gazetteer and alert.language == "fr"
    assert alert.explanation  # the reasons are kept for analysts


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_no_alert(gazetteer, transactional_db):
    alerts = [
        Alert.objects.create(source="web", text=f"Coups de feu à Mbau {i}") for i in range(40)
    ]
    first = Worker().start(purge=True)
    try:
        for alert in alerts:
            enqueue_triage(alert.pk)
        assert wait_for(lambda: Alert.objects.filter(status="triaged").exists(), 30)
        first.kill()  # mid-batch: some triaged, some taken but unfinished, some waiting
    finally:
        first.stop()
    left = Alert.objects.filter(status="new").count()
    second = Worker(env={"CELERY_VISIBILITY_TIMEOUT": "5"}).start()
    try:
        done = wait_for(lambda: not Alert.objects.filter(status="new").exists(), 20)
        if not done:
            # A broker without acknowledgements (the embedded filesystem one) cannot redeliver
            # what the dead worker had taken: the sweeper requeues alerts still new after 60 s.
            Alert.objects.filter(status="new").update(
                received_at=timezone.now() - dt.timedelta(seconds=61)
            )
            alerts_requeue_stale()
            done = wait_for(lambda: not Alert.objects.filter(status="new").exists(), 30)
        assert done, f"{Alert.objects.filter(status='new').count()} of {left} still new"
    finally:
        second.stop()
    assert Alert.objects.filter(status="triaged").count() == 40


@pytest.mark.slow
def test_a_laptop_worker_on_the_embedded_broker_keeps_up_with_a_batch(
    gazetteer, transactional_db, tmp_path
):
    """`make run` without services: the embedded filesystem broker, whatever this run uses."""
    alerts = [
        Alert.objects.create(source="web", text=f"Coups de feu à Mbau {i}") for i in range(40)
    ]
    folders = {
        "queue": tmp_path / "broker" / "queue",
        "processed": tmp_path / "broker" / "processed",
    }
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(tmp_path / "broker" / "control"),
        "store_processed": False,
    }
    for folder in folders.values():
        folder.mkdir(parents=True)
    # The worker's settings put the embedded broker under KENGELE_VAR_DIR, as `make run` does.
    worker = Worker(
        env={"CELERY_BROKER_URL": "filesystem://", "KENGELE_VAR_DIR": str(tmp_path)},
        log=tmp_path / "worker.log",
    ).start()
    try:
        with broker_at("filesystem://", options):
            for alert in alerts:
                enqueue_triage(alert.pk)
        # Forty alerts take well under a second of triage; one every 2 s would need 80 s.
        done = wait_for(lambda: not Alert.objects.filter(status="new").exists(), 30)
        left = Alert.objects.filter(status="new").count()
        assert done, f"{left} of 40 still new after 30 s; see {worker.log_path}"
    finally:
        worker.stop()
