"""Triage results that span alerts (incidents: alerts grouped by place and time) and the
analysts' profiles that assignment reads (areas, duty, where to send notices)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.taxonomy import CATEGORY_CHOICES


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
    # Resolved: the situation is over and its alerts closed. A new alert joining it reopens it
    # (triage.services.resolution), so nothing that comes in later goes unseen.
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_note = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-last_seen_at"]
        indexes = [
            models.Index(fields=["location", "-last_seen_at"]),
            models.Index(fields=["-last_seen_at"], name="incident_last_seen"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=False)
                | models.Q(resolved_by__isnull=True, resolution_note=""),
                name="incident_resolution_only_when_resolved",
                violation_error_message=_("Only a resolved incident has who resolved it and how."),
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"I-{self.pk}" if self.pk else ""

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class IncidentEvent(models.Model):
    """One line of an incident's history: resolved, reopened (by hand, or because an alert
    joined it), its reporters told what was done, its area's networks given the news. Written
    once, never edited or deleted (merging moves the merged incident's lines here)."""

    class Kind(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")
        REPORTERS_TOLD = "reporters_told", _("Reporters told what was done")
        AREA_TOLD = "area_told", _("Message to the area's networks prepared")

    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # the (incident, at) index serves it
        verbose_name=_("incident"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    # The alert whose arrival reopened the incident.
    alert = models.ForeignKey(
        "alerts.Alert",
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # Ids and counts only (alerts closed, messages sent, a broadcast), never personal data.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("incident history entry")
        verbose_name_plural = _("incident history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_event_at")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("incident history entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("incident history entries cannot be deleted")


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
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("analyst profile")
        verbose_name_plural = _("analyst profiles")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()


class LexiconTerm(models.Model):
    """A word or phrase an admin adds to the triage lexicons (the YAML files hold the rest):
    a new place-specific term, a local spelling, an armed group's name. Reaches the workers
    within minutes, without a deployment."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        SWAHILI = "sw", _("Swahili")
        LINGALA = "ln", _("Lingala")
        ENGLISH = "en", _("English")
        ANY = "shared", _("Any language")

    term = models.CharField(
        _("word or phrase"),
        max_length=80,
        help_text=_(
            "As people write it; accents and capitals do not matter. A * at the end "
            "matches any ending (e.g. tir* for tirer, tirent, tirs)."
        ),
    )
    language = models.CharField(_("language"), max_length=6, choices=Language.choices)
    category = models.CharField(_("category"), max_length=30, blank=True, choices=CATEGORY_CHOICES)
    weight = models.FloatField(
        _("weight"), default=2.0, help_text=_("How strongly it points to the category (1–5).")
    )
    risk_factors = models.JSONField(_("risk factors"), default=list, blank=True)
    signals = models.JSONField(
        _("signals"),
        default=list,
        blank=True,
        help_text=_("e.g. life, casualty, urgent, entry, distress: what raises the priority."),
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("why it was added"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("lexicon term")
        verbose_name_plural = _("lexicon terms")
        ordering = ["language", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "term"],
                name="lexicon_term_unique",
                violation_error_message=_("This term is already in the lexicon for this language."),
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0.5, weight__lte=5),
                name="lexicon_weight_range",
                violation_error_message=_("The weight must be between 0.5 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.language})"

    def as_entry(self) -> dict:
        """The term as the engine's load_lexicon takes it."""
        return {
            "term": self.term,
            "language": self.language,
            "categories": {self.category: self.weight} if self.category else {},
            "risk_factors": list(self.risk_factors or ()),
            "signals": list(self.signals or ()),
        }

    def clean(self) -> None:
        from .engine import load_lexicon

        self.term = " ".join((self.term or "").split())
        if not self.category and not self.risk_factors and not self.signals:
            raise ValidationError(
                _("Give the term a category, a risk factor or a signal: else it means nothing.")
            )
        try:
            load_lexicon([self.as_entry()])
        except (ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from exc


class WorkerHeartbeat(models.Model):
    """When a worker consuming the triage queue last ran the heartbeat task: one row, read by
    /healthz (Celery's ping needs a broadcast the embedded broker does not have)."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(
        primary_key=True, default=SINGLETON, editable=False, verbose_name=_("identifier")
    )
    beat_at = models.DateTimeField(_("last heartbeat"))
    hostname = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1),
                name="worker_heartbeat_single_row",
                violation_error_message=_("There is only one worker heartbeat."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.hostname or '?'} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class TriageOutage(models.Model):
    """A period when alerts waited untriaged past TRIAGE_STALE_SECONDS. Supervisors are texted
    once per outage (`alarmed_at`); it ends when no alert is waiting that long any more."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    alarmed_at = models.DateTimeField(_("supervisors alerted"), null=True, blank=True)
    # True while it lasts, NULL after: the unique constraint below lets one outage be open.
    is_open = models.BooleanField(
        default=True, null=True, editable=False, verbose_name=_("still open")
    )
    alerts_waiting = models.PositiveIntegerField(_("alerts waiting"), default=0)
    peak_waiting = models.PositiveIntegerField(_("most alerts waiting"), default=0)
    oldest_received_at = models.DateTimeField(_("oldest waiting alert"), null=True, blank=True)

    class Meta:
        verbose_name = _("triage outage")
        verbose_name_plural = _("triage outages")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_open"],
                name="triage_outage_one_open",
                violation_error_message=_("A triage outage is already open."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_open=True, ended_at__isnull=True)
                | models.Q(is_open__isnull=True, ended_at__isnull=False),
                name="triage_outage_open_until_ended",
                violation_error_message=_("An outage is open until it has an end date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.alerts_waiting})"


class EscalationPending(models.Model):
    """The missed deadlines one supervisor has not been texted about yet. The run that marks
    a breach adds the alert here in the same transaction; the digest SMS that tells of it
    empties the list. Its row is locked while either happens, so two runs at once never text
    one person twice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="escalations_pending",
    )
    alert_ids = models.JSONField(_("alerts not yet texted"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("escalations waiting for a digest")
        verbose_name_plural = _("escalations waiting for a digest")

    def __str__(self) -> str:
        return f"{self.user_id}: {len(self.alert_ids)}"


class EscalationSMS(models.Model):
    """One digest of missed deadlines texted to a supervisor: what the digest period and the
    hourly cap count."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="escalation_sms",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    alert_count = models.PositiveIntegerField(_("alerts"), default=0)
    # {"1": 3, "2": 20}: how many of those alerts per priority.
    by_priority = models.JSONField(_("alerts per priority"), default=dict, blank=True)
    # The hourly cap was reached with this one: it said the next comes later.
    last_of_hour = models.BooleanField(_("last of the hour"), default=False)
    message = models.ForeignKey(
        "alerts.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )

    class Meta:
        verbose_name = _("escalation SMS")
        verbose_name_plural = _("escalation SMS")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["user", "-sent_at"], name="escalation_sms_user_sent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.sent_at:%Y-%m-%d %H:%M} ({self.alert_count})"
