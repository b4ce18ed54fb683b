from django.core.management import call_command

from tests.factories import UserFactory


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    # check --deploy runs the same generation: a warning here would fail the deploy check.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert "/api/v1/alerts/" in (tmp_path / "s.yaml").read_text()


def test_the_docs_page_and_schema_are_served_to_a_signed_in_user(client, db):
    client.force_login(UserFactory(username="vee", role="viewer"))
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/?script=").status_code == 200


def test_without_debug_the_schema_and_docs_need_a_login(client, db, settings):
    settings.DEBUG = False
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    assert client.get("/api/docs/?script=").status_code == 302


def test_under_debug_they_are_open(client, db, settings):
    settings.DEBUG = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_an_api_token_reads_the_schema(client, db):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=UserFactory(username="ana", role="analyst"))
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_events_made_by_the_system_have_a_nullable_author_in_the_schema(client, db):
    client.force_login(UserFactory(username="vee", role="viewer"))
    schema = client.get("/api/schema/?format=json").json()
    by = schema["components"]["schemas"]["AlertEvent"]["properties"]["by"]
    assert by.get("nullable") is True
