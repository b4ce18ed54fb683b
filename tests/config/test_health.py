import pytest


@pytest.mark.django_db
def test_it_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_it_is_down(client, settings):
    from tests.outages import broker_down

    with broker_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}
