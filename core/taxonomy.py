"""What alerts, visits and meetings are about: the categories triage assigns and the risk
factors of the UN Framework of Analysis for Atrocity Crimes (2014). Defined here only."""

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CATEGORY_CHOICES = (
    ("attack", _("Attack")),
    ("armed_presence", _("Armed presence")),
    ("abduction", _("Abduction")),
    ("sexual_violence", _("Sexual violence")),
    ("displacement", _("Displacement")),
    ("looting", _("Looting")),
    ("hate_speech", _("Hate speech")),
    ("intercommunal_tension", _("Intercommunal tension")),
    # A focal point, committee member or liaison assistant threatened, followed or exposed for
    # reporting: their own safety, which the mission owes them.
    ("threat_to_informant", _("Threat to an informant")),
    ("other", _("Other")),
)
CATEGORY_CODES = tuple(code for code, _label in CATEGORY_CHOICES)
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

RISK_FACTOR_CHOICES = (
    ("RF1", _("Armed conflict or instability")),
    ("RF2", _("Record of serious violations")),
    ("RF3", _("Weakness of State structures")),
    ("RF4", _("Motives or incentives")),
    ("RF5", _("Capacity to commit atrocity crimes")),
    ("RF6", _("Absence of mitigating factors")),
    ("RF7", _("Enabling circumstances or preparatory action")),
    ("RF8", _("Triggering factors")),
    ("RF9", _("Intergroup tensions or discrimination against protected groups")),
    ("RF10", _("Signs of intent to destroy a protected group")),
    ("RF11", _("Signs of a widespread or systematic attack on civilians")),
    ("RF12", _("Signs of a plan or policy to attack civilians")),
    ("RF13", _("Serious threats to those protected under humanitarian law")),
    ("RF14", _("Serious threats to humanitarian or peacekeeping operations")),
)
RISK_FACTOR_CODES = tuple(code for code, _label in RISK_FACTOR_CHOICES)
RISK_FACTOR_LABELS = dict(RISK_FACTOR_CHOICES)


def _numbered(code: str, label) -> str:
    # "RF" is the Framework's abbreviation; French readers know it as "FR" (facteur de risque).
    return gettext("%(abbreviation)s%(number)s · %(label)s") % {
        "abbreviation": gettext("RF"),
        "number": code[2:],
        "label": label,
    }


_numbered_lazy = lazy(_numbered, str)
# The same choices with their number in front, where people pick among all fourteen.
RISK_FACTOR_CHOICES_NUMBERED = tuple(
    (code, _numbered_lazy(code, label)) for code, label in RISK_FACTOR_CHOICES
)
