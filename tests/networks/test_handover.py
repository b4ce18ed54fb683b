"""The network handover archive: exported from one instance, imported whole into a fresh one."""

import datetime as dt
import io
import json
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from cla.models import CLAProfile, FieldVisit, FollowUp
from cla.services import (
    EquipmentData,
    FollowUpData,
    RecruitData,
    cla_profile_save,
    field_visit_create,
    follow_up_create,
    follow_up_mark_done,
)
from lpc.models import LPC, ActionPoint, LPCMeeting, LPCMember
from lpc.services import ActionPointInput, lpc_create, lpc_meeting_create, lpc_member_create
from networks.handover.services import handover_read
from networks.models import AuditEntry, Equipment, FocalPoint, Location, Membership, Network
from networks.selectors import focal_point_by_phone
from networks.services import focal_point_create, membership_record, membership_start
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "mangrove-kivu-2026-sunrise"
PASSPHRASE_ENV = "KENGELE_HANDOVER_PASSPHRASE"
KAVIRA_PHONE, KAVIRA_ALT = "+243991234567", "+243811234567"
SILENT_PHONE = "+243971112233"
RECRUIT_PHONE = "+243990001111"
# What a fresh instance holds before anyone uses it: roles, permissions, migrations.
KEEP_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)


def wipe() -> None:
    """Empty every table but roles, permissions and migrations, as in a fresh instance."""
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in KEEP_TABLES
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending checks
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def export(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("handover_export", str(path), *args, stdout=out)
    return out.getvalue()


def import_(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("handover_import", str(path), *args, stdout=out)
    return out.getvalue()


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def clear_payload(path: Path) -> dict[str, bytes]:
    """The files inside an unencrypted archive's payload."""
    return zip_members(zip_members(path.read_bytes())["payload.zip"])


def write_clear_payload(path: Path, payload: dict[str, bytes]) -> None:
    outer = zip_members(path.read_bytes())
    outer["payload.zip"] = zip_bytes(payload)
    path.write_bytes(zip_bytes(outer))


def rows(payload: dict[str, bytes], kind: str) -> list[dict]:
    return [json.loads(line) for line in payload[f"{kind}.jsonl"].splitlines()]


def data_counts() -> dict[str, int]:
    models = (Location, Network, FocalPoint, Membership, Equipment, LPC, LPCMember, LPCMeeting)
    models += (ActionPoint, CLAProfile, FieldVisit)
    return {model.__name__: model.objects.count() for model in models}


# --- A small world, built through the services ------------------------------------------------


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    """Places, two networks, focal points with their history and equipment, a committee with
    members and a meeting, and a CLA's visit that recruited someone: what an archive carries."""
    cla = UserFactory(username="cla.nord", role="cla", first_name="Esther", last_name="Kahindo")
    giver = UserFactory(username="logistics", role="admin")
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    territory = Location.objects.create(name="Beni", kind="territory", parent=province)
    mbau = Location.objects.create(
        name="Mbau",
        kind="locality",
        parent=territory,
        alternate_names=["Mbawu"],
        latitude=Decimal("0.60123"),
        longitude=Decimal("29.50011"),
    )
    oicha = Location.objects.create(name="Oicha", kind="locality", parent=territory)
    network = NetworkFactory(code="can-mbau", name="CAN Mbau", base=mbau, cla=cla, area=[mbau])
    closed = NetworkFactory(
        code="can-oicha", base=oicha, status="closed", closed_on=dt.date(2024, 6, 30)
    )
    kavira = focal_point_create(
        name="Kavira Masika",
        phone=KAVIRA_PHONE,
        phone_alt=KAVIRA_ALT,
        language="sw",
        gender="female",
        age_band="25-34",
        role="women_association",
        home_location=mbau,
        consent_at=dt.date(2024, 1, 10),
        notes="Relais de l'association des mamans",
    )
    silent = focal_point_create(name="Paluku Kambale", phone=SILENT_PHONE, home_location=oicha)
    membership_record(
        focal_point=kavira,
        network=closed,
        joined_on=dt.date(2024, 1, 10),
        left_on=dt.date(2024, 6, 30),
        reason="Réseau fermé",
    )
    membership_start(focal_point=kavira, network=network, joined_on=dt.date(2024, 7, 1))
    membership_start(focal_point=silent, network=network, joined_on=dt.date(2024, 7, 1))
    Equipment.objects.create(
        focal_point=kavira, kind="airtime", given_on=dt.date(2025, 1, 1), amount=5, given_by=giver
    )
    Equipment.objects.create(focal_point=silent, kind="handset", given_on=dt.date(2025, 1, 1))
    lpc = lpc_create(
        by=cla,
        places=[mbau, oicha],
        name="CLP de Mbau",
        kind="community",
        founded_on=dt.date(2023, 5, 2),
        status="active",
        cla=cla,
        funding_source="Communauté",
    )
    president = lpc_member_create(
        lpc=lpc,
        by=cla,
        name="Mumbere Jean",
        role="president",
        gender="male",
        age_band="50-64",
        joined_on=dt.date(2023, 5, 2),
    )
    lpc_member_create(
        lpc=lpc, by=cla, name="Masika Rose", group="community", community_name="Nande"
    )
    lpc_meeting_create(
        lpc=lpc,
        by=cla,
        held_on=dt.date(2025, 3, 4),
        attendance={"women_youth": 3, "men_adults": 5},
        members_present=[president],
        place=mbau,
        minutes="Présence d'hommes armés signalée",
        categories=["armed_presence"],
        risk_factors=["RF1"],
        decisions="Alerter la MONUSCO",
        action_points=[
            ActionPointInput(
                description="Informer la base",
                due_on=dt.date(2025, 3, 5),
                owner="Président",
                status="done",
                done_on=dt.date(2025, 3, 5),
            ),
            ActionPointInput(description="Réunion de suivi", due_on=dt.date(2025, 4, 1)),
        ],
    )
    cla_profile_save(user=cla, base=mbau, languages=["fr", "sw"], assigned_places=[territory])
    visit, _ = field_visit_create(
        cla=cla,
        idempotency_key=uuid.uuid4(),
        visited_on=dt.date(2025, 5, 6),
        places=[mbau, oicha],
        purpose="recruitment",
        women_met=4,
        men_met=6,
        organisations_met="Paroisse de Mbau",
        networks=[network],
        lpcs=[lpc],
        observations="Déplacés venant d'Oicha",
        categories=["displacement"],
        risk_factors=["RF8"],
        recruits=[
            RecruitData(
                phone=RECRUIT_PHONE,
                name="Kahindo Furaha",
                consent=True,
                network=network,
                equipment=(EquipmentData(kind="sim", serial="8924301000123"),),
            ),
            RecruitData(focal_point=silent, equipment=(EquipmentData(kind="radio"),)),
        ],
        follow_ups=[FollowUpData(description="Revenir avec des cartes SIM", due_on=visit_due())],
    )
    follow_up_mark_done(follow_up=visit.follow_ups.get(), by=cla)
    return {"cla": cla, "kavira": kavira, "silent": silent, "network": network, "visit": visit}


def visit_due() -> dt.date:
    return dt.date(2025, 6, 1)


# --- What the archive holds -------------------------------------------------------------------


def test_export_refuses_to_write_without_a_passphrase_unless_told_unencrypted(
    world, tmp_path, monkeypatch
):
    monkeypatch.delenv(PASSPHRASE_ENV)
    with pytest.raises(CommandError, match=PASSPHRASE_ENV):
        export(tmp_path / "h.zip")
    assert not (tmp_path / "h.zip").exists()
    out = export(tmp_path / "h.zip", "--unencrypted")
    assert "WITHOUT encryption" in out
    assert (
        json.loads(zip_members((tmp_path / "h.zip").read_bytes())["kengele-handover.json"])[
            "encryption"
        ]
        is None
    )


def test_export_refuses_a_short_passphrase_and_an_existing_file(world, tmp_path, monkeypatch):
    monkeypatch.setenv("SHORT_SECRET", "kivu")
    with pytest.raises(CommandError, match="too short"):
        export(tmp_path / "h.zip", "--passphrase-env", "SHORT_SECRET")
    (tmp_path / "h.zip").write_bytes(b"earlier archive")
    with pytest.raises(CommandError, match="already exists"):
        export(tmp_path / "h.zip")
    assert (tmp_path / "h.zip").read_bytes() == b"earlier archive"


def test_the_encrypted_archive_shows_no_name_or_number_and_only_its_owner_reads_it(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    raw = path.read_bytes()
    for secret in (KAVIRA_PHONE, "Kavira", "Mumbere", "8924301000123", "can-mbau"):
        assert secret.encode() not in raw
    assert set(zip_members(raw)) == {"kengele-handover.json", "payload.zip.fernet"}
    assert path.stat().st_mode & 0o077 == 0


def test_the_manifest_gives_version_source_counts_and_a_checksum_per_file(world, tmp_path):
    import hashlib

    path = tmp_path / "h.zip"
    export(path, "--unencrypted", "--source", "kengele.monusco.example")
    payload = clear_payload(path)
    manifest = json.loads(payload.pop("manifest.json"))
    assert manifest["format"] == "kengele-handover" and manifest["version"] == 1
    assert manifest["source"] == "kengele.monusco.example"
    assert dt.datetime.fromisoformat(manifest["created_at"]) <= timezone.now()
    assert manifest["files"] == {
        name: hashlib.sha256(data).hexdigest() for name, data in payload.items()
    }
    assert manifest["counts"] == {
        "users": 2,
        "places": 4,
        "networks": 2,
        "focal_points": 2,
        "memberships": 3,
        "equipment": 2,
        "lpcs": 1,
        "lpc_members": 2,
        "lpc_meetings": 1,
        "action_points": 2,
        "cla_profiles": 1,
        "field_visits": 1,
        "recruitments": 1,
        "visit_equipment": 1,
        "follow_ups": 1,
    }


def test_focal_points_without_consent_are_left_out_with_their_rows(world, tmp_path):
    path = tmp_path / "h.zip"
    out = export(path, "--unencrypted")
    assert "1 focal points without a consent date were left out" in out
    payload = clear_payload(path)
    people = rows(payload, "focal_points")
    assert {p["phone"] for p in people} == {KAVIRA_PHONE, RECRUIT_PHONE}
    assert SILENT_PHONE.encode() not in b"".join(payload.values())
    ids = {p["id"] for p in people}
    assert {m["focal_point"] for m in rows(payload, "memberships")} <= ids
    assert {e["kind"] for e in rows(payload, "equipment")} == {"airtime", "sim"}
    assert [r["focal_point"] for r in rows(payload, "recruitments")] == [
        next(p["id"] for p in people if p["phone"] == RECRUIT_PHONE)
    ]


def test_rows_carry_archive_ids_and_usernames_never_database_ids(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path, "--unencrypted")
    payload = clear_payload(path)
    for kind in ("places", "networks", "focal_points", "lpc_members", "field_visits"):
        assert [row["id"] for row in rows(payload, kind)] == list(
            range(1, len(rows(payload, kind)) + 1)
        )
    kavira = next(p for p in rows(payload, "focal_points") if p["phone"] == KAVIRA_PHONE)
    assert kavira["name"] == "Kavira Masika" and kavira["phone_alt"] == KAVIRA_ALT
    (visit,) = rows(payload, "field_visits")
    assert visit["cla"] == "cla.nord"
    assert rows(payload, "lpcs")[0]["cla"] == "cla.nord"
    users = {u["username"]: u for u in rows(payload, "users")}
    assert users["cla.nord"]["cla"] is True and users["logistics"]["cla"] is False
    assert "password" not in users["cla.nord"]


def test_the_export_is_in_the_audit_trail_without_names_or_numbers(world, tmp_path):
    export(tmp_path / "h.zip")
    entry = AuditEntry.objects.get(action="export", details__export="handover_archive")
    assert entry.target_type == "networks.focalpoint"
    assert sorted(map(int, entry.target_id_list)) == sorted(
        [world["kavira"].pk, FocalPoint.objects.get(phone_hash=phone_hash(RECRUIT_PHONE)).pk]
    )
    assert entry.details["counts"]["focal_points"] == 2 and entry.details["encrypted"] is True
    details = json.dumps(entry.details)
    for secret in (KAVIRA_PHONE, "Kavira", SILENT_PHONE, "Mumbere"):
        assert secret not in details


def phone_hash(phone: str) -> str:
    from core.crypto import lookup_hash

    return lookup_hash(phone)


# --- Import -----------------------------------------------------------------------------------


def test_an_import_into_a_fresh_instance_recreates_the_rows_and_finds_people_by_phone(
    world, tmp_path
):
    path = tmp_path / "h.zip"
    export(path)
    visit_key = world["visit"].idempotency_key
    wipe()
    out = import_(path)
    assert "Archive imported." in out
    kavira = focal_point_by_phone(KAVIRA_PHONE)
    assert kavira is not None and focal_point_by_phone(KAVIRA_ALT).pk == kavira.pk
    assert focal_point_by_phone(SILENT_PHONE) is None
    kavira = FocalPoint.objects.get(pk=kavira.pk)
    assert (kavira.name, kavira.language, kavira.consent_at) == (
        "Kavira Masika",
        "sw",
        dt.date(2024, 1, 10),
    )
    assert kavira.home_location.path == "Nord-Kivu › Beni › Mbau"
    assert sorted((m.network.code, m.joined_on, m.left_on) for m in kavira.memberships.all()) == [
        ("can-mbau", dt.date(2024, 7, 1), None),
        ("can-oicha", dt.date(2024, 1, 10), dt.date(2024, 6, 30)),
    ]
    visit = FieldVisit.objects.get(idempotency_key=visit_key)
    assert [r.focal_point.phone for r in visit.recruitments.all()] == [RECRUIT_PHONE]
    assert [link.equipment.serial for link in visit.equipment_given.all()] == ["8924301000123"]
    assert visit.follow_ups.get().done_by.username == "cla.nord"
    meeting = LPCMeeting.objects.get()
    assert [m.name for m in meeting.members_present.all()] == ["Mumbere Jean"]
    assert sorted(meeting.action_points.values_list("status", "done_on")) == [
        ("done", dt.date(2025, 3, 5)),
        ("open", None),
    ]
    mbau = Location.objects.get(name="Mbau")
    assert (mbau.alternate_names, mbau.latitude) == (["Mbawu"], Decimal("0.60123"))


def test_a_follow_up_handed_to_a_successor_stays_in_their_hands(world, tmp_path):
    successor = UserFactory(username="cla.sud", role="cla")
    follow_up_create(
        visit=world["visit"],
        description="Rencontrer le chef de Mbau",
        due_on=visit_due(),
        assigned_to=successor,
    )
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    import_(path)
    moved = FollowUp.objects.get(description="Rencontrer le chef de Mbau")
    assert moved.assigned_to.username == "cla.sud"
    assert FollowUp.objects.get(description="Revenir avec des cartes SIM").assigned_to is None


def test_discreet_settings_and_an_at_risk_mark_travel_with_the_archive(world, tmp_path):
    from networks.services import focal_point_mark_at_risk

    Network.objects.filter(code="can-mbau").update(discreet=True)
    FocalPoint.objects.filter(pk=world["kavira"].pk).update(discreet=False)
    focal_point_mark_at_risk(focal_point=world["kavira"], reason="A-2026-00042")
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    import_(path)
    assert Network.objects.get(code="can-mbau").discreet is True
    kavira = FocalPoint.objects.get(pk=focal_point_by_phone(KAVIRA_PHONE).pk)
    assert kavira.discreet is False
    assert kavira.at_risk_since is not None and kavira.at_risk_reason == "A-2026-00042"


def test_missing_users_are_created_inactive_without_a_password_and_reported(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    out = import_(path)
    assert "cla.nord" in out and "inactive" in out
    cla = User.objects.get(username="cla.nord")
    assert not cla.is_active and not cla.has_usable_password()
    assert list(cla.groups.values_list("name", flat=True)) == ["cla"]
    assert (cla.first_name, cla.last_name) == ("Esther", "Kahindo")
    assert not User.objects.get(username="logistics").groups.exists()
    assert CLAProfile.objects.get(user=cla).languages == ["fr", "sw"]


def test_users_already_here_are_used_as_they_are(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    here = UserFactory(username="cla.nord", role="cla")
    out = import_(path)
    assert "Users already here: cla.nord" in out
    here.refresh_from_db()
    assert here.is_active and here.check_password("pw-kengele-test")
    assert FieldVisit.objects.get().cla == here


def test_places_already_in_the_gazetteer_are_reused(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    beni = Location.objects.create(name="Beni", kind="territory", parent=province)
    out = import_(path)
    assert "places: 4 (2 already here)" in out
    assert Location.objects.count() == 4
    assert Location.objects.get(name="Mbau").parent == beni


def test_the_import_is_in_the_audit_trail(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    import_(path)
    entry = AuditEntry.objects.get(details__change="handover_import")
    assert entry.action == "focal_point_changed"
    assert sorted(map(int, entry.target_id_list)) == sorted(
        FocalPoint.objects.values_list("pk", flat=True)
    )
    assert entry.details["counts"]["field_visits"] == 1
    assert KAVIRA_PHONE not in json.dumps(entry.details)


def test_a_dry_run_reports_the_counts_and_imports_nothing(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    out = import_(path, "--dry-run")
    assert "focal_points: 2" in out and "lpc_meetings: 1" in out
    assert "Dry run: nothing was imported." in out
    assert set(data_counts().values()) == {0}
    assert not User.objects.exists() and not AuditEntry.objects.exists()


def test_a_number_of_someone_else_here_is_a_conflict_and_nothing_is_imported(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    focal_point_create(name="Someone Else", phone=KAVIRA_ALT)
    with pytest.raises(CommandError) as refused:
        import_(path)
    message = str(refused.value)
    assert "focal_points.jsonl, line 1" in message and "already belongs" in message
    assert "+243 ••• ••• 567" in message and KAVIRA_ALT not in message
    assert data_counts() | {"FocalPoint": 0} == dict.fromkeys(data_counts(), 0)
    assert FocalPoint.objects.count() == 1 and not User.objects.exists()


def test_the_same_person_already_here_is_linked_not_duplicated(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    here = focal_point_create(name="KAVIRA  masika", phone=KAVIRA_PHONE)
    out = import_(path)
    assert "focal_points: 2 (1 already here)" in out
    assert FocalPoint.objects.count() == 2
    assert here.memberships.count() == 2 and here.equipment.count() == 1


def test_an_existing_network_code_is_a_conflict(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    with pytest.raises(CommandError) as refused:
        import_(path)
    message = str(refused.value)
    assert "a network with the code can-mbau already exists here" in message
    assert "a committee named CLP de Mbau already exists here" in message
    assert "is already recorded here" in message


def test_a_wrong_passphrase_is_a_clear_error_and_nothing_is_imported(world, tmp_path, monkeypatch):
    path = tmp_path / "h.zip"
    export(path)
    wipe()
    monkeypatch.setenv(PASSPHRASE_ENV, "not-the-right-passphrase")
    with pytest.raises(CommandError, match="Wrong passphrase"):
        import_(path)
    with pytest.raises(CommandError, match="NOT_SET_ANYWHERE is not set"):
        import_(path, "--passphrase-env", "NOT_SET_ANYWHERE")
    monkeypatch.delenv(PASSPHRASE_ENV)
    with pytest.raises(
        CommandError,
        match=f"passphrase is needed. Set it in the environment variable {PASSPHRASE_ENV}",
    ):
        import_(path)
    assert set(data_counts().values()) == {0}


def test_a_changed_byte_in_the_file_is_refused(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    raw = bytearray(path.read_bytes())
    token = zip_members(bytes(raw))["payload.zip.fernet"]
    at = bytes(raw).index(token[200:240]) + 20
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    path.write_bytes(bytes(raw))
    wipe()
    with pytest.raises(CommandError, match="corrupt or was altered"):
        import_(path)
    assert set(data_counts().values()) == {0}


def test_an_encrypted_payload_altered_inside_a_valid_zip_fails_its_integrity_check(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    members = zip_members(path.read_bytes())
    token = bytearray(members["payload.zip.fernet"])
    token[300] = ord("A") if token[300] != ord("A") else ord("B")
    members["payload.zip.fernet"] = bytes(token)
    path.write_bytes(zip_bytes(members))
    wipe()
    with pytest.raises(CommandError, match="integrity check"):
        import_(path)
    assert set(data_counts().values()) == {0}


def test_an_unencrypted_archive_is_imported_only_without_a_passphrase(world, tmp_path, monkeypatch):
    path = tmp_path / "h.zip"
    export(path, "--unencrypted")
    wipe()
    # Anyone could have made a clear archive: one expected encrypted is not taken in its place.
    with pytest.raises(CommandError, match="not encrypted, though a passphrase was given"):
        import_(path)
    assert set(data_counts().values()) == {0}
    monkeypatch.delenv(PASSPHRASE_ENV)
    assert "Archive imported." in import_(path)
    assert focal_point_by_phone(KAVIRA_PHONE) is not None


def test_an_unencrypted_file_changed_after_export_fails_its_checksum(world, tmp_path, monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV)
    path = tmp_path / "h.zip"
    export(path, "--unencrypted")
    payload = clear_payload(path)
    payload["focal_points.jsonl"] = payload["focal_points.jsonl"].replace(
        b"+243991234567", b"+243991234568"
    )
    write_clear_payload(path, payload)
    wipe()
    with pytest.raises(CommandError, match="checksum of focal_points.jsonl does not match"):
        import_(path)
    assert set(data_counts().values()) == {0}


def test_an_unknown_format_version_is_refused(world, tmp_path):
    path = tmp_path / "h.zip"
    export(path)
    members = zip_members(path.read_bytes())
    header = json.loads(members["kengele-handover.json"])
    header["version"] = 7
    members["kengele-handover.json"] = json.dumps(header).encode()
    path.write_bytes(zip_bytes(members))
    wipe()
    with pytest.raises(CommandError, match="format version 7; this Kengele reads version 1"):
        import_(path)


def test_a_bad_row_is_named_by_file_and_line_and_nothing_is_imported(world, tmp_path, monkeypatch):
    import hashlib

    monkeypatch.delenv(PASSPHRASE_ENV)
    path = tmp_path / "h.zip"
    export(path, "--unencrypted")
    payload = clear_payload(path)
    networks = rows(payload, "networks")
    networks[1]["status"] = "sleeping"
    payload["networks.jsonl"] = "".join(json.dumps(n) + "\n" for n in networks).encode()
    manifest = json.loads(payload["manifest.json"])
    manifest["files"]["networks.jsonl"] = hashlib.sha256(payload["networks.jsonl"]).hexdigest()
    payload["manifest.json"] = json.dumps(manifest).encode()
    write_clear_payload(path, payload)
    wipe()
    with pytest.raises(CommandError, match=r"networks.jsonl, line 2: status: .*sleeping"):
        import_(path)
    assert set(data_counts().values()) == {0}


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        import_(tmp_path / "missing.zip")
    (tmp_path / "notes.zip").write_text("minutes of the meeting")
    with pytest.raises(CommandError, match="not a readable zip file"):
        import_(tmp_path / "notes.zip")
    (tmp_path / "other.zip").write_bytes(zip_bytes({"readme.txt": b"hello"}))
    with pytest.raises(CommandError, match="kengele-handover.json is missing"):
        import_(tmp_path / "other.zip")


# --- The demo, there and back -------------------------------------------------------------------


def _path(place: Location | None) -> str | None:
    return place.path if place is not None else None


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _sorted(items) -> list:
    return sorted(items, key=repr)


def snapshot() -> dict:
    """Everything the handover carries, keyed by what identifies it on both sides (numbers,
    codes, names, visit keys), with every relation spelt out. Focal points without consent and
    whatever hangs on them are not part of it."""
    people = FocalPoint.objects.filter(consent_at__isnull=False).select_related("home_location")
    people = people.prefetch_related("memberships__network", "equipment__given_by")
    lpcs = LPC.objects.select_related("cla").prefetch_related(
        "places",
        "members",
        "meetings__place",
        "meetings__members_present",
        "meetings__action_points",
    )
    visits = FieldVisit.objects.select_related("cla").prefetch_related(
        "places",
        "networks",
        "lpcs",
        "recruitments__focal_point",
        "recruitments__network",
        "equipment_given__equipment__focal_point",
        "follow_ups__done_by",
        "follow_ups__assigned_to",
    )
    return {
        "places": _sorted(
            (p.path, p.kind, p.alternate_names, p.latitude, p.longitude)
            for p in Location.objects.all()
        ),
        "networks": {
            n.code: (
                n.name,
                n.status,
                n.started_on,
                n.dormant_since,
                n.closed_on,
                _path(n.base),
                sorted(p.path for p in n.area.all()),
                _username(n.cla),
                n.discreet,
                n.notes,
            )
            for n in Network.objects.select_related("base", "cla").prefetch_related("area")
        },
        "focal_points": {
            p.phone: (
                (p.name, p.phone_alt, p.language, p.gender, p.age_band, p.role),
                (_path(p.home_location), p.consent_at, p.opted_out_at, p.active, p.notes),
                (p.discreet, p.at_risk_since, p.at_risk_reason),
                p.created_at,
                _sorted(
                    (m.network.code, m.joined_on, m.left_on, m.left_reason)
                    for m in p.memberships.all()
                ),
                _sorted(
                    (e.kind, e.given_on, e.amount, e.currency, e.serial, _username(e.given_by))
                    for e in p.equipment.all()
                ),
            )
            for p in people
        },
        "lpcs": {
            c.name: (
                (c.kind, c.founded_on, c.status, _username(c.cla), c.funding_source),
                sorted(p.path for p in c.places.all()),
                _sorted(
                    (m.name, m.role, m.gender, m.age_band, m.group, m.community_name, m.joined_on)
                    for m in c.members.all()
                ),
                {
                    meeting.held_on: (
                        (_path(meeting.place), meeting.attendance, meeting.minutes),
                        (meeting.categories, meeting.risk_factors, meeting.decisions),
                        sorted(m.name for m in meeting.members_present.all()),
                        _sorted(
                            (a.description, a.owner, a.opened_on, a.due_on, a.status, a.done_on)
                            for a in meeting.action_points.all()
                        ),
                    )
                    for meeting in c.meetings.all()
                },
            )
            for c in lpcs
        },
        "cla_profiles": {
            p.user.username: (
                _path(p.base),
                p.languages,
                sorted(x.path for x in p.assigned_places.all()),
            )
            for p in CLAProfile.objects.select_related("user", "base")
        },
        "field_visits": {
            str(v.idempotency_key): (
                (v.cla.username, v.visited_on, v.purpose, v.created_at),
                (v.women_met, v.men_met, v.others_met, v.organisations_met, v.observations),
                (v.categories, v.risk_factors),
                sorted(p.path for p in v.places.all()),
                sorted(n.code for n in v.networks.all()),
                sorted(c.name for c in v.lpcs.all()),
                _sorted(
                    (r.focal_point.phone, r.created, r.network.code if r.network else None)
                    for r in v.recruitments.all()
                    if r.focal_point.consent_at is not None
                ),
                _sorted(
                    (link.equipment.focal_point.phone, link.equipment.kind)
                    for link in v.equipment_given.all()
                    if link.equipment.focal_point.consent_at is not None
                ),
                _sorted(
                    (
                        (f.description, f.due_on, f.done_at, _username(f.done_by)),
                        (_username(f.assigned_to), f.created_at),
                    )
                    for f in v.follow_ups.all()
                ),
            )
            for v in visits
        },
    }


def test_the_demo_exported_and_imported_into_a_fresh_instance_is_the_same(settings, tmp_path):
    from cla.models import Recruitment

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    # Some people never gave their consent: they, and what hangs on them, stay behind.
    recruit = Recruitment.objects.order_by("pk").first().focal_point
    equipped = FocalPoint.objects.filter(equipment__isnull=False).exclude(pk=recruit.pk)
    left_behind = [recruit.pk, *equipped.order_by("pk").values_list("pk", flat=True)[:4]]
    FocalPoint.objects.filter(pk__in=left_behind).update(consent_at=None)
    phones_left_behind = [p.phone for p in FocalPoint.objects.filter(pk__in=left_behind)]
    before = snapshot()
    assert len(before["focal_points"]) >= 195 and len(before["field_visits"]) >= 10
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    export(first)

    wipe()
    # Another instance: its own keys for names and numbers and for their lookup hashes.
    settings.FIELD_ENCRYPTION_KEY = "another-instance-encryption-key"
    settings.FIELD_HASH_KEY = "another-instance-hash-key"
    import_(first)

    assert snapshot() == before
    for phone, person in before["focal_points"].items():
        found = focal_point_by_phone(phone)
        assert found is not None and found.phone == phone
        if person[0][1]:
            assert focal_point_by_phone(person[0][1]).pk == found.pk
    assert not any(focal_point_by_phone(phone) for phone in phones_left_behind)
    # Exported again, the new instance gives the very same rows.
    export(second)
    assert handover_read(path=second, passphrase=PASSPHRASE).tables == (
        handover_read(path=first, passphrase=PASSPHRASE).tables
    )
