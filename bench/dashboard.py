"""The dashboard on a year of alerts: the queue and the statistics page, timed in-process on
PostgreSQL with 1,000,000 alerts, against a baseline measured in the same run.

Run from the repository root with the project's interpreter (``make bench`` does):

    .venv/bin/python bench/dashboard.py [--alerts 1000000] [--repeat 30] [--indexes] [--keep-db]

What it does, on 127.0.0.1 only:
1. creates a fresh PostgreSQL database and migrates it (with --reuse-db, applies to the kept
   one the migrations it lacks);
2. seeds it in a child process with the project's settings: places (19 territories, about
   2,000 villages), 180 networks (some dormant, closed or empty), 3,000 focal points (names and
   numbers encrypted as in production) and their memberships through the ORM; then incidents,
   alerts (spread over the last 365 days: sources, places, categories, priorities, statuses,
   acknowledgement and closing times, incidents, assignees) and their messages (an inbound SMS
   per SMS alert, analysts' replies) with one INSERT … SELECT over generate_series each;
   VACUUM ANALYZE;
3. times, in another child process with Django's test client (the whole middleware stack,
   logged in as an analyst), each page many times after a warm-up: the queue's first page, the
   queue filtered by territory and priority, a free-text search, the statistics page (its
   default 90 days, and the whole year); counts each page's queries;
4. measures the baseline in the same process: a ``SELECT 1`` round trip through Django's
   connection, and the login page (a template, no query);
5. with --indexes, creates the indexes proposed in bench/README.md that the models do not
   declare yet, times everything again, and drops them;
6. prints a table and, unless --no-record, adds it to bench/README.md.

Exit status: 0 measured, 1 the run broke (a page answering other than 200 included). Missed
targets are reported, not turned into a failure.
"""

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import results_write

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
RESULTS_MARKER = "<!-- results: bench/dashboard.py adds its runs below this line -->"
PY = sys.executable
sys.path.insert(0, str(ROOT))

TARGET_QUEUE_P95_MS = 150.0
TARGET_STATS_P95_MS = 1000.0
SEARCH_VILLAGE = 100  # the queue is searched for this village's name (see measure())
ANALYSTS = 5
FOCAL_POINTS = 3000
NETWORKS = 180
INCIDENT_SHARE = 0.35  # of alerts grouped into an incident, about three alerts each

# Indexes the dashboard would need at this volume and the models do not declare yet (see
# bench/README.md); --indexes creates the missing ones in the bench database only, to measure
# what they bring, and drops them again after, so that a kept database stays as migrated.
# Name -> CREATE INDEX statement. Empty today: the queue's, its search's, the statistics' and
# the message indexes proposed here before are made by alerts/migrations now.
PROPOSED_INDEXES: dict[str, str] = {}
INHERITED_PREFIXES_DROPPED = (
    "DJANGO_",
    "DATABASE_",
    "DB_",
    "CELERY_",
    "TWILIO_",
    "SMS_",
    "SECURE_",
)
INHERITED_DROPPED = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY")

