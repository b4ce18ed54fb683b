"""Triage results that span alerts (incidents: alerts grouped by place and time) and the
analysts' profiles that assignment reads (areas, duty, where to send notices)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.crypto import EncryptedTextField


class Incident(models.Model):
    """Alerts about the same or a neighbouring place within a time window."""

    class Corroboration(models.TextChoices):
        SINGLE = "single_source", _("Single source")
        SOURCES = "several_sources", _("Several sources")
        MECHANISMS = "several_mechanisms", _("Several mechanisms")

    location = models.ForeignKey(
        "networks.Location",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first alert"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last alert"), default=timezone.now)
    alert_count = models.PositiveIntegerField(_("alerts"), default=0)
    reporter_count = models.PositiveIntegerField(_("independent reporters"), default=0)
    mechanism_count = models.PositiveIntegerField(_("mechanisms"), default=0)
    # Codes of triage.constants.MECHANISM_LABELS ("can", "lpc", "cla", "web"), in that order.
    mechanisms = models.JSONField(_("reporting mechanisms"), default=list, blank=True)
    corroboration = models.CharField(
        _("corroboration"),
        max_length=20,
        choices=Corroboration.choices,
        default=Corroboration.SINGLE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-last_seen_at"]
        indexes = [
            models.Index(fields=["location", "-last_seen_at"]),
            models.Index(fields=["-last_seen_at"], name="incident_last_seen"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"I-{self.pk}" if self.pk else ""


class AnalystProfile(models.Model):
    """What assignment and notices need to know about a dashboard user: the territories they
    cover, whether they are on duty now, and a number for SMS notices (encrypted at rest)."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="analyst_profile",
    )
    areas = models.ManyToManyField(
        "networks.Location",
        verbose_name=_("areas (territories)"),
        blank=True,
        related_name="analysts",
        limit_choices_to={"kind": "territory"},
        help_text=_("New alerts placed in these territories are assigned to this analyst."),
    )
    on_duty = models.BooleanField(_("on duty"), default=False)
    phone = EncryptedTextField(
        _("phone for SMS notices"), blank=True, help_text=_("E.164, e.g. +243991234567.")
    )
    language = models.CharField(
        _("language of notices"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    # Breaks ties between analysts with as many open alerts: the one who waited longest.
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("analyst profile")
        verbose_name_plural = _("analyst profiles")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()
