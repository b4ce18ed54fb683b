from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
# The project's catalogue plus one per app that keeps its own (lpc/locale/, cla/locale/).
CATALOGUES = [BASE / "locale" / "fr" / "LC_MESSAGES" / "django.po"] + sorted(
    path
    for path in BASE.glob("*/locale/fr/LC_MESSAGES/django.po")
    if not path.is_relative_to(BASE / ".venv")
)


def _entries(po: Path):
    """(msgid, msgstr, flags) for each entry of a French catalogue (header skipped)."""
    entry = {"flags": "", "msgid": None, "msgstr": None}
    field = None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry["msgid"]:
                yield entry["msgid"], entry["msgstr"] or "", entry["flags"]
            entry, field = {"flags": "", "msgid": None, "msgstr": None}, None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
            key, _, rest = line.partition(" ")
            field = {"msgid": "msgid", "msgstr": "msgstr", "msgstr[0]": "msgstr"}.get(key)
            if field:
                entry[field] = rest.strip('"')
        elif line.startswith('"') and field:
            entry[field] += line.strip('"')


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: str(path.relative_to(BASE)))
def test_every_french_string_is_translated_and_none_is_fuzzy(po):
    missing = [msgid for msgid, msgstr, _ in _entries(po) if not msgstr]
    fuzzy = [msgid for msgid, _, flags in _entries(po) if "fuzzy" in flags]
    assert not missing and not fuzzy, (missing[:5], fuzzy[:5])


def test_the_compiled_catalogue_is_used():
    with translation.override("fr"):
        assert translation.gettext("Queue") != "Queue"
