"""Triage engine: pure Python, no database. ``analyse`` is the whole public surface
(``has_priority1_evidence`` is its cheap first look, for intake).

from triage.engine import analyse, Place, PlaceIndex
index = PlaceIndex(places)          # once, cached by the caller
result = analyse(text, index, reporter_home=home, reporter_reliability=0.8)
"""

from .analyse import analyse, has_priority1_evidence
from .lexicon import Lexicon, default_lexicon, load_lexicon
from .places import PlaceIndex
from .types import Analysis, Place

__all__ = [
    "Analysis",
    "Lexicon",
    "Place",
    "PlaceIndex",
    "analyse",
    "default_lexicon",
    "has_priority1_evidence",
    "load_lexicon",
]
