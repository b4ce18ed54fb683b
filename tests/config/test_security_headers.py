"""Security headers, the content security policy, and request size limits."""

import json
from urllib.parse import urlencode

import pytest
from rest_framework.authtoken.models import Token

from tests.config.test_settings import manage, production_env
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, set[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def test_pages_carry_a_strict_content_security_policy(client):
    policy = directives(client.get("/accounts/login/"))
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["img-src"] == {"'self'", "data:", "https://tile.openstreetmap.org"}


def test_the_api_docs_relax_styles_only(client):
    client.force_login(UserFactory.with_role("analyst"))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["script-src"] == {"'self'"}
    # Swagger UI comes from our own static files and its start-up script from ?script.
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_pages_carry_the_other_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_the_tile_host_comes_from_map_tile_url():
    env = production_env()
    env["MAP_TILE_URL"] = "https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png"
    result = manage(
        env,
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
    )
    assert result.returncode == 0, result.stderr
    assert "https://*.tiles.example.org" in result.stdout


# --- Request size ------------------------------------------------------------------------------


@pytest.fixture
def token_client(client):
    user = UserFactory.with_role("admin")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
    return client


def test_an_oversized_api_body_is_a_413(token_client, settings):
    body = json.dumps({"source": "web", "text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = token_client.post("/api/v1/alerts/", body, content_type="application/json")
    assert response.status_code == 413


def form(fields: dict) -> dict:
    return {"data": urlencode(fields), "content_type": "application/x-www-form-urlencoded"}


def test_an_oversized_webhook_body_is_a_413(client, settings):
    big = {"From": "+243991234567", "Body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    assert client.post("/webhooks/twilio/sms/", **form(big)).status_code == 413


def test_a_webhook_with_too_many_fields_is_refused_not_a_500(client, settings):
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post("/webhooks/twilio/sms/", **form(fields)).status_code in (400, 403)


def test_an_oversized_multipart_api_body_is_a_4xx(token_client, settings):
    fields = {"source": "web", "text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = token_client.post("/api/v1/alerts/", fields)  # multipart: Django's own check
    assert 400 <= response.status_code < 500


def test_a_body_within_the_limit_goes_through(token_client):
    body = json.dumps({"source": "web", "text": "Hommes armés à Mbau"})
    response = token_client.post("/api/v1/alerts/", body, content_type="application/json")
    assert response.status_code in (201, 400)
