"""Figures for the statistics page: alert volumes, reaction times, silent networks, inclusion,
mechanisms and corroboration. Aggregates only: nothing here reads a name or a phone number.

Each figure is computed in the database in a fixed number of queries whatever the volume of
alerts (grouped counts; percentiles with PostgreSQL's percentile_cont). Choices that shape them:
- dismissed alerts (spam, tests) count nowhere;
- a focal point's networks are their current (open) memberships, for past alerts too;
- "heard from" means an inbound SMS or an alert of theirs (calls leave no SMS) in the window;
- youth are the 18–24 and 25–34 age bands (the African Youth Charter counts 15 to 35).

`scope` (the filters), `volumes`, `reactions` and `people` compute; `tables`, `charts`,
`network_tables` and `page` turn the figures into what the page and its CSV downloads show.
"""

from .people import NetworkFigures, People, network_figures
from .reactions import Reaction, Reactions, percentile_cont, reaction_times
from .scope import (
    DEFAULT_DAYS,
    MAX_DAYS,
    SILENT_DAYS,
    YOUTH_AGE_BANDS,
    Scope,
    StatsFilterForm,
    places_within,
    stats_alerts,
    stats_networks,
    stats_territories,
)
from .volumes import Volumes, alert_volumes

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "SILENT_DAYS",
    "YOUTH_AGE_BANDS",
    "NetworkFigures",
    "People",
    "Reaction",
    "Reactions",
    "Scope",
    "StatsFilterForm",
    "Volumes",
    "alert_volumes",
    "network_figures",
    "percentile_cont",
    "places_within",
    "reaction_times",
    "stats_alerts",
    "stats_networks",
    "stats_territories",
]
