"""Limits and vocabularies of the cla app, kept in one place."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = (
    ("fr", _("French")),
    ("sw", _("Swahili")),
    ("ln", _("Lingala")),
    ("en", _("English")),
)
LANGUAGE_CODES = tuple(code for code, _label in LANGUAGE_CHOICES)

# A visit this recent means a CLA reaches the place; an older one no longer counts.
COVERAGE_WINDOW = dt.timedelta(days=90)
# The places coverage is about: where people live, not the administrative levels above them.
COVERAGE_PLACE_KINDS = ("village", "locality")

# More people than this at one meeting is a typing error, and keeps the column from overflowing.
MAX_PEOPLE_MET = 100_000
# Rows a visit form or API call may carry: a visit recruits a handful of people, not a roster.
MAX_RECRUITS_PER_VISIT = 30
MAX_FOLLOW_UPS_PER_VISIT = 30
# The largest id a database stores (a signed 64-bit integer): a larger one in a filter is a 400.
MAX_ID = 2**63 - 1
ALERT_TEXT_MAX_LENGTH = 4000
# How far back or ahead a visit date may be: older paper records are welcome, the future is not.
EARLIEST_VISIT_DATE = dt.date(2000, 1, 1)
# Months the calendar shows: enough for old records, and far from the limits of dates.
CALENDAR_YEARS = (1990, 2100)

# A handover's note: a few paragraphs for the successor, not a report.
MAX_HANDOVER_NOTE = 2000

# --- Offline field pages (cla/offline.py) ------------------------------------------------------
# Pages the phone keeps for use without a connection, by URL name. None shows a focal point's
# name or number: the visit page (recruits) and the edit form are never kept.
OFFLINE_PAGES = ("cla:visit-new", "cla:visits", "cla:follow-ups")
# Static files those pages load.
OFFLINE_ASSETS = (
    "css/kengele.css",
    "cla/cla.css",
    "cla/offline.js",
    "cla/visit-form.js",
    "img/favicon.svg",
)
# How long a page may take on a poor connection before the phone's copy is shown instead.
OFFLINE_PAGE_TIMEOUT_MS = 6000
