import pytest

from triage.services import worker_heartbeat_record


@pytest.mark.django_db
def test_it_reports_database_and_broker_ok(client):
    worker_heartbeat_record(hostname="celery@test")  # a worker is running
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "triage": "ok",
        "oldest_untriaged_seconds": None,
    }


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_it_is_down(client, settings):
    from tests.outages import broker_down

    worker_heartbeat_record(hostname="celery@test")
    with broker_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["triage"]) == ("ok", "down", "ok")
