"""Triage's own tables and limits that are not lexicons (those live in triage/lexicons/)."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

INCIDENT_RULES_FILE = Path(__file__).resolve().parent / "data" / "incidents.yaml"

# The mechanisms of data/incidents.yaml, in display order, with the words people read.
MECHANISM_LABELS = {
    "can": _("CAN"),
    "lpc": _("LPC"),
    "cla": _("CLA"),
    "web": _("Web"),
    "operator": _("Operator"),
    "town_hall": _("Town hall"),
}

# Incidents whose place lies this far from a given one are not worth scanning as neighbours
# (a bounding box in SQL first, the exact distance in Python after).
KM_PER_DEGREE = 111.2
# How many alerts the deadline check escalates per transaction (it loops until none is left).
ESCALATION_BATCH = 200
# A digest of missed deadlines names this many of the most urgent alerts (fewer if they do not
# fit) and stays within this many SMS segments.
DIGEST_WORST = 3
DIGEST_MAX_SEGMENTS = 3
# Pending alert ids read per query when a digest is made (well under SQLite's parameter limit).
DIGEST_ID_CHUNK = 500
# What was done, as written when an incident is resolved or reopened.
RESOLUTION_NOTE_MAX_LENGTH = 2000
# Nearby incidents suggested for a merge on the alert and incident pages.
MERGE_SUGGESTIONS = 5

# What each signal of the lexicons means, for the reader (the admin's term form, the alert's
# explanation). The engine's own names (triage/engine/lexicon.py SIGNALS) stay internal.
SIGNAL_LABELS = {
    "life": _("threat to life"),
    "casualty": _("victims"),
    "urgent": _("happening now"),
    "recent": _("just happened"),
    "entry": _("armed men entering"),
    "distress": _("call for help"),
    "plea_alone": _("may be a cry for help on its own"),
    "non_alert": _("greeting, test, thanks or request"),
    "denial": _("denial of the events"),
    "protected_site": _("protected site (health centre, school, camp)"),
    "humanitarian": _("humanitarian or peacekeeping personnel"),
    "state_actor": _("State security forces"),
    "mass": _("many victims"),
}

# History notes triage writes as fixed codes (stored as written, older rows included) and the
# words the alert page shows for them in the reader's language.
AUTO_ASSIGN_NOTE = "automatic: on duty for this area"
EVENT_NOTES = {AUTO_ASSIGN_NOTE: _("Assigned automatically: on duty for this area.")}
