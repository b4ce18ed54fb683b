"""Community engagement that the mission leads itself: town hall meetings (what communities
raised, what the mission promised and the answer it brought back) and joint protection teams
or assessment missions sent after an escalation (their findings and what came of their
recommendations). Both are placed, so they are seen by area like alerts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES
from networks.models import Location

from .constants import MAX_HEAD_COUNT


def _codes_check(value, allowed: tuple[str, ...], message) -> None:
    if not isinstance(value, list) or any(not isinstance(code, str) for code in value):
        raise ValidationError(_("Give a list of codes."), code="not_a_list")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValidationError(
            message, code="unknown_code", params={"codes": ", ".join(unknown[:5])}
        )


def validate_categories(value) -> None:
    _codes_check(value, CATEGORY_CODES, _("Unknown category: %(codes)s."))


def validate_risk_factors(value) -> None:
    _codes_check(value, RISK_FACTOR_CODES, _("Unknown risk factor: %(codes)s."))


def _head_count(label) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label, default=0, validators=[MaxValueValidator(MAX_HEAD_COUNT)]
    )


class TownHall(models.Model):
    """A meeting the mission convened with a community's representatives: who came, by group
    (counts only, never names), what they raised and what the mission promised."""

    place = models.ForeignKey(
        Location, verbose_name=_("place"), on_delete=models.PROTECT, related_name="town_halls"
    )
    held_on = models.DateField(_("held on"))
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        related_name="town_halls_convened",
    )
    women = _head_count(_("women"))
    youth = _head_count(_("youth"))
    authorities = _head_count(_("local authorities"))
    civil_society = _head_count(_("civil society"))
    displaced = _head_count(_("displaced people"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    GROUPS = ("women", "youth", "authorities", "civil_society", "displaced")

    class Meta:
        verbose_name = _("town hall meeting")
        verbose_name_plural = _("town hall meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["place", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.place} {self.held_on:%d/%m/%Y}"

    @property
    def participants(self) -> int:
        return sum(getattr(self, group) for group in self.GROUPS)


class Concern(models.Model):
    """Something a town hall raised: categories and risk factors of the one taxonomy, the
    words as said, and the alert it became when it needed the analysts."""

    town_hall = models.ForeignKey(
        TownHall,
        verbose_name=_("town hall meeting"),
        on_delete=models.CASCADE,
        related_name="concerns",
    )
    categories = models.JSONField(
        _("categories"), default=list, blank=True, validators=[validate_categories]
    )
    risk_factors = models.JSONField(
        _("risk factors"), default=list, blank=True, validators=[validate_risk_factors]
    )
    text = EncryptedTextField(_("what was said"))
    alert = models.OneToOneField(
        "alerts.Alert",
        verbose_name=_("alert raised"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_hall_concern",
    )

    class Meta:
        verbose_name = _("concern raised")
        verbose_name_plural = _("concerns raised")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.town_hall} #{self.pk}"


class Commitment(models.Model):
    """What the mission promised at a town hall, who answers for it, by when, and the answer
    given back to the community (at which later meeting)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    town_hall = models.ForeignKey(
        TownHall, verbose_name=_("made at"), on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.TextField(_("commitment"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="town_hall_commitments",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer given"), blank=True)
    answered_at = models.ForeignKey(
        TownHall,
        verbose_name=_("answered at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers_given",
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="commitment_answered_has_answer",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Deployment(models.Model):
    """A joint protection team or assessment mission sent to a volatile area after an
    escalation: the alerts and incidents behind it, its team by component (counts only), what
    it found and what it recommended."""

    class Kind(models.TextChoices):
        JPT = "jpt", _("Joint protection team")
        JAM = "jam", _("Joint assessment mission")

    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.JPT)
    area = models.ForeignKey(
        Location, verbose_name=_("area"), on_delete=models.PROTECT, related_name="deployments"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    military = _head_count(_("military"))
    police = _head_count(_("police"))
    civilians = _head_count(_("civilians"))
    investigators = _head_count(_("investigators"))
    alerts = models.ManyToManyField(
        "alerts.Alert", verbose_name=_("alerts"), blank=True, related_name="deployments"
    )
    incidents = models.ManyToManyField(
        "triage.Incident", verbose_name=_("incidents"), blank=True, related_name="deployments"
    )
    findings = EncryptedTextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="deployment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area} {self.started_on:%d/%m/%Y}"

    @property
    def team_size(self) -> int:
        return self.military + self.police + self.civilians + self.investigators


class Recommendation(models.Model):
    """One recommendation of a deployment and what became of it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    deployment = models.ForeignKey(
        Deployment,
        verbose_name=_("deployment"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    text = models.TextField(_("recommendation"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]
