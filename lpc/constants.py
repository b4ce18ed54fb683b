"""Fixed values of the lpc app, kept in one place."""

from django.utils.translation import gettext_lazy as _

# The largest id a database stores (a signed 64-bit integer): a larger one in a filter is a 400
# rather than an overflow inside the database driver.
MAX_ID = 2**63 - 1

# The largest head count one meeting records per cell: bigger than any village assembly, small
# enough to stay within a 32-bit column when the cells are added up.
MAX_ATTENDANCE = 100_000

# Attendance is counted by gender and by a coarse age band (what a secretary can count in a
# room); members present are recorded one by one with their exact band.
ATTENDANCE_GENDERS = (("women", _("Women")), ("men", _("Men")))
ATTENDANCE_BANDS = (
    ("youth", _("Under 35")),
    ("adults", _("35–64")),
    ("elders", _("65 and over")),
)
# Attendance column -> (gender, band), in the order forms and reports show them.
ATTENDANCE_FIELDS = {
    f"{gender}_{band}": (gender, band)
    for gender, _gender_label in ATTENDANCE_GENDERS
    for band, _band_label in ATTENDANCE_BANDS
}
# A member's exact age band (networks' focal point bands) -> the attendance band it falls in.
BAND_OF_AGE = {
    "18-24": "youth",
    "25-34": "youth",
    "35-49": "adults",
    "50-64": "adults",
    "65+": "elders",
}
# A member's gender -> the attendance gender it is counted under (others are counted apart).
GENDER_OF_MEMBER = {"female": "women", "male": "men"}

# Longest alert text raised from a meeting (as an SMS thread of ten segments).
ALERT_TEXT_MAX_LENGTH = 1600

# Report periods: how meetings are grouped over time.
REPORT_PERIODS = (("quarter", _("By quarter")), ("month", _("By month")))
