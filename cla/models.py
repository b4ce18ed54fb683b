"""Community Liaison Assistants: who they are, where they work, their field visits."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES

from .constants import LANGUAGE_CODES, MAX_PEOPLE_MET


def _check_codes(value, allowed: tuple[str, ...], field: str) -> None:
    if not isinstance(value, list) or any(code not in allowed for code in value):
        raise ValidationError(
            {
                field: ValidationError(
                    _("Choose among: %(codes)s."),
                    code="invalid_choice",
                    params={"codes": ", ".join(allowed)},
                )
            }
        )


class CLAProfile(models.Model):
    """What a CLA user covers: a base, the languages spoken and the places assigned."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="cla_profile",
    )
    base = models.ForeignKey(
        "networks.Location",
        verbose_name=_("base"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cla_based",
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Language codes spoken: fr, sw, ln, en."),
    )
    assigned_places = models.ManyToManyField(
        "networks.Location",
        verbose_name=_("assigned territories and places"),
        blank=True,
        related_name="cla_assigned",
        help_text=_("A territory (or any area) covers every place inside it."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("CLA profile")
        verbose_name_plural = _("CLA profiles")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    def clean(self) -> None:
        _check_codes(self.languages, LANGUAGE_CODES, "languages")


class FieldVisit(models.Model):
    """One trip of a CLA to one or more places, as reported on coming back."""

    class Purpose(models.TextChoices):
        NETWORK_SUPPORT = "network_support", _("Support to a network (CAN)")
        LPC_SUPPORT = "lpc_support", _("Support to a protection committee (LPC)")
        RECRUITMENT = "recruitment", _("Recruiting focal points")
        ASSESSMENT = "assessment", _("Protection assessment")
        FOLLOW_UP = "follow_up", _("Follow-up of an incident")
        OTHER = "other", _("Other")

    cla = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("CLA"),
        on_delete=models.PROTECT,
        related_name="field_visits",
    )
    visited_on = models.DateField(_("date of the visit"))
    places = models.ManyToManyField(
        "networks.Location", verbose_name=_("places visited"), related_name="field_visits"
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.NETWORK_SUPPORT
    )
    women_met = models.PositiveIntegerField(
        _("women met"), default=0, validators=[MaxValueValidator(MAX_PEOPLE_MET)]
    )
    men_met = models.PositiveIntegerField(
        _("men met"), default=0, validators=[MaxValueValidator(MAX_PEOPLE_MET)]
    )
    others_met = models.PositiveIntegerField(
        _("others met"),
        default=0,
        validators=[MaxValueValidator(MAX_PEOPLE_MET)],
        help_text=_("People who did not give a gender, or were counted together."),
    )
    organisations_met = models.TextField(
        _("organisations met"),
        blank=True,
        help_text=_("Authorities, associations, churches, NGOs… one per line."),
    )
    networks = models.ManyToManyField(
        "networks.Network",
        verbose_name=_("networks supported"),
        blank=True,
        related_name="field_visits",
    )
    lpcs = models.ManyToManyField(
        "lpc.LPC",
        verbose_name=_("protection committees supported"),
        blank=True,
        related_name="field_visits",
    )
    observations = models.TextField(_("observations"), blank=True)
    categories = models.JSONField(_("risks observed"), default=list, blank=True)
    risk_factors = models.JSONField(_("risk factors"), default=list, blank=True)
    # Made by the form (or the client) before sending: a resent draft carries the same one.
    idempotency_key = models.UUIDField(_("draft key"), unique=True, default=uuid.uuid4)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["cla", "-visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(women_met__gte=0) & Q(men_met__gte=0) & Q(others_met__gte=0),
                name="fieldvisit_counts_not_negative",
                violation_error_message=_("Counts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Visit of %(date)s") % {"date": self.visited_on}

    @property
    def people_met(self) -> int:
        return self.women_met + self.men_met + self.others_met

    def clean(self) -> None:
        _check_codes(self.categories, CATEGORY_CODES, "categories")
        _check_codes(self.risk_factors, RISK_FACTOR_CODES, "risk_factors")


class Recruitment(models.Model):
    """A focal point recruited (or met again and registered) during a visit."""

    visit = models.ForeignKey(
        FieldVisit, on_delete=models.CASCADE, related_name="recruitments", verbose_name=_("visit")
    )
    focal_point = models.ForeignKey(
        "networks.FocalPoint",
        verbose_name=_("focal point"),
        on_delete=models.PROTECT,
        related_name="recruitments",
    )
    created = models.BooleanField(
        _("newly registered"),
        default=True,
        help_text=_("False when the number was already registered and the visit links to it."),
    )
    network = models.ForeignKey(
        "networks.Network",
        verbose_name=_("network joined"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("recruitment")
        verbose_name_plural = _("recruitments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "focal_point"],
                name="recruitment_once_per_visit",
                violation_error_message=_(
                    "This person is already recorded as recruited on this visit."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.focal_point}"


class VisitEquipment(models.Model):
    """Equipment handed out during a visit (the row itself belongs to the networks app)."""

    visit = models.ForeignKey(
        FieldVisit,
        on_delete=models.CASCADE,
        related_name="equipment_given",
        verbose_name=_("visit"),
    )
    equipment = models.OneToOneField(
        "networks.Equipment",
        on_delete=models.CASCADE,
        related_name="field_visit_link",
        verbose_name=_("equipment"),
    )

    class Meta:
        verbose_name = _("equipment handed out")
        verbose_name_plural = _("equipment handed out")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.equipment}"


class FollowUp(models.Model):
    """Something a visit promised to do, with the day it is due."""

    visit = models.ForeignKey(
        FieldVisit, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("visit")
    )
    description = models.CharField(_("what to do"), max_length=500)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Empty: the CLA who recorded the visit. Set when a handover gives it to their successor;
    # the visit itself stays the work of whoever made it.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("in the hands of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups_held",
        help_text=_("Who is to do it, when not the CLA who recorded the visit."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def holder_id(self) -> int:
        """The user who is to do it: the successor it was handed to, or the visit's CLA."""
        return self.assigned_to_id or self.visit.cla_id

    @property
    def holder(self):
        return self.assigned_to if self.assigned_to_id else self.visit.cla


class VisitAlert(models.Model):
    """An alert raised from a visit: alerts know nothing of visits, so the link lives here."""

    visit = models.ForeignKey(
        FieldVisit, on_delete=models.CASCADE, related_name="alert_links", verbose_name=_("visit")
    )
    alert = models.OneToOneField(
        "alerts.Alert",
        on_delete=models.CASCADE,
        related_name="field_visit_link",
        verbose_name=_("alert"),
    )

    class Meta:
        verbose_name = _("alert raised from a visit")
        verbose_name_plural = _("alerts raised from visits")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.alert_id}"


class CLAHandover(models.Model):
    """One CLA's work handed to a successor in one go: who, to whom, by whom, when, why, and
    the ids of what moved (committees, networks, places, open follow-ups). Written once."""

    from_cla = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outgoing CLA"),
        on_delete=models.PROTECT,
        related_name="cla_handovers_given",
    )
    to_cla = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="cla_handovers_received",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    # Free text may name someone: kept encrypted, as focal points' notes are.
    note = EncryptedTextField(_("note"), blank=True)
    lpc_count = models.PositiveIntegerField(_("committees"), default=0)
    network_count = models.PositiveIntegerField(_("networks"), default=0)
    place_count = models.PositiveIntegerField(_("places"), default=0)
    follow_up_count = models.PositiveIntegerField(_("open follow-ups"), default=0)
    # {"lpcs": [ids], "networks": [ids], "places": [ids], "follow_ups": [ids], "base": id|None}
    moved = models.JSONField(_("what moved"), default=dict, blank=True)
    # Made by the form (or the client) before sending: the same key twice records one handover.
    idempotency_key = models.UUIDField(_("submission key"), unique=True, default=uuid.uuid4)

    class Meta:
        verbose_name = _("CLA handover")
        verbose_name_plural = _("CLA handovers")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_cla=F("to_cla")),
                name="clahandover_not_to_oneself",
                violation_error_message=_("A CLA cannot hand their work over to themselves."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_cla} → {self.to_cla}"
