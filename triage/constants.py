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
# How many alerts one beat of the deadline check escalates; the next beat takes the rest.
ESCALATION_BATCH = 200
# Nearby incidents suggested for a merge on the alert and incident pages.
MERGE_SUGGESTIONS = 5