TERRITORIES = {
    "Nord-Kivu": ["Beni", "Lubero", "Masisi", "Nyiragongo", "Rutshuru", "Walikale"],
    "Sud-Kivu": ["Fizi", "Idjwi", "Kabare", "Kalehe", "Mwenga", "Shabunda", "Uvira", "Walungu"],
    "Ituri": ["Aru", "Djugu", "Irumu", "Mahagi", "Mambasa"],
}
SYLLABLES = (
    "ka ki ku ma mi mu ba bi bu nya nyi ga gi ru ri lu li to te se sa ngo nge mbo mba "
    "bwe kwa rwa shi sha tsi ndi nda wa we yo ze lo"
).split()
TEXTS = [
    "Hommes armés signalés à {p} ce matin, la population a peur et reste à la maison",
    "Attaque en cours à {p}, on entend des tirs depuis l'aube, des maisons brûlent",
    "Plusieurs personnes enlevées hier soir près de {p} par des hommes en tenue militaire",
    "Les gens fuient {p} vers la paroisse, plusieurs familles dorment dehors",
    "Pillage de chèvres et de récoltes à {p} cette nuit, les champs sont abandonnés",
    "Tracts menaçants contre une communauté affichés au marché de {p} ce lundi",
    "Conflit de champs entre deux villages vers {p}, la tension monte depuis hier",
    "Une femme violée sur la route de {p} en allant au champ, elle est au centre de santé",
    "Bonjour, la réunion du comité de {p} est reportée à jeudi prochain",
    "Des militaires réclament de l'argent aux passants à la barrière de {p}",
    "Watu wenye silaha wameingia {p} asubuhi hii, watu wanaogopa sana",
    "Risasi zinasikika {p} tangu saa kumi, watu wanakimbia kuelekea mjini",
    "Watu kadhaa wametekwa nyara karibu na {p} usiku wa jana na watu wenye silaha",
    "Wakimbizi wengi wamefika {p} wakitoka vijiji vya jirani, hawana chakula",
    "Ng'ombe wameibiwa {p} usiku, wachungaji wamepigwa na kujeruhiwa",
    "Maneno ya chuki dhidi ya kabila fulani yanasemwa sokoni {p} kila siku",
    "Mgogoro wa ardhi kati ya jamii mbili huko {p}, viongozi wameitwa",
    "Habari, mkutano wa kamati ya {p} umeahirishwa hadi wiki ijayo",
    "Présence d'un groupe armé dans la forêt près de {p}, les femmes ne vont plus au champ",
    "Des jeunes ont érigé une barrière sur la route de {p} et demandent de l'argent",
    "Incendie de cases à {p}, trois familles sans abri, pas de blessés",
    "Les enseignants de {p} ont fui, l'école est fermée depuis une semaine",
    "Mouvement de militaires vers {p}, la population s'inquiète",
    "Menaces au téléphone contre le chef de {p}, il demande la protection",
    "Calme revenu à {p} après les tirs d'hier, les gens rentrent",
    "Des hommes inconnus ont tué deux personnes au bord du lac près de {p}",
    "Vol de motos à {p} par des bandits armés la nuit passée",
    "Discours de haine à la radio locale de {p} contre les déplacés",
    "Les déplacés de {p} manquent d'eau et de nourriture depuis trois jours",
    "Réunion de paix entre communautés à {p} demain matin, tout le monde est invité",
]
CATEGORY_SETS = [  # (weight, categories)
    (22, ["armed_presence"]),
    (16, ["attack"]),
    (10, ["attack", "displacement"]),
    (8, ["displacement"]),
    (8, ["looting"]),
    (6, ["abduction"]),
    (4, ["sexual_violence"]),
    (5, ["hate_speech"]),
    (6, ["intercommunal_tension"]),
    (3, ["hate_speech", "intercommunal_tension"]),
    (4, ["attack", "looting"]),
    (8, ["other"]),
]


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def admin_sql(statement: str, dbname: str = "postgres"):
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as c:
            c.execute(statement)
            return c.fetchone() if c.description else None
    finally:
        conn.close()


