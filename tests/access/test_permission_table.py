"""Who gets what, written out by hand: role × area × endpoint, for reads and for writes.

The world (tests/access/conftest.py): `ana` is an analyst for Beni, `roaming` an analyst without
areas, `lubero_cla` a CLA working in Lubero, `sup` a supervisor, `root` an admin, `vee` a
viewer. Beni's village Mbau has the alerts in_beni and in_beni_2 (incident inc_beni) and the
network of fp_beni; Lubero's Kanyabayonga has in_lubero (inc_lubero) and the network of
fp_lubero; fp_loose is in no network and lives in Kanyabayonga; inc_both holds both_beni (Mbau)
and both_lubero (Kanyabayonga). Every expected answer below is typed in, not derived from the
views or core.roles: a change that moves one must change this table on purpose.
"""

import pytest
from rest_framework.test import APIClient

from alerts.models import Alert, Message
from triage.models import Incident

ROLES = ("ana", "roaming", "lubero_cla", "sup", "root", "vee", "anonymous")
A, R, C, S, ROOT, V, ANON = ROLES

# (path, {role: status}) for GET. Object names in braces become their ids.
API_READS = [
    ("/api/v1/alerts/{in_beni}/", {A: 200, R: 200, C: 404, S: 200, ROOT: 200, V: 200, ANON: 401}),
    ("/api/v1/alerts/{in_lubero}/", {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401}),
    (
        "/api/v1/alerts/{in_lubero}/messages/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401},
    ),
    (
        "/api/v1/alerts/{in_lubero}/history/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401},
    ),
    ("/api/v1/messages/", {A: 200, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401}),
    (
        "/api/v1/messages/{msg_beni}/",
        {A: 200, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "/api/v1/messages/{msg_lubero}/",
        {A: 404, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "/api/v1/incidents/{inc_beni}/",
        {A: 200, R: 200, C: 404, S: 200, ROOT: 200, V: 200, ANON: 401},
    ),
    (
        "/api/v1/incidents/{inc_lubero}/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401},
    ),
    (
        "/api/v1/incidents/{inc_both}/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401},
    ),
    ("/api/v1/focal-points/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 403, ANON: 401}),
    (
        "/api/v1/focal-points/{fp_beni}/",
        {A: 200, R: 200, C: 404, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "/api/v1/focal-points/{fp_lubero}/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "/api/v1/focal-points/{fp_loose}/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    ("/api/v1/alerts/export/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401}),
    (
        "/api/v1/alerts/export/?text=true",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    ("/api/v1/incidents/export/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401}),
    ("/api/v1/audit/", {A: 403, R: 403, C: 403, S: 403, ROOT: 200, V: 403, ANON: 401}),
    ("/api/schema/", {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 401}),
]

# What each role's list shows: (path, field of each row, {role: the expected names}).
LISTS = [
    (
        "/api/v1/alerts/",
        "id",
        {
            A: {"in_beni", "in_beni_2", "both_beni"},
            R: {"in_beni", "in_beni_2", "in_lubero", "both_beni", "both_lubero"},
            C: {"in_lubero", "both_lubero"},
            S: {"in_beni", "in_beni_2", "in_lubero", "both_beni", "both_lubero"},
            V: {"in_beni", "in_beni_2", "in_lubero", "both_beni", "both_lubero"},
        },
    ),
    (
        "/api/v1/messages/",
        "alert",
        {
            A: {"in_beni", "in_beni_2", "both_beni"},
            R: {"in_beni", "in_beni_2", "in_lubero", "both_beni", "both_lubero", None},
            S: {"in_beni", "in_beni_2", "in_lubero", "both_beni", "both_lubero", None},
        },
    ),
    (
        "/api/v1/incidents/",
        "id",
        {
            A: {"inc_beni", "inc_both"},
            R: {"inc_beni", "inc_lubero", "inc_both"},
            C: {"inc_lubero", "inc_both"},
            S: {"inc_beni", "inc_lubero", "inc_both"},
            V: {"inc_beni", "inc_lubero", "inc_both"},
        },
    ),
    (
        "/api/v1/focal-points/",
        "id",
        {
            A: {"fp_beni"},
            R: {"fp_beni", "fp_lubero", "fp_loose"},
            C: {"fp_lubero", "fp_loose"},
            S: {"fp_beni", "fp_lubero", "fp_loose"},
            ROOT: {"fp_beni", "fp_lubero", "fp_loose"},
        },
    ),
]

# The alerts listed in an incident, by role: (incident, {role: alerts}).
INCIDENT_ALERTS = [
    (
        "inc_both",
        {
            A: {"both_beni"},
            R: {"both_beni", "both_lubero"},
            C: {"both_lubero"},
            S: {"both_beni", "both_lubero"},
            V: {"both_beni", "both_lubero"},
        },
    ),
]

PAGE_READS = [
    (
        "/dashboard/alerts/{in_beni}/",
        {A: 200, R: 200, C: 404, S: 200, ROOT: 200, V: 200, ANON: 302},
    ),
    (
        "/dashboard/alerts/{in_lubero}/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 302},
    ),
    (
        "/dashboard/incidents/{inc_lubero}/",
        {A: 404, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 302},
    ),
    (
        "/dashboard/incidents/{inc_both}/",
        {A: 200, R: 200, C: 200, S: 200, ROOT: 200, V: 200, ANON: 302},
    ),
    (
        "/dashboard/identity-reads/",
        {A: 403, R: 403, C: 403, S: 200, ROOT: 200, V: 403, ANON: 302},
    ),
]

# On the alert page, is the reporter named? (alert, {role: named}); absent roles get no page.
REPORTER_NAMED = [
    ("in_beni", "Kavira Beni", {A: True, R: True, S: True, ROOT: True, V: False}),
    ("in_lubero", "Kambale Lubero", {R: True, C: True, S: True, ROOT: True, V: False}),
]

# Writes: (method, path, body, {role: status}); each runs on a fresh world.
API_WRITES = [
    (
        "patch",
        "/api/v1/alerts/{in_lubero}/",
        {"priority": 1},
        {A: 404, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "patch",
        "/api/v1/alerts/{in_beni}/",
        {"priority": 1},
        {A: 200, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "patch",
        "/api/v1/alerts/{in_beni}/",
        {"assignee": "{vee}"},
        {A: 400, R: 400, C: 403, S: 400, ROOT: 400, V: 403, ANON: 401},
    ),
    (
        "patch",
        "/api/v1/alerts/{in_beni}/",
        {"assignee": "{roaming}"},
        {A: 200, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        "post",
        "/api/v1/alerts/{in_lubero}/replies/",
        {"body": ""},  # refused before sending anything: the answer is about who may
        {A: 404, R: 400, C: 403, S: 400, ROOT: 400, V: 403, ANON: 401},
    ),
    (
        "post",
        "/api/v1/incidents/{inc_both}/split/",
        {"alerts": ["{both_beni}"]},
        {A: 403, R: 201, C: 403, S: 201, ROOT: 201, V: 403, ANON: 401},
    ),
    (
        "post",
        "/api/v1/incidents/{inc_beni}/split/",
        {"alerts": ["{in_beni_2}"]},
        {A: 201, R: 201, C: 403, S: 201, ROOT: 201, V: 403, ANON: 401},
    ),
    (
        "post",
        "/api/v1/incidents/{inc_beni}/merge/",
        {"incident": "{inc_both}"},
        {A: 403, R: 200, C: 403, S: 200, ROOT: 200, V: 403, ANON: 401},
    ),
    (
        # For her, Lubero's incident does not exist (to the others it is too far: a 400).
        "post",
        "/api/v1/incidents/{inc_beni}/merge/",
        {"incident": "{inc_lubero}"},
        {A: 400, R: 400, C: 403, S: 400, ROOT: 400, V: 403, ANON: 401},
    ),
    (
        "post",
        "/api/v1/incidents/{inc_lubero}/merge/",
        {"incident": "{inc_beni}"},
        {A: 404, R: 400, C: 403, S: 400, ROOT: 400, V: 403, ANON: 401},
    ),
    (
        "post",
        "/api/v1/alerts/",
        {"source": "phone", "text": "Tirs entendus", "location": "{kanya}"},
        {A: 201, R: 201, C: 201, S: 201, ROOT: 201, V: 403, ANON: 401},
    ),
]

PAGE_WRITES = [
    (
        "/dashboard/alerts/{in_lubero}/acknowledge/",
        {},
        {A: 404, R: 302, C: 403, S: 302, ROOT: 302, V: 403, ANON: 302},
    ),
    (
        "/dashboard/incidents/{inc_both}/split/",
        {"alerts": ["{both_beni}"]},
        {A: 403, R: 302, C: 403, S: 302, ROOT: 302, V: 403, ANON: 302},
    ),
    (
        "/dashboard/incidents/{inc_lubero}/merge/",
        {"other": "{inc_beni}"},
        {A: 404, R: 302, C: 403, S: 302, ROOT: 302, V: 403, ANON: 302},
    ),
]


def _ids(world) -> dict[str, int]:
    ids = {name: obj.pk for name, obj in world.items() if hasattr(obj, "pk")}
    ids["msg_beni"] = Message.objects.get(alert=world["in_beni"]).pk
    ids["msg_lubero"] = Message.objects.get(alert=world["in_lubero"]).pk
    return ids


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def _api(world, role) -> APIClient:
    from rest_framework.authtoken.models import Token

    client = APIClient()
    if role != ANON:
        token, _ = Token.objects.get_or_create(user=world[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _page_client(world, role, client):
    if role != ANON:
        client.force_login(world[role])
    return client


def _status(response) -> int:
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_reads_by_role_and_area(world, role, client):
    ids = _ids(world)
    api, page = _api(world, role), _page_client(world, role, client)
    wrong = []
    for path, expected in API_READS:
        status = _status(api.get(_fill(path, ids)))
        if status != expected[role]:
            wrong.append(f"GET {path}: {status}, expected {expected[role]}")
    for path, expected in PAGE_READS:
        status = page.get(_fill(path, ids)).status_code
        if status != expected[role]:
            wrong.append(f"page {path}: {status}, expected {expected[role]}")
    assert wrong == []


def _name(world, kind, pk: int | None) -> str | None:
    """The world's name for an object ("in_beni", "fp_loose"...), None for no object."""
    if pk is None:
        return None
    return next(n for n, obj in world.items() if isinstance(obj, kind) and obj.pk == pk)


@pytest.mark.parametrize("role", ROLES)
def test_what_each_list_shows_by_role_and_area(world, role):
    from networks.models import FocalPoint

    kinds = {"/api/v1/alerts/": Alert, "/api/v1/messages/": Alert, "/api/v1/incidents/": Incident}
    api = _api(world, role)
    for path, field, expected in LISTS:
        if role not in expected:
            continue
        rows = api.get(f"{path}?page_size=200").json()["results"]
        kind = kinds.get(path, FocalPoint)
        assert {_name(world, kind, row[field]) for row in rows} == expected[role], path
    for incident, expected in INCIDENT_ALERTS:
        if role not in expected:
            continue
        body = api.get(f"/api/v1/incidents/{world[incident].pk}/").json()
        assert {_name(world, Alert, row["id"]) for row in body["alerts"]} == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_reporters_name_on_the_alert_page(world, role, client):
    page = _page_client(world, role, client)
    for alert, name, expected in REPORTER_NAMED:
        if role not in expected:
            continue
        html = page.get(f"/dashboard/alerts/{world[alert].pk}/").content.decode()
        assert (name in html) is expected[role], (alert, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "method,path,body,expected", API_WRITES, ids=[f"{m} {p} {b}" for m, p, b, _e in API_WRITES]
)
def test_api_writes_by_role_and_area(world, role, method, path, body, expected):
    ids = _ids(world)
    response = getattr(_api(world, role), method)(_fill(path, ids), _fill(body, ids), format="json")
    assert response.status_code == expected[role], response.content[:300]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path,body,expected", PAGE_WRITES, ids=[f"{p} {b}" for p, b, _e in PAGE_WRITES]
)
def test_page_writes_by_role_and_area(world, role, client, path, body, expected):
    ids = _ids(world)
    data = _fill(body, ids)
    if "other" in data:
        data["other"] = f"I-{data['other']}"
    response = _page_client(world, role, client).post(_fill(path, ids), data)
    assert response.status_code == expected[role]
