from django.core.management import call_command


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    # check --deploy runs the same generation: a warning here would fail the deploy check.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert "/api/v1/alerts/" in (tmp_path / "s.yaml").read_text()


def test_the_docs_page_and_schema_are_served(client, django_user_model, db):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
