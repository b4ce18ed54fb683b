"""Triage results that span alerts: incidents (alerts grouped by place and time)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    reporter_count = models.PositiveIntegerField(_("independent reporters"), default=0)
    mechanism_count = models.PositiveIntegerField(_("mechanisms"), default=0)
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
        indexes = [models.Index(fields=["location", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"I-{self.pk}"
