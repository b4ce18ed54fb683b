"""Every /api/v1/ endpoint × every role: the status each gets on GET, and never a 5xx.

Endpoints come from the OpenAPI schema, so a new one is checked without being listed here. What
each role should get comes from the capability the view names (CapabilityPermission's
read_capability / write_capabilities, and core.roles' table, checked by hand in tests/core),
with a small table of the answers that differ on purpose. A smoke test, above all for 5xx: the
answers themselves, by role and area, are written out by hand in tests/access.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from core.permissions import CapabilityPermission
from core.roles import CAPABILITIES, ROLES

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
MISSING_ID = 987654321
PARAM = re.compile(r"\{([^}]+)\}")

# (path template, role) -> status, where the answer differs from the view's roles on purpose.
# Detail paths use the first object the admin lists.
EXCEPTIONS: dict[tuple[str, str], int] = {
    # A CLA reads only their own visits; the first one listed is another CLA's.
    ("/api/v1/field-visits/{id}/", "cla"): 404,
    # Complaints are the conduct role's only; to anyone else a complaint's id is no complaint.
    **{("/api/v1/complaints/{id}/", role): 404 for role in ROLES if role != "conduct"},
    # The CBCM members' registry likewise: a member's id is no member to anyone else.
    **{("/api/v1/cbcm-members/{id}/", role): 404 for role in ROLES if role != "conduct"},
}


def api_get_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, ops in schema["paths"].items() if "get" in ops)


def view_roles(path: str) -> frozenset[str]:
    """The roles CapabilityPermission lets GET this path, from the capability the view names."""
    match = resolve(PARAM.sub("1", path))
    view = match.func.cls
    assert CapabilityPermission in view.permission_classes, f"{path}: not guarded"
    action = (getattr(match.func, "actions", None) or {}).get("get")
    writes = getattr(view, "write_capabilities", {})
    if action in writes:
        return CAPABILITIES[writes[action]]
    return CAPABILITIES[getattr(view, "read_capability", "use")]


def concrete(path: str, admin_client) -> tuple[str, bool]:
    """The path with each {param} replaced by the id of a seeded object of that collection, and
    whether every one was found (if the demo has none, an id that exists nowhere: a 404)."""
    found = True
    while match := PARAM.search(path):
        listing = path[: match.start()]
        answer = admin_client.get(listing)
        rows = answer.json() if answer.status_code == 200 else []  # refused to the admin
        rows = rows["results"] if isinstance(rows, dict) else rows
        found = found and bool(rows)
        pk = rows[0]["id"] if rows else MISSING_ID
        path = f"{listing}{pk}{path[match.end() :]}"
    return path, found


def visible_to(path: str, role: str) -> bool:
    """For an alert's, a message's, an incident's, a town hall's or a focal point's own paths:
    may this role's demo user see that object at all (as the access rules say; tests/access
    and tests/engagement/test_policy.py state them by hand)?"""
    match = re.match(r"^/api/v1/(alerts|messages|incidents|town-halls|focal-points)/(\d+)/", path)
    if not match:
        return True
    from django.contrib.auth.models import User

    from access.alerts import alerts_visible, incidents_visible, messages_visible
    from access.engagement import town_halls_visible
    from alerts.models import Alert, Message
    from engagement.models import TownHall
    from networks.identities import focal_points_identifiable
    from networks.models import FocalPoint
    from triage.models import Incident

    user = User.objects.get(username=role)
    kind, pk = match.group(1), int(match.group(2))
    if kind == "alerts":
        return alerts_visible(Alert.objects.filter(pk=pk), user).exists()
    if kind == "messages":
        return messages_visible(Message.objects.filter(pk=pk), user).exists()
    if kind == "town-halls":
        return town_halls_visible(TownHall.objects.filter(pk=pk), user).exists()
    if kind == "incidents":
        return incidents_visible(Incident.objects.filter(pk=pk), user).exists()
    return focal_points_identifiable(FocalPoint.objects.filter(pk=pk), user).exists()


def client_for(client_class, role: str):
    client = client_class()
    if role != ANONYMOUS:
        from django.contrib.auth.models import User

        token, _ = Token.objects.get_or_create(user=User.objects.get(username=role))
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    # This walks every endpoint as every role: the hourly limit on identities is not its
    # subject (tests/access/test_identities.py is).
    settings.IDENTITY_READS_PER_HOUR = 1_000_000


def test_the_schema_lists_the_endpoints_of_every_app():
    paths = api_get_paths()
    for prefix in (
        "alerts/",
        "focal-points/",
        "audit/",
        "lpcs/",
        "field-visits/",
        "cla-handovers/",
        "complaints/",
        "cbcm-members/",
    ):
        assert f"/api/v1/{prefix}" in paths


def test_every_endpoint_answers_each_role_as_its_view_says(demo, client):
    from django.test import Client

    admin = client_for(Client, "admin")
    wrong, server_errors = [], []
    for template in api_get_paths():
        path, found = concrete(template, admin)
        allowed = view_roles(template)
        for role in (*ROLES, ANONYMOUS):
            status = client_for(Client, role).get(path).status_code
            if status >= 500:
                server_errors.append(f"{role} GET {path}: {status}")
                continue
            if role == ANONYMOUS:
                expected = 401
            else:
                expected = (200 if found else 404) if role in allowed else 403
                if expected == 200 and not visible_to(path, role):
                    expected = 404  # analysts see their areas, CLAs their places
            expected = EXCEPTIONS.get((template, role), expected)
            if status != expected:
                wrong.append(f"{role} GET {path}: {status}, expected {expected}")
    assert server_errors == []
    assert wrong == [], wrong
