"""CBCM members, complaints and each complaint's audit trail. Names, numbers and texts are
encrypted at rest; numbers also carry a keyed hash for lookups."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from networks.models import FocalPoint, Location


class CbcmMember(models.Model):
    """A community-elected member of a community-based complaint mechanism."""

    name = EncryptedTextField(_("name"))
    phone = EncryptedTextField(_("phone"), blank=True, help_text=_("E.164, e.g. +243991234567"))
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    gender = models.CharField(
        _("gender"),
        max_length=12,
        choices=FocalPoint.Gender.choices,
        default=FocalPoint.Gender.UNDISCLOSED,
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="cbcm_members",
    )
    elected_on = models.DateField(_("elected on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("CBCM member")
        verbose_name_plural = _("CBCM members")
        ordering = ["location__name", "pk"]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and history tables.
        return f"CBCM member {self.pk}"


class Complaint(models.Model):
    """A complaint of sexual exploitation or abuse by peacekeepers."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        SMS_CHANNEL = "sms_channel", _("SMS to the complaints keyword or number")
        SMS_TRIAGE = "sms_triage", _("SMS recognised by triage")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        REFERRED = "referred", _("Referred for investigation")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    text = EncryptedTextField(_("complaint"))
    language = models.CharField(_("language"), max_length=3, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    sender = EncryptedTextField(_("sender number"), blank=True)
    sender_hash = models.CharField(max_length=64, blank=True, editable=False)
    member = models.ForeignKey(
        CbcmMember,
        verbose_name=_("CBCM member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    reporter = models.ForeignKey(
        FocalPoint,
        verbose_name=_("focal point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The stub left in the general queue (triage's route), by id only: no relation from the
    # alert back to here.
    stub_alert_id = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class ComplaintView(models.Model):
    """One reading of a complaint: who, when, what they looked at."""

    class What(models.TextChoices):
        DETAIL = "detail", _("Opened the complaint")
        STATUS = "status", _("Changed its status")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    what = models.CharField(_("what"), max_length=8, choices=What.choices)

    class Meta:
        verbose_name = _("reading of a complaint")
        verbose_name_plural = _("readings of complaints")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["complaint", "-at"])]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.what} {self.user_id} {self.at:%Y-%m-%d %H:%M}"


class ComplaintListRead(models.Model):
    """One reading of a list of complaints through the API: who, when, which complaints it
    gave them (their references and places, not their texts)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    complaints = models.ManyToManyField(Complaint, related_name="list_reads", blank=True)

    class Meta:
        verbose_name = _("reading of a list of complaints")
        verbose_name_plural = _("readings of lists of complaints")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"list {self.user_id} {self.at:%Y-%m-%d %H:%M}"
