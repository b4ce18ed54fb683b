"""Webhooks skip the browser middleware but keep the security checks in front of them."""

from urllib.parse import urlencode

import pytest
from django.db import connection

from alerts.models import Alert
from tests.twilio_support import post_signed, sms_params


def test_a_webhook_answer_carries_no_session_cookie_and_no_page_policy(client, db):
    response = post_signed(client, "/webhooks/twilio/sms/", sms_params("Hommes armés à Mbau"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert "Set-Cookie" not in response and "sessionid" not in response.cookies
    assert "Content-Security-Policy" not in response
    assert Alert.objects.count() == 1


def test_pages_still_get_the_full_middleware(client, db):
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" in response
    assert "csrftoken" in response.cookies


def test_an_unknown_webhook_path_is_a_plain_404(client, db):
    assert client.post("/webhooks/twilio/nothing-here/").status_code == 404


def test_a_forged_webhook_is_still_refused(client, db):
    response = client.post(
        "/webhooks/twilio/sms/",
        urlencode(sms_params("x")),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="forged",
    )
    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_plain_http_is_still_sent_to_https_in_production(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.post("/webhooks/twilio/sms/", sms_params("x"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert not Alert.objects.exists()


def test_an_oversized_webhook_is_refused_before_anything_reads_it(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_signed(client, "/webhooks/twilio/sms/", sms_params("x" * 5000))
    assert response.status_code == 413
    assert not Alert.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_behind_our_back_spools_the_sms_and_the_next_one_is_stored(
    client, settings, tmp_path
):
    from alerts.models import Message
    from alerts.services import spool_import

    settings.SPOOL_DIR = tmp_path
    assert post_signed(client, "/webhooks/twilio/sms/", sms_params("premier")).status_code == 200
    connection.ensure_connection()
    connection.connection.close()  # as when the database restarted during a request
    lost = post_signed(client, "/webhooks/twilio/sms/", sms_params("pendant la coupure"))
    assert lost.status_code == 200  # kept in the spool, not refused
    # What Django does when a request ends (its test client leaves it out to keep a test's
    # transaction): the broken connection is dropped, and the next request opens a new one.
    connection.close_if_unusable_or_obsolete()
    after = post_signed(client, "/webhooks/twilio/sms/", sms_params("après"))
    assert after.status_code == 200
    spool_import()
    assert set(Message.objects.values_list("body", flat=True)) == {
        "premier",
        "pendant la coupure",
        "après",
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="connections are kept and checked on PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_after_the_database_restarted_between_two_requests_the_next_sms_is_stored_at_once(
    client, settings, tmp_path
):
    from alerts.models import Message

    settings.SPOOL_DIR = tmp_path
    assert post_signed(client, "/webhooks/twilio/sms/", sms_params("premier")).status_code == 200
    connection.connection.close()  # the database restarted while the process waited
    # What Django does as each request starts (its test client leaves it out to keep a test's
    # transaction): the kept connection will be checked before its first query.
    connection.close_if_unusable_or_obsolete()
    after = post_signed(client, "/webhooks/twilio/sms/", sms_params("après"))
    assert after.status_code == 200
    assert not list(tmp_path.glob("*.spool"))  # stored on a new connection, not spooled
    assert set(Message.objects.values_list("body", flat=True)) == {"premier", "après"}


@pytest.mark.parametrize("public_base_url", ["", "https://alerts.example.org"])
def test_a_signed_webhook_for_another_host_is_a_400_and_stores_nothing(
    client, db, settings, public_base_url
):
    settings.PUBLIC_BASE_URL = public_base_url
    signed_for = f"{public_base_url or 'http://evil.example.com'}/webhooks/twilio/sms/"
    response = post_signed(
        client,
        "/webhooks/twilio/sms/",
        sms_params("Hommes armés à Mbau"),
        url=signed_for,
        HTTP_HOST="evil.example.com",
    )
    assert response.status_code == 400
    assert not Alert.objects.exists()