def child_env(db: str, workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(INHERITED_PREFIXES_DROPPED) and k not in INHERITED_DROPPED
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="bench-" + "s" * 58,
        FIELD_ENCRYPTION_KEY="bench-dashboard-field-key",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
        DB_CONN_MAX_AGE="600",
        TWILIO_AUTH_TOKEN="bench-dashboard-token",  # noqa: S105 - a throwaway local value
        SMS_BACKEND="locmem",
        KENGELE_VAR_DIR=str(workdir / "var"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_child(args: list[str], env: dict, timeout: int) -> str:
    done = subprocess.run(
        [PY, str(Path(__file__).resolve()), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"{args[0]} failed: {(done.stderr or done.stdout)[-1500:]}")
    return done.stdout


# --- Seeding (child process, project settings) ------------------------------------------------


def place_names(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    return sorted(names)


def seed(n_alerts: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone

    from alerts.models import Alert, Message
    from core.crypto import encrypt, lookup_hash
    from networks.models import FocalPoint, Location, Membership, Network
    from triage.models import Incident

    rng = random.Random(20261125)
    started = time.monotonic()
    with transaction.atomic():
        provinces = Location.objects.bulk_create(
            [Location(name=name, kind="province") for name in TERRITORIES]
        )
        territories = Location.objects.bulk_create(
            [
                Location(name=name, kind="territory", parent=province)
                for province in provinces
                for name in TERRITORIES[province.name]
            ]
        )
        names = iter(place_names(rng, 19 * 3 * (1 + 3 + 12 * 3) + 10))
        sectors = Location.objects.bulk_create(
            [
                Location(name=next(names), kind="sector", parent=t)
                for t in territories
                for _ in range(3)
            ]
        )
        groupements = Location.objects.bulk_create(
            [
                Location(name=next(names), kind="groupement", parent=s)
                for s in sectors
                for _ in range(3)
            ]
        )
        villages = Location.objects.bulk_create(
            [
                Location(
                    name=next(names),
                    kind="village",
                    parent=g,
                    latitude=round(rng.uniform(-4.5, 3.0), 5),
                    longitude=round(rng.uniform(27.0, 31.0), 5),
                )
                for g in groupements
                for _ in range(12)
            ]
        )
        networks = Network.objects.bulk_create(
            [
                Network(
                    name=f"CAN {villages[i * 11].name}",
                    code=f"can-{i}",
                    base=villages[i * 11],
                    status="closed" if i % 18 == 0 else "dormant" if i % 9 == 0 else "active",
                    closed_on=dt.date(2025, 6, 1) if i % 18 == 0 else None,
                )
                for i in range(NETWORKS)
            ]
        )
        people = FocalPoint.objects.bulk_create(
            [
                FocalPoint(
                    name=f"Focal Point {i}",
                    phone=f"+24399{1_000_000 + i:07d}",
                    phone_hash=lookup_hash(f"+24399{1_000_000 + i:07d}"),
                    gender=rng.choices(["female", "male", "undisclosed"], [45, 50, 5])[0],
                    age_band=rng.choices(
                        ["18-24", "25-34", "35-49", "50-64", "65+", "unknown"],
                        [18, 26, 28, 15, 5, 8],
                    )[0],
                    home_location=rng.choice(villages),
                    active=rng.random() < 0.95,
                )
                for i in range(FOCAL_POINTS)
            ]
        )
        # every network but one in twelve has members; a tenth of people are in two
        with_members = [n for i, n in enumerate(networks) if i % 12 != 5 and n.status != "closed"]
        memberships = []
        for person in people:
            for network in rng.sample(with_members, 2 if rng.random() < 0.1 else 1):
                left = dt.date(2025, 9, 1) if rng.random() < 0.05 else None
                memberships.append(
                    Membership(
                        focal_point=person,
                        network=network,
                        joined_on=dt.date(2024, 1, 1),
                        left_on=left,
                    )
                )
        Membership.objects.bulk_create(memberships)
        analyst_group = Group.objects.get(name="analyst")
        analysts = []
        for i in range(ANALYSTS):
            user = User.objects.create_user(username=f"analyst{i}", password=None)
            user.groups.add(analyst_group)
            analysts.append(user)
    log(f"people and places: {time.monotonic() - started:.0f} s")

    now = timezone.now()
    start = now - dt.timedelta(days=365)
    senders = [encrypt(f"+24381{rng.randrange(10_000_000):07d}") for _ in range(300)]
    explanations = [
        json.dumps(
            {
                "priority": {
                    "value": p,
                    "rules": [f"rule {p}: words of violence"],
                    "casualties": [],
                },
                "categories": {
                    "value": cats,
                    "scores": {c: round(rng.uniform(1, 4), 2) for c in cats},
                },
                "place": {"value": None, "rule": "first place named in the text", "matches": []},
                "language": {"value": "fr", "scores": {"fr": 0.8, "sw": 0.15, "ln": 0.05}},
                "tokens": rng.sample(SYLLABLES, 12),
            }
        )
        for p in (1, 2, 3, 4)
        for _w, cats in CATEGORY_SETS
    ]
    # texts name the alert's village (another one when the alert is placed elsewhere)
    texts = [t.replace("{p}", "%s") for t in TEXTS]  # a parameter: format()'s own %s
    village_names = [v.name for v in villages]
    weights = [w for w, _c in CATEGORY_SETS]
    bounds = [sum(weights[: i + 1]) / sum(weights) for i in range(len(weights))]
    categories_case = (
        "CASE "
        + " ".join(
            f"WHEN r_cat < {bound:.4f} THEN '{json.dumps(cats)}'"
            for bound, (_w, cats) in zip(bounds, CATEGORY_SETS, strict=True)
        )
        + " ELSE '[\"other\"]' END"
    )
    n_incidents = int(n_alerts * INCIDENT_SHARE / 3)
    started = time.monotonic()
    with connection.cursor() as c:
        insert(
            c,
            Incident,
            {
                "location_id": f"{villages[0].pk} + floor(random() * {len(villages)})::int",
                "categories": "'[\"attack\"]'::jsonb",
                "priority": "1 + floor(random() * 4)::int",
                "first_seen_at": "%(start)s::timestamptz + random() * interval '365 days'",
                "last_seen_at": "%(start)s::timestamptz + random() * interval '365 days'",
                "alert_count": "3",
                "reporter_count": "1 + floor(random() * 3)::int",
                "mechanism_count": "1 + floor(random() * 2)::int",
                "mechanisms": "'[\"can\"]'::jsonb",
                "corroboration": (
                    "(ARRAY['single_source', 'several_sources', 'several_mechanisms'])"
                    "[1 + floor(random() * 3)::int]"
                ),
                "created_at": "%(start)s::timestamptz",
                "updated_at": "%(start)s::timestamptz",
            },
            source=f"generate_series(1, {n_incidents}) g",
            params={"start": start},
        )
        c.execute("SELECT min(id) FROM triage_incident")
        first_incident = c.fetchone()[0]
        log(f"{n_incidents} incidents: {time.monotonic() - started:.0f} s")

        started = time.monotonic()
        # One row of random draws per alert (times in order of id: alerts arrive in time),
        # then the columns that depend on one another.
        draws = f"""(
            SELECT s.*,
              CASE WHEN r_status < 0.03 THEN 'dismissed'
                   WHEN age > interval '7 days' THEN
                     CASE WHEN r_status < 0.72 THEN 'closed' WHEN r_status < 0.82 THEN 'false_alarm'
                          WHEN r_status < 0.89 THEN 'verified'
                          WHEN r_status < 0.95 THEN 'unverified'
                          ELSE 'escalated' END
                   WHEN age < interval '1 hour' AND r_status < 0.2 THEN 'new'
                   ELSE
                     CASE WHEN r_status < 0.35 THEN 'triaged'
                          WHEN r_status < 0.6 THEN 'acknowledged'
                          WHEN r_status < 0.75 THEN 'verified' WHEN r_status < 0.85 THEN 'escalated'
                          ELSE 'closed' END
              END AS status
            FROM (
              SELECT i,
                %(start)s::timestamptz + (i * 31536.0 / {n_alerts / 1000}) * interval '1 second'
                  AS received_at,
                %(now)s::timestamptz - (%(start)s::timestamptz
                  + (i * 31536.0 / {n_alerts / 1000}) * interval '1 second') AS age,
                random() AS r_status, random() AS r_source, random() AS r_place,
                random() AS r_cat, random() AS r_prio, random() AS r_rep, random() AS r_inc,
                random() AS r_ack, random() AS r_close, random() AS r_lang, random() AS r_text
              FROM generate_series(1, {n_alerts}) i
            ) s
        ) g"""
        source_case = (
            "CASE WHEN r_source < 0.60 THEN 'sms' WHEN r_source < 0.68 THEN 'voice' "
            "WHEN r_source < 0.72 THEN 'missed_call' WHEN r_source < 0.82 THEN 'web' "
            "WHEN r_source < 0.92 THEN 'lpc' ELSE 'cla' END"
        )
        priority = (
            "CASE WHEN status = 'new' THEN NULL WHEN r_prio < 0.1 THEN 1 WHEN r_prio < 0.35 THEN 2 "
            "WHEN r_prio < 0.7 THEN 3 ELSE 4 END"
        )
        acknowledged = "status NOT IN ('new', 'triaged', 'dismissed')"
        reporter = (
            f"CASE WHEN r_source < 0.72 AND r_rep < 0.75 THEN "
            f"{people[0].pk} + floor(r_rep / 0.75 * {len(people)})::int END"
        )
        insert(
            c,
            Alert,
            {
                "status": "status",
                "priority": priority,
                "categories": (
                    f"CASE WHEN status = 'new' THEN '[]' ELSE {categories_case} END::jsonb"
                ),
                "risk_factors": "'[\"RF1\"]'::jsonb",
                "language": (
                    "CASE WHEN r_lang < 0.6 THEN 'fr' WHEN r_lang < 0.95 THEN 'sw' ELSE 'und' END"
                ),
                "text": (
                    f"format((%(texts)s::text[])[1 + floor(r_text * {len(texts)})::int], "
                    f"(%(villages)s::text[])[1 + CASE WHEN r_place < 0.80 THEN "
                    f"floor(r_place / 0.8 * {len(villages)})::int "
                    f"ELSE mod(i, {len(villages)}) END])"
                ),
                "source": source_case,
                "reporter_id": reporter,
                "sender_known": f"({reporter}) IS NOT NULL",
                "sender": (
                    f"CASE WHEN r_source < 0.72 THEN (%(senders)s::text[])"
                    f"[1 + mod(i, {len(senders)})] ELSE '' END"
                ),
                "sender_hash": (
                    "CASE WHEN r_source < 0.72 THEN "
                    "encode(sha256(('s' || mod(i, 40000))::bytea), 'hex') "
                    "ELSE '' END"
                ),
                "location_id": (
                    f"CASE WHEN r_place < 0.80 THEN {villages[0].pk} + floor(r_place / 0.8 * "
                    f"{len(villages)})::int WHEN r_place < 0.85 THEN {groupements[0].pk} + "
                    f"floor((r_place - 0.8) / 0.05 * {len(groupements)})::int "
                    f"WHEN r_place < 0.90 THEN {territories[0].pk} + floor((r_place - 0.85) / "
                    f"0.05 * {len(territories)})::int END"
                ),
                "incident_id": (
                    f"CASE WHEN r_inc < {INCIDENT_SHARE} THEN {first_incident} + "
                    f"floor(r_inc / {INCIDENT_SHARE} * {n_incidents})::int END"
                ),
                "assignee_id": (
                    f"CASE WHEN r_rep < 0.8 THEN {analysts[0].pk} + mod(i, {len(analysts)}) END"
                ),
                "explanation": (
                    f"CASE WHEN status = 'new' THEN '{{}}'::jsonb ELSE "
                    f"(%(explanations)s::text[])[1 + mod(i, {len(explanations)})]::jsonb END"
                ),
                "received_at": "received_at",
                "queued_at": "received_at",
                "triaged_at": (
                    "CASE WHEN status <> 'new' THEN received_at + interval '3 seconds' END"
                ),
                "acknowledged_at": (
                    f"CASE WHEN {acknowledged} THEN received_at "
                    "+ exp(r_ack * 7) * interval '1 minute' END"
                ),
                "closed_at": (
                    "CASE WHEN status IN ('closed', 'false_alarm', 'dismissed') THEN received_at "
                    "+ exp(r_ack * 7) * interval '1 minute' + r_close * interval '10 days' END"
                ),
                "sla_due_at": (
                    "received_at + CASE WHEN r_prio < 0.1 THEN interval '15 minutes' "
                    "WHEN r_prio < 0.35 THEN interval '1 hour' ELSE interval '4 hours' END"
                ),
                "updated_at": "received_at",
            },
            source=draws,
            params={
                "start": start,
                "now": now,
                "texts": texts,
                "villages": village_names,
                "senders": senders,
                "explanations": explanations,
            },
        )
        log(f"{n_alerts} alerts: {time.monotonic() - started:.0f} s")

        started = time.monotonic()
        insert(
            c,
            Message,
            {
                "alert_id": "id",
                "direction": "'inbound'",
                "kind": "'alert'",
                "body": "text",
                "status": "'received'",
                "provider_sid": "'SM' || md5(id::text)",
                "peer": "sender",
                "peer_hash": "sender_hash",
                "our_number": "'+15005550006'",
                "focal_point_id": "reporter_id",
                "created_at": "received_at",
                "updated_at": "received_at",
            },
            source="alerts_alert WHERE source = 'sms'",
        )
        insert(
            c,
            Message,
            {
                "alert_id": "id",
                "direction": "'outbound'",
                "kind": "'reply'",
                "body": "'Merci, bien reçu. Restez en sécurité.'",
                "status": "'delivered'",
                "provider_sid": "'SMr' || md5(id::text)",
                "peer": "sender",
                "peer_hash": "sender_hash",
                "sent_by_id": "assignee_id",
                "created_at": "acknowledged_at + (acknowledged_at - received_at)",
                "updated_at": "acknowledged_at + (acknowledged_at - received_at)",
            },
            source=(
                "alerts_alert WHERE acknowledged_at IS NOT NULL AND sender <> '' AND mod(id, 3) = 0"
            ),
        )
        # Message.save keeps each alert's first reply time; these replies came in by SQL.
        c.execute(
            "UPDATE alerts_alert a SET first_reply_at = r.first FROM (SELECT alert_id, "
            "min(created_at) AS first FROM alerts_message WHERE direction = 'outbound' "
            "AND kind = 'reply' AND alert_id IS NOT NULL GROUP BY alert_id) r "
            "WHERE a.id = r.alert_id"
        )
        log(f"messages: {time.monotonic() - started:.0f} s")


def insert(cursor, model, expressions: dict[str, str], *, source: str, params=None) -> None:
    """INSERT INTO model's table SELECT …: the given SQL expressions, and for every other
    column the field's own default (so new fields with defaults need no change here)."""
    from django.db import connection

    params = dict(params or {})
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.column in expressions:
            values.append(expressions[f.column])
        else:
            key = f"default_{f.column}"
            params[key] = f.get_db_prep_save(f.get_default(), connection)
            values.append(f"%({key})s")
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608
    cursor.execute(sql, params)


# --- Measuring (child process, project settings) ----------------------------------------------


def measure(repeat: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from networks.models import Location

    client = Client()
    client.force_login(User.objects.get(username="analyst0"))
    territory = Location.objects.get(name="Beni", kind="territory").pk
    village = Location.objects.filter(kind="village").order_by("pk")[SEARCH_VILLAGE].name
    today = timezone.localdate()
    year = {"since": (today - dt.timedelta(days=364)).isoformat(), "until": today.isoformat()}

    def select_1():
        with connection.cursor() as c:
            c.execute("SELECT 1")
            c.fetchone()

    pages = [
        ("baseline: SELECT 1", None, {}, repeat * 10),
        ("baseline: login page", "/accounts/login/", {}, repeat),
        ("queue: first page", "/dashboard/", {}, repeat),
        ("queue: territory + P1", "/dashboard/", {"location": territory, "priority": 1}, repeat),
        ("queue: search", "/dashboard/", {"q": village}, repeat),
        ("stats: last 90 days", "/dashboard/stats/", {}, max(3, repeat // 3)),
        ("stats: last 365 days", "/dashboard/stats/", year, max(3, repeat // 3)),
    ]
    for name, url, params, n in pages:
        if url is None:
            call = select_1
        else:

            def call(url=url, params=params):
                response = client.get(url, params, secure=True)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} {params}: {response.status_code}")

        for _ in range(2):
            call()  # warm-up: connection, caches, plans
        query_count = count_queries(call)
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        row = {
            "page": name,
            "n": n,
            "queries": query_count,
            "p50": statistics_median(samples),
            "p95": percentile(samples, 95),
            "max": samples[-1],
        }
        print(json.dumps(row), flush=True)
        log(
            f"{name:24} p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms  "
            f"{row['queries']} queries"
        )


def count_queries(call) -> int:
    """The statements one call sends: on this thread's connection, and on the connections the
    page opens in other threads (the statistics page computes its figures side by side)."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections
    from django.db.backends.signals import connection_created
    from django.test.utils import CaptureQueriesContext

    here, opened = connections[DEFAULT_DB_ALIAS], []

    def follow(sender, connection, **kwargs):
        if connection is not here:
            connection.force_debug_cursor = True
            opened.append(connection)

    # the client empties the query log as each request starts: start from an empty one
    connection.queries_log.clear()
    connection_created.connect(follow, weak=False)
    try:
        with CaptureQueriesContext(connection) as queries:
            call()
    finally:
        connection_created.disconnect(follow)
    # read now: later requests empty the log
    return len(queries.captured_queries) + sum(len(c.queries_log) for c in opened)


def statistics_median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


# --- Orchestration ------------------------------------------------------------------------------


def facts(db: str) -> dict[str, str]:
    import django

    counts = admin_sql(
        "SELECT (SELECT count(*) FROM alerts_alert), (SELECT count(*) FROM alerts_message), "
        "(SELECT count(*) FROM triage_incident), (SELECT count(*) FROM networks_focalpoint), "
        "(SELECT count(*) FROM alerts_alert WHERE status IN ('new', 'triaged', 'acknowledged', "
        "'verified', 'unverified', 'escalated')), "
        "pg_size_pretty(pg_total_relation_size('alerts_alert'))",
        db,
    )
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "CPUs (nproc)": f"{os.cpu_count()}" + (f" x {model}" if model else ""),
        "load average at start": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": admin_sql("SHOW server_version")[0].split()[0],
        "data": (
            f"{counts[0]:,} alerts over 365 days ({counts[4]:,} open; table and indexes "
            f"{counts[5]}), {counts[1]:,} messages, {counts[2]:,} incidents, {counts[3]:,} "
            f"focal points in {NETWORKS} networks"
        ),
    }


def report(results: dict[str, list[dict]], info: dict[str, str], args) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"#### {now}", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += [
        f"- method: Django's test client in one process (whole middleware stack, logged in as an "
        f"analyst, DEBUG=false, persistent connection to PostgreSQL on 127.0.0.1), 2 warm-up "
        f"requests then {args.repeat} timed ones per page ({max(3, args.repeat // 3)} for the "
        "statistics page); the baseline in the same process and run",
        "",
        "| indexes | page | requests | queries | p50 ms | p95 ms | max ms | p95 / login page |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    for variant, rows in results.items():
        base = next(r for r in rows if r["page"] == "baseline: login page")["p95"]
        for r in rows:
            lines.append(
                f"| {variant} | {r['page']} | {r['n']} | {r['queries']} | {r['p50']:.1f} | "
                f"{r['p95']:.1f} | {r['max']:.1f} | {r['p95'] / base:.1f} |"
            )
        for r in rows:
            target = (
                TARGET_QUEUE_P95_MS
                if r["page"].startswith("queue")
                else TARGET_STATS_P95_MS
                if r["page"].startswith("stats")
                else None
            )
            if target is not None:
                met = "met" if r["p95"] < target else "**NOT met**"
                verdicts.append(
                    f"- {variant}, {r['page']}: p95 **{r['p95']:.0f} ms**, target < {target:.0f} "
                    f"ms: {met}"
                )
    lines.append("")
    lines += verdicts
    return "\n".join(lines) + "\n"


def record(text: str) -> None:
    results_write(README, RESULTS_MARKER, text)


def main(argv: list[str]) -> int:
    if argv[:1] == ["_seed"]:
        seed(int(argv[1]))
        return 0
    if argv[:1] == ["_measure"]:
        measure(int(argv[1]))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--alerts", type=int, default=int(os.environ.get("BENCH_ALERTS", 1_000_000)))
    p.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 30)))
    p.add_argument(
        "--database", default=os.environ.get("BENCH_DASHBOARD_DATABASE", "kengele_bench_dashboard")
    )
    p.add_argument("--indexes", action="store_true", help="also time with the proposed indexes")
    p.add_argument("--reuse-db", action="store_true", help="keep the data of a --keep-db run")
    p.add_argument("--keep-db", action="store_true", help="leave the bench database behind")
    p.add_argument("--no-record", action="store_true", help="do not add to bench/README.md")
    # make bench passes every benchmark the same arguments: leave the others' options alone
    args, _others = p.parse_known_args(argv)
    if not (1000 <= args.alerts <= 5_000_000 and 3 <= args.repeat <= 500):
        p.error("keep --alerts in 1000..5000000 and --repeat in 3..500")

    def interrupted(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, interrupted)
    signal.alarm(3600)  # a hard bound on the whole run, whatever hangs
    workdir = Path(tempfile.mkdtemp(prefix="kengele-bench-dashboard-"))
    env = child_env(args.database, workdir)
    db = args.database
    created: list[str] = []  # proposed indexes this run made, dropped again at the end
    try:
        exists = admin_sql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
        fresh = not (args.reuse_db and exists)
        if fresh:
            log(f"fresh database {db}, migrations")
            admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            admin_sql(f'CREATE DATABASE "{db}"')
        else:
            log(f"reusing {db}: migrations not applied yet, if any")
        migrate(env)
        if fresh:
            log(f"seeding {args.alerts:,} alerts")
            run_child(["_seed", str(args.alerts)], env, timeout=2400)
        log("VACUUM ANALYZE")
        admin_sql("VACUUM ANALYZE", db)
        info = facts(db)
        results = {"as migrated": measure_rows(env, args.repeat)}
        if args.indexes:
            for name, statement in PROPOSED_INDEXES.items():
                if admin_sql(f"SELECT to_regclass('{name}') IS NOT NULL", db)[0]:
                    continue  # made by a migration, or left by an interrupted run
                log(f"creating {name}")
                admin_sql(statement, db)
                created.append(name)
            if created:
                admin_sql("VACUUM ANALYZE", db)
                results["+ proposed"] = measure_rows(env, args.repeat)
            else:
                log("--indexes: no proposed index missing, nothing more to time")
        text = report(results, info, args)
        print(text)
        if not args.no_record:
            record(text)
            log(f"recorded in {README.relative_to(ROOT)}")
        return 0
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc or 'SIGINT'}), stopping")
        return 130
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"failed: {exc}")
        return 1
    finally:
        signal.alarm(0)
        for name in created if args.keep_db else ():
            try:
                admin_sql(f"DROP INDEX IF EXISTS {name}", db)
            except Exception as exc:  # cleanup must never hide the real error
                log(f"cleanup: {exc}")
        if not args.keep_db:
            try:
                admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Exception as exc:  # cleanup must never hide the real error
                log(f"cleanup: {exc}")


def migrate(env: dict) -> None:
    run = [PY, "manage.py", "migrate", "--noinput"]
    done = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    if done.returncode:
        raise RuntimeError("migrate failed: " + (done.stderr or done.stdout)[-800:])


def measure_rows(env: dict, repeat: int) -> list[dict]:
    out = run_child(["_measure", str(repeat)], env, timeout=1800)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
