"""Text folding for matching what people type against stored names."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """'  Oïcha ' -> 'oicha': case, accents and runs of spaces do not count when matching.

    Focal points and staff write place and person names with or without accents (keyboards on
    basic phones rarely have them), so every comparison goes through this.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip().casefold()
