"""Login lockout (django-axes): five failures lock a username from one address for a while."""

import pytest
from rest_framework.authtoken.models import Token

from networks.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-kengele-test"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ana(db):
    return UserFactory.with_role("analyst", username="ana")


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def fail_five_times(client, username: str = "ana", address: str = "10.0.0.1") -> None:
    for _ in range(5):
        response = log_in(client, username, "wrong password", address)
        assert response.status_code in (200, 429)


def test_five_failures_lock_the_account_and_the_right_password_is_then_refused(client, ana):
    for attempt in range(4):
        assert log_in(client, "ana", "wrong password").status_code == 200, attempt
    locked = log_in(client, "ana", "wrong password")
    assert locked.status_code == 429

    refused = log_in(client, "ana", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "Too many failed logins" in page
    assert "after 5 failed logins" in page and "Try again in 30 minutes" in page


def test_below_the_limit_the_right_password_still_works(client, ana):
    for _ in range(4):
        log_in(client, "ana", "wrong password")
    assert log_in(client, "ana", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(ana.pk)


def test_another_user_from_the_same_address_is_not_locked(client, ana):
    UserFactory(username="bahati")
    fail_five_times(client)
    assert log_in(client, "bahati", PASSWORD).status_code == 302


def test_the_same_user_from_another_address_is_not_locked(client, ana):
    fail_five_times(client, address="10.0.0.1")
    assert log_in(client, "ana", PASSWORD, address="10.9.9.9").status_code == 302


def test_the_admin_login_is_locked_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "root", "password": "nope"},
            REMOTE_ADDR="10.0.0.1",
        )
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429


def test_failed_logins_and_the_lockout_are_in_the_audit_trail(client, ana):
    fail_five_times(client)
    log_in(client, "ana", PASSWORD)
    failed = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED)
    assert failed.count() == 6  # the refused right password is a failed login too
    assert {e.details["username"] for e in failed} == {"ana"}
    assert {e.ip_address for e in failed} == {"10.0.0.1"}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOCKED_OUT).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).exists()


def test_api_tokens_keep_working_while_the_login_is_locked(client, ana):
    fail_five_times(client)
    token = Token.objects.create(user=ana)
    response = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_the_limit_and_duration_follow_the_settings(client, ana, settings):
    import datetime as dt

    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=5)
    log_in(client, "ana", "wrong password")
    response = log_in(client, "ana", "wrong password")
    assert response.status_code == 429
    assert "Try again in 5 minutes" in response.content.decode()


def test_failures_from_many_addresses_lock_the_username_everywhere(client, ana, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    for n in range(7):  # never five from one address
        assert log_in(client, "ana", "wrong password", f"10.1.0.{n}").status_code == 200, n
    locked = log_in(client, "ana", "wrong password", "10.1.0.99")
    assert locked.status_code == 429
    assert "on every connection after 8 failed logins" in locked.content.decode()

    refused = log_in(client, "ana", PASSWORD, "10.2.0.1")  # a fresh address, the right password
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOCKED_OUT).exists()


def test_below_the_username_limit_other_users_and_addresses_are_unaffected(client, ana, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    UserFactory(username="bahati")
    for n in range(7):
        log_in(client, "ana", "wrong password", f"10.1.0.{n}")
    assert log_in(client, "bahati", PASSWORD, "10.1.0.1").status_code == 302
    client.logout()
    assert log_in(client, "ana", PASSWORD, "10.3.0.1").status_code == 302


def test_the_username_limit_defaults_above_the_per_address_one():
    from django.conf import settings

    assert settings.LOGIN_USERNAME_FAILURE_LIMIT == 20
    assert settings.LOGIN_USERNAME_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


def test_a_client_changing_x_forwarded_for_without_a_proxy_is_still_locked_out(
    client, ana, settings
):
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy said to be in front
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"username": "ana", "password": "wrong password"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "ana", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429
    addresses = set(
        AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).values_list(
            "ip_address", flat=True
        )
    )
    assert addresses == {"203.0.113.5"}


def test_behind_a_proxy_the_address_it_appended_is_the_clients(client, ana, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # the client forges the left part; the proxy appends the real address
        client.post(
            "/accounts/login/",
            {"username": "ana", "password": "wrong password"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5",
        )
    assert log_in(client, "ana", PASSWORD, "10.0.0.2").status_code == 302  # another client
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "ana", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert response.status_code == 429
