"""Kengele settings: one module, driven by the environment (see CONTRACT.md and README.md)."""

import datetime as dt
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .env import env, envbool, envfloat, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("KENGELE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)

# Development-only fallbacks. Never used when DEBUG is false: production must set real values.
_DEV_SECRET_KEY = "dev-only-insecure-kengele-secret-key-do-not-use-in-production"  # noqa: S105
_DEV_FIELD_KEY = "ZGV2LW9ubHkta2VuZ2VsZS1maWVsZC1rZXktMzJieXQ="  # noqa: S105

SECRET_KEY = env("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # `make run`: static files through WhiteNoise, compressed
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "networks",
    "alerts",
    "triage",
    "lpc",
    "cla",
    "engagement",
    "polls",
    "conduct",
    "access",  # no models: who sees which alerts and identities
    "dashboard",
    "config",  # management commands: backup, restore
]

# Twilio's signed webhooks live under this path and skip the browser middleware.
WEBHOOK_PATH_PREFIX = "/webhooks/"
MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",  # every log line of a request carries its id
    "config.metrics.WebhookMetricsMiddleware",  # counts and times every webhook answer
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.WebhookFastPathMiddleware",  # webhooks skip everything below
    # Below the webhooks' fast path, above everything that writes a body, and above WhiteNoise
    # so that `make run` sends static files compressed too (in production WhiteNoise serves
    # the .gz/.br copies collectstatic made, and this one leaves them alone).
    "config.middleware.CompressTextMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.requests.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
# PostgreSQL's deadlines, in seconds. libpq's connect_timeout is at least 2 s.
DB_CONNECT_TIMEOUT = max(2, envint("DB_CONNECT_TIMEOUT", 3))
DB_STATEMENT_TIMEOUT = envfloat("DB_STATEMENT_TIMEOUT", 30)
DB_LOCK_TIMEOUT = envfloat("DB_LOCK_TIMEOUT", 5)
# The most a webhook waits on the database, all its statements together (connecting
# included), before it keeps the message in the spool and answers Twilio (alerts.deadlines).
WEBHOOK_DB_TIMEOUT = envfloat("WEBHOOK_DB_TIMEOUT", 3)
# After that deadline has passed, a web process's webhooks spool at once for this long, then
# one tries the database again.
WEBHOOK_DB_PAUSE = envfloat("WEBHOOK_DB_PAUSE", 5)
# On PostgreSQL a new SMS alert and its message are stored by one statement, with the reads
# that decide it (alerts.services.intake_sql); false stores them through the ORM, as on SQLite.
INTAKE_ONE_STATEMENT = envbool("INTAKE_ONE_STATEMENT", True)
if _db["ENGINE"].endswith("sqlite3"):
    # Web server and worker write at once: WAL lets readers go on, IMMEDIATE transactions and a
    # busy timeout make writers queue instead of failing with "database is locked".
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a real worker process can share the test database.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Short queries only: PostgreSQL's JIT compiler spent one to two seconds per statistics
    # query at a million alerts and never paid back (bench/README.md). A random read costs
    # about as much as a sequential one on SSDs and in memory: at PostgreSQL's default of 4
    # the queue's search read every open alert's index entry instead of the few matches.
    # Deadlines (seconds, 0 = none): a database that hangs must not hold a request for long.
    # The statement and lock limits apply to every process; a migration rewriting a large
    # table may need DB_STATEMENT_TIMEOUT=0 for its run. Keepalives notice a dead peer.
    _db.setdefault("OPTIONS", {}).update(
        options=(
            f"-c jit=off -c random_page_cost={envfloat('DB_RANDOM_PAGE_COST', 1.1)}"
            f" -c statement_timeout={int(DB_STATEMENT_TIMEOUT * 1000)}"
            f" -c lock_timeout={int(DB_LOCK_TIMEOUT * 1000)}"
        ),
        connect_timeout=DB_CONNECT_TIMEOUT,
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
    )
DATABASES = {"default": _db}
# A new SMS alert is stored through a connection of its own to the same database ("intake"),
# kept without Django's health check: that check costs every request a round trip (SELECT 1)
# before its first statement, one more wait on PostgreSQL for every SMS. A webhook does not
# need it: a kept connection that broke is met by the intake statement, which is then tried
# once more on a new connection (a MessageSid stored the first time is refused the second), and
# a database that is down has the SMS spooled as always. Pages and tasks keep the check.
# INTAKE_DATABASE names the connection intake uses ("default" to use the pages' own).
if _db["ENGINE"].endswith("sqlite3"):
    INTAKE_DATABASE = "default"
else:
    DATABASES["intake"] = {
        **_db,
        "OPTIONS": dict(_db["OPTIONS"]),
        "CONN_HEALTH_CHECKS": False,
        "TEST": {"MIRROR": "default"},
    }
    INTAKE_DATABASE = env("INTAKE_DATABASE", "intake")
    if INTAKE_DATABASE not in DATABASES:
        raise ImproperlyConfigured(
            f"INTAKE_DATABASE={INTAKE_DATABASE!r}: not one of {', '.join(DATABASES)}"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "config.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login lockout (django-axes) ------------------------------------------------------------
# LOGIN_FAILURE_LIMIT failures for one username from one address lock that pair out for
# LOGIN_LOCKOUT_MINUTES; LOGIN_USERNAME_FAILURE_LIMIT failures of one username from all
# addresses together lock it out everywhere as long. The right password is refused meanwhile.
# API tokens are not concerned.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_USERNAME_FAILURE_LIMIT = envint("LOGIN_USERNAME_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 30))
AXES_HANDLER = "config.security.LoginLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail (networks.AuditEntry)
AXES_CLIENT_IP_CALLABLE = "core.requests.client_ip"
AXES_VERBOSE = False
# Names and numbers of more than this many different focal points within an hour are a bulk
# read: refused, and recorded for supervisors (admins are not limited).
IDENTITY_READS_PER_HOUR = envint("IDENTITY_READS_PER_HOUR", 50)
# Proxies in front of the app that append to X-Forwarded-For (0: use the connection's address).
# None is assumed unless said: without a proxy adding its entry, the header is the client's own
# and any address can be claimed in it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# --- Languages: French is the users' working language --------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Lubumbashi"  # Central Africa Time, eastern DR Congo
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Production: collectstatic names each file by its content's hash and writes .gz and .br copies;
# WhiteNoise serves those with a year's cache. DEBUG (`make run`) reads the source folders, and
# config.middleware.CompressTextMiddleware compresses on the fly. STATIC_MANIFEST=false (tests)
# keeps plain names, which need no collectstatic first.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.storage.StaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
COMPRESSED_CONTENT_TYPES = frozenset(
    {"text/html", "text/css", "text/plain", "text/javascript", "application/javascript"}
    | {"application/json", "application/geo+json", "application/problem+json", "image/svg+xml"}
)

# Requests: webhooks are small form posts; anything large is refused with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- Security (production sits behind a TLS-terminating proxy) -------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# Map tiles for the dashboard map; their origin is the one outside address images may come from.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_tiles = urlsplit(MAP_TILE_URL)
MAP_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}" if _tiles.netloc else ""
# Content security policy (django-csp): our own scripts and styles only, never inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The field pages' service worker (/cla/sw.js): same origin only.
        "worker-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The API docs page (Swagger UI, served from drf-spectacular-sidecar) has one inline <style>.
API_DOCS_CSP_UPDATE = {"style-src": [UNSAFE_INLINE]}
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Personal data (focal points' names and numbers) is encrypted at rest with this key. A comma
# list rotates: the first key encrypts, every key decrypts (`manage.py rotate_encryption_key`).
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY") or (_DEV_FIELD_KEY if DEBUG else "")
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is false.")
# Key of the hashes that find a number without decrypting (senders, opt-outs). It must outlive
# encryption keys: an opt-out keeps only the hash, which no rotation could recompute. Unset, it
# is the first encryption key, so it has to be set before a new key is put first.
FIELD_HASH_KEY = env("FIELD_HASH_KEY")
if not FIELD_HASH_KEY and "," in FIELD_ENCRYPTION_KEY.strip(", "):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY holds several keys but FIELD_HASH_KEY is not set: set it to the "
        "key the lookup hashes were made with (the previous first key), or senders and opt-outs "
        "will no longer be recognised."
    )

# --- Twilio and SMS ----------------------------------------------------------------------------
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL").rstrip("/")
if not DEBUG and not TWILIO_AUTH_TOKEN:
    raise ImproperlyConfigured(
        "TWILIO_AUTH_TOKEN must be set when DEBUG is false: webhooks cannot be verified without it."
    )
SMS_BACKEND = env("SMS_BACKEND", "console" if DEBUG else "twilio")
# Delete Twilio's copies (message texts and numbers, call recordings) once Kengele holds its own:
# inbound messages once stored, outbound ones once delivered or failed, recordings once fetched.
TWILIO_DELETE_PROVIDER_COPIES = envbool("TWILIO_DELETE_PROVIDER_COPIES", True)
SMS_DEFAULT_REGION = env("SMS_DEFAULT_REGION", "CD")
# Complaints of sexual exploitation and abuse (conduct app): an SMS whose first word is one of
# these keywords, or sent to one of these numbers, goes straight to conduct and discipline
# staff and never becomes an alert. The answer it gets says nothing of what it was.
CONDUCT_SMS_KEYWORDS = envlist("CONDUCT_SMS_KEYWORDS", "CBCM")
CONDUCT_SMS_NUMBERS = envlist("CONDUCT_SMS_NUMBERS", "")
CONDUCT_SMS_REPLY = env("CONDUCT_SMS_REPLY", "Message reçu, merci. Réf. {reference}")
# Focal points often "bip" (ring once, no credit): reject such calls and open a call-back alert.
VOICE_REJECT_MISSED_CALLS = envbool("VOICE_REJECT_MISSED_CALLS", False)
# Broadcasts: SMS segments per second the sender may send (a Twilio long code: about 1; a
# messaging service or short code: more), and how long an SMS back counts as a reply to one.
BROADCAST_RATE_PER_SECOND = float(env("BROADCAST_RATE_PER_SECOND", "1"))
if not BROADCAST_RATE_PER_SECOND > 0:
    raise ImproperlyConfigured("BROADCAST_RATE_PER_SECOND must be a number above 0.")
BROADCAST_REPLY_WINDOW_HOURS = envint("BROADCAST_REPLY_WINDOW_HOURS", 72)
SPOOL_DIR = Path(env("SPOOL_DIR", str(VAR_DIR / "spool")))
# Days message texts, raw provider requests and closed alerts' texts are kept (0: forever).
# Past them the text is blanked and the row kept, so counts and statistics do not change.
MESSAGE_RETENTION_DAYS = envint("MESSAGE_RETENTION_DAYS", 365)

# --- Triage: incidents, assignment, deadlines ---------------------------------------------------
# An alert joins an open incident about a place this close (km, on the gazetteer's coordinates;
# the same place always matches) whose alerts came in within this many hours of it.
INCIDENT_RADIUS_KM = envint("INCIDENT_RADIUS_KM", 15)
INCIDENT_WINDOW_HOURS = envint("INCIDENT_WINDOW_HOURS", 12)
# An analyst's claim on an alert ("I am working on this") lapses after this many minutes.
CLAIM_TTL_MINUTES = envint("CLAIM_TTL_MINUTES", 15)
# Minutes to acknowledge an alert after it was received, per priority (None: no deadline).
# Past it, the alert is escalated once (triage.tasks.escalate_overdue, every minute).
ACK_TARGET_MINUTES = {1: 10, 2: 60, 3: 24 * 60, 4: None}
# Supervisors hear of missed deadlines in digests: at most one SMS per person per this many
# minutes (the first breach after a quiet spell goes at once), and at most this many per hour;
# past the cap the breaches still show on the dashboard (/dashboard/overdue/).
ESCALATION_DIGEST_MINUTES = envint("ESCALATION_DIGEST_MINUTES", 15)
ESCALATION_SMS_PER_HOUR = envint("ESCALATION_SMS_PER_HOUR", 4)
if ESCALATION_DIGEST_MINUTES < 0 or ESCALATION_SMS_PER_HOUR < 1:
    raise ImproperlyConfigured(
        "ESCALATION_DIGEST_MINUTES must be 0 or more and ESCALATION_SMS_PER_HOUR 1 or more."
    )

# --- Triage watchdog ------------------------------------------------------------------------------
# An alert still untriaged this many seconds after it came in is queued again (the sweeper runs
# every 15 s) and shows on the queue's "triage stopped" banner.
TRIAGE_STALE_SECONDS = envint("TRIAGE_STALE_SECONDS", 60)
# Triage stuck this long (the oldest untriaged alert is this old): supervisors get one SMS per
# outage, sent at once from whichever process notices (beat's task, /healthz, the dashboard).
TRIAGE_ALARM_MINUTES = envint("TRIAGE_ALARM_MINUTES", 5)
# /healthz answers 503 naming triage when the oldest untriaged alert is older than this, or when
# no worker ran the heartbeat (every 20 s on the triage queue) within TRIAGE_WORKER_SILENCE_SECONDS.
TRIAGE_STUCK_SECONDS = envint("TRIAGE_STUCK_SECONDS", 120)
TRIAGE_WORKER_SILENCE_SECONDS = envint("TRIAGE_WORKER_SILENCE_SECONDS", 60)

# --- Celery ------------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, so a laptop needs no broker server.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
# Seconds a Redis command or connection attempt may take before it fails, for every Celery
# connection (a broker that hangs without closing its sockets would otherwise hold a publish
# forever). Intake's triage publish has tighter ones of its own (alerts.services.queueing):
# after a failed publish, the next ones in the process fail at once for TRIAGE_PUBLISH_PAUSE.
BROKER_SOCKET_TIMEOUT = envfloat("BROKER_SOCKET_TIMEOUT", 5)
TRIAGE_PUBLISH_TIMEOUT = envfloat("TRIAGE_PUBLISH_TIMEOUT", 1)
TRIAGE_PUBLISH_PAUSE = envfloat("TRIAGE_PUBLISH_PAUSE", 5)
# Intake hands each new alert's triage to a thread of its process, which publishes the alerts
# received within TRIAGE_PUBLISH_WINDOW seconds as one task (at most TRIAGE_PUBLISH_BATCH ids a
# task): the webhook never waits for the broker. 0 publishes each alert at once, in the request.
TRIAGE_PUBLISH_WINDOW = envfloat("TRIAGE_PUBLISH_WINDOW", 0.05)
TRIAGE_PUBLISH_BATCH = envint("TRIAGE_PUBLISH_BATCH", 25)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        socket_timeout=BROKER_SOCKET_TIMEOUT,
        socket_connect_timeout=BROKER_SOCKET_TIMEOUT,
        socket_keepalive=True,
    )
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(BROKER_DIR / "queue"),
        data_folder_out=str(BROKER_DIR / "queue"),
        processed_folder=str(BROKER_DIR / "processed"),
        control_folder=str(BROKER_DIR / "control"),
        store_processed=False,
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With late acknowledgement each worker process holds one task ahead of the one it runs: an
# urgent alert never waits behind a prefetched batch of others. The embedded broker is polled,
# and Celery 5.6's polling loop sends a finished task's acknowledgement only when its next
# 2-second wait ends: holding one task ahead there means one alert triaged every 2 s. Eight
# ahead keep a laptop's worker busy (a killed worker's held tasks are recovered by the sweeper
# there either way, since that broker cannot redeliver them).
CELERY_WORKER_PREFETCH_MULTIPLIER = envint(
    "CELERY_WORKER_PREFETCH_MULTIPLIER", 8 if CELERY_BROKER_URL.startswith("filesystem") else 1
)
# Celery's Django fixup closes the database connection before and after every task unless
# this is set; it then closes it only every 2 x this many tasks' signals. Keeping it saves a new
# PostgreSQL session per triage; config.celery closes one that errored or outlived
# DB_CONN_MAX_AGE around each task, as Django does around a request.
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
# A worker without -Q consumes every one of these, and with Redis takes them in this order
# (queue_order_strategy "priority": the first queue holding a message is served first), so a
# text naming a threat to life (triage_urgent, chosen at intake) is triaged before the line.
# Production runs separate workers: -Q triage_urgent,triage / outbound / broadcast / default.
CELERY_TASK_QUEUES = [
    Queue("triage_urgent"),
    Queue("triage"),
    Queue("outbound"),
    Queue("broadcast"),
    Queue("default"),
]
CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] = "priority"
CELERY_TASK_ROUTES = {
    "triage.tasks.*": {"queue": "triage"},
    "triage.tasks.triage_message": {"queue": "triage"},
    "alerts.tasks.send_sms": {"queue": "outbound"},
    "alerts.tasks.broadcast_*": {"queue": "broadcast"},
    # REST calls deleting the provider's copies (alerts.constants.PROVIDER_COPY_QUEUE).
    "alerts.tasks.provider_*": {"queue": "default"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "purge-old-messages": {
        "task": "config.tasks.purge_old_messages",
        "schedule": 24 * 3600.0,
        "options": {"queue": "default"},
    },
    # Every 15 s: an alert whose triage task was lost is queued again within
    # TRIAGE_STALE_SECONDS + 15 s.
    "requeue-stale": {"task": "alerts.tasks.requeue_stale", "schedule": 15.0},
    "broadcasts-requeue": {"task": "alerts.tasks.broadcast_requeue_due", "schedule": 60.0},
    "import-spool": {"task": "alerts.tasks.import_spool", "schedule": 30.0},
    "provider-copies": {"task": "alerts.tasks.provider_copies_sweep", "schedule": 30.0},
    "escalate-overdue": {
        "task": "triage.tasks.escalate_overdue",
        "schedule": 60.0,
        "options": {"queue": "default"},  # housekeeping, never behind or ahead of triage
    },
    # On the triage queue itself: a recent heartbeat means that queue is being worked.
    "triage-heartbeat": {"task": "triage.tasks.worker_heartbeat", "schedule": 20.0},
    "triage-watchdog": {
        "task": "triage.tasks.watchdog_check",
        "schedule": 30.0,
        "options": {"queue": "default"},  # must run when the triage queue is the one stuck
    },
}

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_THROTTLE_RATE", "5000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kengele API",
    "DESCRIPTION": "Community early-warning alerts, incidents and networks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/schema/ and /api/docs/ need a login unless DEBUG.
    "SERVE_PERMISSIONS": ["core.permissions.SignedInUnlessDebug"],
    # Swagger UI from the installed sidecar package, not a CDN (and within our CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AlertStatusEnum": "alerts.models.Alert.Status",
        "MessageStatusEnum": "alerts.models.Message.Status",
        "NetworkStatusEnum": "networks.models.Network.Status",
        "AlertLanguageEnum": "alerts.models.Alert.Language",
        "FocalPointLanguageEnum": "networks.models.FocalPoint.Language",
        "DeploymentKindEnum": "engagement.models.Deployment.Kind",
        "ComplaintStatusEnum": "conduct.models.Complaint.Status",
        "ComplaintSourceEnum": "conduct.models.Complaint.Source",
        "PollQuestionKindEnum": "polls.models.Question.Kind",
        "PollGroupEnum": "polls.models.Group",
    },
}

# --- Logs and metrics -----------------------------------------------------------------------------
# Logs go to stderr: one JSON object per line (time, level, logger, message, exception,
# request_id, path, task) unless LOG_FORMAT=plain; plain text by default under DEBUG. Long
# digit runs (phone numbers) are masked in both (config/logs.py).
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.logs.ContextFilter"}},
    "formatters": {
        "plain": {
            "()": "config.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# GET /metrics (Prometheus): `Authorization: Bearer $METRICS_TOKEN`; with no token, only from
# these addresses or networks (the client's address as TRUSTED_PROXY_COUNT tells it).
METRICS_TOKEN = env("METRICS_TOKEN")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
for _address in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_address, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from exc
# Each dependency (database, broker) a scrape reads gets at most this long.
METRICS_TIMEOUT_SECONDS = envfloat("METRICS_TIMEOUT_SECONDS", 2.0)
# The triage latency shown is that of the alerts triaged in this last period.
METRICS_TRIAGE_WINDOW_SECONDS = envint("METRICS_TRIAGE_WINDOW_SECONDS", 300)
# `make backup` / `manage.py backup` write their archives here.
BACKUP_DIR = Path(env("BACKUP_DIR", str(VAR_DIR / "backups")))

if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
