"""schemathesis against /api/schema/: generated requests to every operation, as an admin (as
conduct staff for the conduct role's own operations), never get a 5xx, and what comes back
matches the schema. Paths with an id are exercised on a real object of the demo (a random id
is a 404 and shows nothing of the object), and the write operations also get requests that
break the schema, which must be refused with a 4xx."""

import io

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 15
NEGATIVE_EXAMPLES = 10
WRITES = ("post", "patch", "put")


@pytest.fixture
def keep_connection():
    """Requests go through the real WSGI application, which closes the database connection at
    the end of each one; as Django's own test client does, keep it open, so the whole run stays
    inside the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def django_settings(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    # Generated requests come fast: the per-user rate must not turn them into 429s.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    return settings


def headers_of(username: str) -> dict:
    from django.contrib.auth.models import User

    token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
    # The WSGI transport hands schemathesis the body as sent: ask for it uncompressed, as
    # the gzip middleware otherwise compresses every JSON answer.
    return {"Authorization": f"Token {token.key}", "Accept-Encoding": "identity"}


@pytest.fixture
def admin_headers(db):
    return headers_of("admin")


# The conduct role's own operations refuse the admin (403 or 404): conduct staff, who read
# and write them, exercise them instead.
CONDUCT_PATHS = ("/api/v1/complaints/", "/api/v1/cbcm-members/")


@pytest.fixture
def conduct_headers(db):
    return headers_of("conduct")


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Places in the schema that responses do not match yet (reported, to be fixed in the app that
# owns them). A mismatch there is tolerated; any other mismatch, and any server error, fails.
KNOWN_SCHEMA_MISMATCHES: dict[str, str] = {}


def unexpected(failure: BaseException) -> list[str]:
    """The findings of one operation's run that are not known schema mismatches."""
    found = failure.exceptions if isinstance(failure, FailureGroup) else (failure,)
    return [
        str(one)
        for one in found
        if not (
            isinstance(one, JsonSchemaError)
            and any(f"Schema at {where}:" in str(one) for where in KNOWN_SCHEMA_MISMATCHES)
        )
    ]


def real_path_parameters(operation, headers: dict) -> dict:
    """For a path like /api/v1/alerts/{id}/history/, the id of the first object its collection
    lists (each parameter in turn); none when the path has no parameter or nothing is listed."""
    # Through the WSGI application as schemathesis calls it (Django's test client would
    # reconnect the signal that closes the connection after each request).
    from werkzeug.test import Client

    from config.wsgi import application

    client = Client(application)
    found, path = {}, operation.path
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        rows = client.get(path[:start], headers=headers).json
        rows = rows.get("results", []) if isinstance(rows, dict) else rows
        if not rows:
            return {}
        found[path[start + 1 : end]] = rows[0]["id"]
        path = f"{path[:start]}{rows[0]['id']}{path[end + 1 :]}"
    return found


def exercise(
    operation,
    headers: dict,
    checks: list,
    *,
    path_parameters: dict | None = None,
    mode: GenerationMode = GenerationMode.POSITIVE,
    examples: int = MAX_EXAMPLES,
) -> None:
    """Up to `examples` generated requests to one operation, each checked."""
    strategy = operation.as_strategy(mode, path_parameters=path_parameters or None)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    try:
        run()
    except Unsatisfiable:
        # An operation whose every input is valid (a write with no body, say) has no invalid
        # request to generate; any other run must generate its cases.
        if mode is not GenerationMode.NEGATIVE:
            raise


def test_generated_requests_get_no_server_error_and_match_the_schema(
    db, django_settings, keep_connection, admin_headers, conduct_headers
):
    # One seeded database for every operation (seed_demo takes seconds), hence one test that
    # walks the operations rather than one test per operation.
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=admin_headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    def headers_for(operation) -> dict:
        return conduct_headers if operation.path.startswith(CONDUCT_PATHS) else admin_headers

    # Chosen before anything is generated: the demo's own objects (with their history of
    # triage and deadlines), not those the generated requests are about to create.
    reals = {op.label: real_path_parameters(op, headers_for(op)) for op in operations}
    failures = []
    for operation in operations:
        real, headers = reals[operation.label], headers_for(operation)
        try:
            exercise(operation, headers, CHECKS, path_parameters=real)
        # schemathesis reports its findings as a BaseExceptionGroup, not an Exception.
        except (AssertionError, FailureGroup, Failure) as exc:
            findings = unexpected(exc)
            if not findings:
                # Only known mismatches stopped the run: go on looking for server errors.
                try:
                    exercise(operation, headers, [not_a_server_error], path_parameters=real)
                except (AssertionError, FailureGroup, Failure) as server_error:
                    findings = [str(server_error)]
            for finding in findings:
                failures.append(f"{operation.method.upper()} {operation.path}: {finding}"[:3000])
        if operation.method.lower() in WRITES:
            try:
                exercise(
                    operation,
                    headers,
                    [not_a_server_error],
                    path_parameters=real,
                    mode=GenerationMode.NEGATIVE,
                    examples=NEGATIVE_EXAMPLES,
                )
            except (AssertionError, FailureGroup, Failure) as exc:
                failures.append(
                    f"{operation.method.upper()} {operation.path} (invalid): {exc}"[:3000]
                )
    assert failures == [], "\n\n".join(failures)
