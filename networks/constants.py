"""Limits and fixed values of the networks app, kept in one place."""

# The largest id a database stores (a signed 64-bit integer): a larger one in a filter is a 400
# rather than an overflow inside the database driver.
MAX_ID = 2**63 - 1

# CSV import of focal points: bigger than any real roster (about 50 000 rows), small enough to
# parse in a request.
CSV_IMPORT_MAX_BYTES = 5 * 1024 * 1024

# Required and optional columns of the focal point CSV, in the order the export writes them.
CSV_REQUIRED_COLUMNS = ("name", "phone")
CSV_COLUMNS = (
    "name",
    "phone",
    "phone_alt",
    "language",
    "gender",
    "age_band",
    "role",
    "home_location",
    "networks",
    "consent_at",
    "notes",
    "discreet",
)
# Separators accepted between network codes in one cell.
CSV_NETWORK_SEPARATORS = (";", ",")

# Besides each choice's code and label, what people write in a roster for these values.
CSV_CHOICE_ALIASES = {
    "gender": {
        "f": "female",
        "femme": "female",
        "feminin": "female",
        "woman": "female",
        "m": "male",
        "h": "male",
        "homme": "male",
        "masculin": "male",
        "man": "male",
    },
    "language": {
        "francais": "fr",
        "french": "fr",
        "kiswahili": "sw",
        "swahili": "sw",
        "lingala": "ln",
        "anglais": "en",
        "english": "en",
    },
}
# The discreet column: yes (neutral wording), no (standard), blank (as their networks).
CSV_DISCREET_VALUES = {
    "yes": True,
    "oui": True,
    "true": True,
    "1": True,
    "discreet": True,
    "discret": True,
    "no": False,
    "non": False,
    "false": False,
    "0": False,
    "standard": False,
}
# Date formats accepted for consent_at: ISO, and the day-first form spreadsheets in French use.
CSV_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
