"""Alerts and the messages around them (inbound SMS, replies, acknowledgements), and intake data."""

from string import Formatter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedBytesField, EncryptedJSONField, EncryptedTextField
from core.redact import NumbersMaskedCharField

from .discreet import revealing_words

# Statuses of an alert someone still has to deal with.
OPEN_STATUSES = ("new", "triaged", "acknowledged", "verified", "unverified", "escalated")


class Alert(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        VERIFIED = "verified", _("Verified")
        UNVERIFIED = "unverified", _("Unverified")
        FALSE_ALARM = "false_alarm", _("False alarm")
        ESCALATED = "escalated", _("Escalated")
        CLOSED = "closed", _("Closed")
        DISMISSED = "dismissed", _("Dismissed")

    class Source(models.TextChoices):
        SMS = "sms", _("SMS")
        VOICE = "voice", _("Voice call")
        MISSED_CALL = "missed_call", _("Missed call")
        WEB = "web", _("Web")
        LPC = "lpc", _("Local Protection Committee")
        CLA = "cla", _("Community Liaison Assistant")
        RADIO = "radio", _("HF radio (typed in by an operator)")
        PHONE = "phone", _("Phone call (typed in by an operator)")
        IN_PERSON = "in_person", _("In person (typed in by an operator)")
        TOWN_HALL = "town_hall", _("Town hall meeting")

    # Alerts people raise by hand (a committee, a CLA, an operator taking a call, a radio
    # message or a visit): no phone number came with them, so nobody to answer by SMS.
    RAISED_BY_HAND = ("lpc", "cla", "web", "phone", "radio", "in_person", "town_hall")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        SWAHILI = "sw", _("Swahili")
        LINGALA = "ln", _("Lingala")
        ENGLISH = "en", _("English")
        UNDETERMINED = "und", _("Undetermined")

    class Outcome(models.TextChoices):
        """What checking the alert found; kept when it is later escalated or closed."""

        VERIFIED = "verified", _("Verified")
        UNVERIFIED = "unverified", _("Unverified")
        FALSE_ALARM = "false_alarm", _("False alarm")

    OPEN_STATUSES = OPEN_STATUSES

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    risk_factors = models.JSONField(_("risk factors"), default=list, blank=True)
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, default=Language.UNDETERMINED
    )
    text = models.TextField(_("text"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    reporter = models.ForeignKey(
        "networks.FocalPoint",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    sender_known = models.BooleanField(_("sender known"), default=False)
    # Who reported it when that person is not a registered focal point (an alert an operator
    # typed in from a radio call, a phone call or a visit). Personal data: encrypted.
    reporter_name = EncryptedTextField(_("reporter (as given)"), blank=True)
    # The number that sent it, kept (encrypted) so an unknown sender can be answered.
    sender = EncryptedTextField(_("sender number"), blank=True)
    sender_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("sender fingerprint")
    )
    location = models.ForeignKey(
        "networks.Location",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    location_is_fallback = models.BooleanField(_("place is the reporter's home"), default=False)
    incident = models.ForeignKey(
        "triage.Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_alerts",
        db_index=False,  # covered by a composite index, or rarely searched
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_alerts",
        db_index=False,  # covered by a composite index, or rarely searched
        verbose_name=_("being handled by"),
    )
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("handled since"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_alerts",
        db_index=False,  # covered by a composite index, or rarely searched
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    flooded = models.BooleanField(_("flooding sender"), default=False)
    # The reporter wrote again and no analyst has read it yet: the queue shows the alert up.
    new_message_at = models.DateTimeField(_("new message"), null=True, blank=True)
    # The alert this one follows: a text in a thread about another event, or a text that
    # came after the thread's alert was closed.
    thread_parent = models.ForeignKey(
        "self",
        verbose_name=_("follows"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followers",
    )
    category_hint = models.CharField(_("keypad category"), max_length=30, blank=True)
    call_sid = models.CharField(
        max_length=64, null=True, blank=True, unique=True, verbose_name=_("call identifier")
    )
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    recording_duration = models.PositiveIntegerField(_("recording seconds"), null=True, blank=True)
    callback_requested_at = models.DateTimeField(_("call back requested"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("called back"), null=True, blank=True)
    explanation = models.JSONField(_("triage explanation"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("queued for triage"))
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Its earliest SMS reply's time, kept by Message.save: the statistics' time to first
    # reply, read without joining every reply of the period.
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True, editable=False)
    sla_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    sla_escalated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("deadline missed at")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))
    # When anything in the row last changed, whoever wrote it: on PostgreSQL a trigger sets it
    # on every insert and update (QuerySet.update included), so the queue asks one index "has
    # anything changed since?" instead of drawing itself again (dashboard queue polling).
    changed_at = models.DateTimeField(auto_now=True, editable=False, verbose_name=_("last change"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "priority", "sla_due_at"]),
            models.Index(fields=["-received_at"]),
            models.Index(fields=["-changed_at"], name="alert_changed_at"),
            models.Index(fields=["sender_hash", "-received_at"]),
            models.Index(fields=["assignee", "status"]),
            # The sweeper's question every 30 s: which alerts has triage not reached yet?
            models.Index(
                fields=["received_at"], condition=Q(triaged_at__isnull=True), name="alert_untriaged"
            ),
            models.Index(fields=["reporter", "outcome"]),
            # The open queue's first page, in its order (alerts.selectors.QUEUE_ORDER), without
            # sorting every open alert: 1.9 s → 0.14 s on a million alerts (bench/README.md).
            models.Index(
                F("priority").asc(nulls_first=True),
                F("sla_due_at").asc(nulls_last=True),
                F("received_at").desc(),
                F("id").desc(),
                condition=Q(status__in=OPEN_STATUSES),
                name="alert_open_queue",
            ),
            # The statistics (triage.stats) read the period's alerts from this index alone:
            # 100 MB a million alerts instead of the table's 1 GB. Its columns are keys rather
            # than INCLUDE so that SQLite takes it as it is; PostgreSQL keeps in the index's
            # inner pages only what tells entries apart, so it is no larger.
            models.Index(
                fields=[
                    "received_at",
                    "priority",
                    "source",
                    "location",
                    "reporter",
                    "incident",
                    "acknowledged_at",
                    "closed_at",
                    "first_reply_at",
                    "categories",
                ],
                condition=~Q(status="dismissed"),
                name="alert_stats",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__gte=1, priority__lte=4),
                name="alert_priority_1_to_4",
                violation_error_message=_("The priority is 1, 2, 3 or 4."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def raised_by_hand(self) -> bool:
        """Raised by a person on the dashboard or the field apps, not texted or rung in."""
        return self.source in self.RAISED_BY_HAND

    @property
    def reference(self) -> str:
        """Human reference, e.g. A-2026-00123: the year received and the alert's number."""
        if not self.pk:
            return ""
        return f"A-{timezone.localtime(self.received_at):%Y}-{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class AlertEvent(models.Model):
    """One line of an alert's history: a status change, a correction of a triage decision, an
    assignment, a claim, a deadline breach... Written once, never edited or deleted."""

    class Kind(models.TextChoices):
        TRIAGED = "triaged", _("Triaged")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority corrected")
        CATEGORIES = "categories", _("Categories corrected")
        RISK_FACTORS = "risk_factors", _("Risk factors corrected")
        LANGUAGE = "language", _("Language corrected")
        LOCATION = "location", _("Place corrected")
        ASSIGNED = "assigned", _("Assigned")
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released")
        SLA_BREACHED = "sla_breached", _("Deadline missed")
        INCIDENT_LINKED = "incident_linked", _("Grouped into an incident")
        INCIDENT_MERGED = "incident_merged", _("Incidents merged")
        INCIDENT_SPLIT = "incident_split", _("Split from its incident")
        ESCALATED_TO = "escalated_to", _("Escalated to a response unit")
        CALLED_BACK = "called_back", _("Called back")
        NOTE = "note", _("Note")
        NEW_MESSAGE = "new_message", _("New message from the reporter")
        FOLLOW_UP = "follow_up", _("Follow-up alert opened")
        MESSAGE_READ = "message_read", _("New message read")
        REVEALING_REPLY = "revealing_reply", _("Revealing words sent to a discreet reporter")
        INFORMANT_THREAT = "informant_threat", _("Reporter threatened: supervisors told")
        DEPLOYMENT_SENT = "deployment_sent", _("Joint team or mission sent")
        DEPLOYMENT_FINDINGS = "deployment_findings", _("Findings of the team or mission")
        REPORTER_TOLD = "reporter_told", _("Reporter told what was done")
        AREA_TOLD = "area_told", _("Message to the area's networks prepared")

    # Kinds that change a decision the triage engine made: they count against its accuracy.
    CORRECTIONS = ("priority", "categories", "risk_factors", "language", "location")

    alert = models.ForeignKey(
        Alert,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # the (alert, at) index serves it
        verbose_name=_("alert"),
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
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert history entry")
        verbose_name_plural = _("alert history")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["alert", "at"]),
            models.Index(fields=["kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("alert history entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("alert history entries cannot be deleted")


class Message(models.Model):
    """One SMS in or out. Inbound rows keep the raw provider request (encrypted)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PENDING = "pending", _("Pending")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Undelivered")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        KEYWORD = "keyword", _("Keyword")
        REPLY = "reply", _("Analyst reply")
        BROADCAST = "broadcast", _("Broadcast")
        NOTICE = "notice", _("Notice")
        ANSWER = "answer", _("Poll answer")

    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,  # the (alert, created_at) index serves it
        verbose_name=_("alert"),
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALERT)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    error_code = models.CharField(_("error code"), max_length=12, blank=True)
    # The provider's words, which may quote the number: stored with long digit runs masked.
    error_message = NumbersMaskedCharField(
        max_length=300, blank=True, verbose_name=_("error message")
    )
    segments = models.PositiveSmallIntegerField(_("segments"), default=1)
    provider_sid = models.CharField(
        max_length=64, null=True, blank=True, unique=True, verbose_name=_("provider identifier")
    )
    # The other party: From on inbound, To on outbound. Encrypted, with a hash for lookups.
    peer = EncryptedTextField(_("number"), blank=True)
    peer_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("correspondent fingerprint")
    )
    our_number = models.CharField(max_length=40, blank=True, verbose_name=_("our number"))
    focal_point = models.ForeignKey(
        "networks.FocalPoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("focal point"),
    )
    # Links to pictures sent with the text: what they show may identify the sender.
    media_urls = EncryptedJSONField(default=list, blank=True, verbose_name=_("attachments"))
    raw = EncryptedJSONField(null=True, blank=True, verbose_name=_("provider data"))
    # The automatic answer given in TwiML (acknowledgement, keyword confirmation), if any.
    auto_reply = models.TextField(blank=True, verbose_name=_("automatic reply"))
    flooded = models.BooleanField(default=False, verbose_name=_("flooding sender"))
    # A reporter's text that joined an existing alert's thread and that triage has not read
    # yet (a text that makes its own alert is triaged with that alert).
    triage_pending = models.BooleanField(default=False, verbose_name=_("awaiting triage"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_messages",
        db_index=False,  # covered by a composite index, or rarely searched
        verbose_name=_("sent by"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("sending attempts"))
    status_callback = models.URLField(
        max_length=300, blank=True, verbose_name=_("delivery report address")
    )
    # The provider's copy (text and number): when its deletion was last queued, and when the
    # provider confirmed it gone (alerts.services.provider_copies).
    provider_delete_queued_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("deletion at the provider asked")
    )
    provider_deleted_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("deleted at the provider")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["peer_hash", "-created_at"]),
            models.Index(fields=["alert", "created_at"]),
            models.Index(fields=["direction", "status"]),
            # The statistics' "heard from" question, by period: who wrote, read from the
            # index alone.
            models.Index(
                fields=["created_at", "focal_point"],
                condition=Q(direction="inbound"),
                name="message_inbound_created",
            ),
            # The sweeper's question for threads: which texts has triage not read yet?
            models.Index(
                fields=["created_at"], condition=Q(triage_pending=True), name="message_untriaged"
            ),
            # The provider-copy sweep's question: which messages does the provider still hold?
            models.Index(
                fields=["created_at"],
                condition=Q(provider_deleted_at__isnull=True, provider_sid__isnull=False),
                name="message_provider_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.status} #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        adding = self.pk is None  # the id is the database's: a row without one is new
        super().save(*args, **kwargs)
        if adding and self.is_reply and self.alert_id is not None:
            # Replies are only ever added (never moved to another alert nor deleted): keeping
            # the earliest one's time on the alert is enough to keep it right.
            Alert.objects.filter(pk=self.alert_id).filter(
                Q(first_reply_at__isnull=True) | Q(first_reply_at__gt=self.created_at)
            ).update(first_reply_at=self.created_at)

    @property
    def is_reply(self) -> bool:
        return self.direction == self.Direction.OUTBOUND and self.kind == self.Kind.REPLY


class SendAttempt(models.Model):
    """Each try at handing an outbound SMS to the provider."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="send_attempts", verbose_name=_("message")
    )
    attempted_at = models.DateTimeField(default=timezone.now, verbose_name=_("attempted"))
    succeeded = models.BooleanField(default=False, verbose_name=_("succeeded"))
    http_status = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("provider answer code")
    )
    error_code = models.CharField(max_length=12, blank=True, verbose_name=_("error code"))
    error_message = NumbersMaskedCharField(
        max_length=300, blank=True, verbose_name=_("error message")
    )
    permanent = models.BooleanField(default=False, verbose_name=_("permanent failure"))

    class Meta:
        verbose_name = _("sending attempt")
        verbose_name_plural = _("sending attempts")
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"attempt {self.pk} ({'ok' if self.succeeded else self.error_code or 'error'})"


class Recording(models.Model):
    """A call's voice message, copied from the provider and kept here encrypted (a voice
    identifies its speaker); the provider's copy is deleted once this one is stored."""

    alert = models.OneToOneField(
        Alert, on_delete=models.CASCADE, related_name="recording", verbose_name=_("alert")
    )
    provider_url = models.URLField(max_length=500, verbose_name=_("address at the provider"))
    audio = EncryptedBytesField(blank=True, editable=False, verbose_name=_("audio"))
    content_type = models.CharField(max_length=40, blank=True, verbose_name=_("audio format"))
    size = models.PositiveIntegerField(default=0, verbose_name=_("size (bytes)"))
    fetched_at = models.DateTimeField(null=True, blank=True, verbose_name=_("fetched"))
    provider_delete_queued_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("deletion at the provider asked")
    )
    provider_deleted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("deleted at the provider")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(provider_deleted_at__isnull=True),
                name="recording_provider_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"recording of alert {self.alert_id}"


class OptOut(models.Model):
    """A number that asked for no more SMS (any sender, known or not)."""

    phone_hash = models.CharField(
        max_length=64, unique=True, verbose_name=_("phone number fingerprint")
    )
    opted_out_at = models.DateTimeField(default=timezone.now, verbose_name=_("opted out"))
    keyword = models.CharField(max_length=30, blank=True, verbose_name=_("keyword sent"))

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"opt-out {self.opted_out_at:%Y-%m-%d}"


class Keyword(models.Model):
    """Words that act on the subscription instead of raising an alert. Data, not code."""

    class Action(models.TextChoices):
        OPT_OUT = "opt_out", _("Stop messages")
        OPT_IN = "opt_in", _("Resume messages")
        HELP = "help", _("Help")

    word = models.CharField(
        _("word"), max_length=30, unique=True, help_text=_("Upper case, no accents.")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    language = models.CharField(_("language"), max_length=2, blank=True)
    # Safe by default: a word that may mean "help us" (AIDE, MSAADA, ARRETEZ...) makes an alert
    # instead of acting; only a word that can never be a cry for help acts as a command.
    may_be_plea = models.BooleanField(
        _("may be a plea"),
        default=True,
        help_text=_(
            "Alone in a message, this word may be a cry for help: the message makes an alert "
            "(and a help keyword still sends its instructions). Untick only for a word that "
            "can never mean 'help us' or 'stop them'."
        ),
    )

    class Meta:
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")
        ordering = ["action", "word"]

    def __str__(self) -> str:
        return self.word


class ReplyText(models.Model):
    """Automatic texts (acknowledgements, keyword answers) per language, editable by admins:
    the standard wording, and the neutral one focal points in discreet mode get."""

    class Key(models.TextChoices):
        ACK = "ack", _("Alert acknowledgement")
        OPT_OUT = "opt_out", _("Opt-out confirmation")
        OPT_IN = "opt_in", _("Opt-in confirmation")
        HELP = "help", _("Help")

    # The only placeholder a discreet text may hold: the alert reference says "alert".
    DISCREET_PLACEHOLDERS = frozenset({"number"})

    key = models.CharField(_("purpose"), max_length=10, choices=Key.choices)
    language = models.CharField(_("language"), max_length=2)
    text = models.CharField(
        _("text"),
        max_length=320,
        help_text=_("{reference} is replaced by the alert reference."),
    )
    discreet_text = models.CharField(
        _("discreet text"),
        max_length=320,
        blank=True,
        help_text=_(
            "Sent instead to focal points in discreet mode, whose phone may be searched: "
            "neutral words that name neither Kengele, alerts nor the mission. {number} is "
            "replaced by a short number the person can match (the end of the alert's number)."
        ),
    )

    class Meta:
        verbose_name = _("automatic reply")
        verbose_name_plural = _("automatic replies")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"],
                name="replytext_one_per_language",
                violation_error_message=_("There is already a text of this kind in this language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.language}"

    def clean(self) -> None:
        words = revealing_words(self.discreet_text)
        if words:
            raise ValidationError(
                {
                    "discreet_text": ValidationError(
                        _("A discreet text may not say %(words)s."),
                        code="revealing",
                        params={"words": ", ".join(words)},
                    )
                }
            )
        try:
            names = {name for _t, name, _f, _c in Formatter().parse(self.discreet_text) if name}
        except ValueError:
            names = {"?"}
        if names - self.DISCREET_PLACEHOLDERS:
            raise ValidationError(
                {
                    "discreet_text": ValidationError(
                        _("The only placeholder a discreet text may hold is {number}."),
                        code="placeholder",
                    )
                }
            )


class VoicePrompt(models.Model):
    """What the voice menu says, per language. French and English are spoken by Twilio from
    the text; Swahili and Lingala need a recording (a generated placeholder until an admin
    uploads one). An uploaded recording is played in any language."""

    class Key(models.TextChoices):
        GREETING = "greeting", _("Greeting (known caller)")
        LANGUAGE_MENU = "language_menu", _("Language menu (unknown caller)")
        CATEGORY_MENU = "category_menu", _("What is happening (keypad menu)")
        RECORD = "record", _("Invitation to speak after the beep")
        THANKS = "thanks", _("Thanks at the end of the call")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        SWAHILI = "sw", _("Swahili")
        LINGALA = "ln", _("Lingala")
        ENGLISH = "en", _("English")

    key = models.CharField(_("purpose"), max_length=20, choices=Key.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    text = models.TextField(
        _("text"), help_text=_("Spoken by Twilio in French and English; a script elsewhere.")
    )
    audio = models.FileField(
        _("recording"),
        upload_to="voice/",
        blank=True,
        validators=[FileExtensionValidator(["mp3", "wav"])],
        help_text=_("MP3 or WAV, played instead of the text. Needed for Swahili and Lingala."),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("voice prompt")
        verbose_name_plural = _("voice prompts")
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"],
                name="voiceprompt_one_per_language",
                violation_error_message=_("There is already a recording for this language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.language}"


class Broadcast(models.Model):
    """A warning sent by SMS to every focal point of a selection (networks, places, people),
    each in their own language. Sent through Celery at the provider's rate; never twice."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    LANGUAGES = ("fr", "sw", "ln", "en")  # focal points' languages; French is the fallback

    title = models.CharField(_("title"), max_length=200)
    text_fr = models.TextField(_("text in French"))
    text_sw = models.TextField(_("text in Swahili"), blank=True)
    text_ln = models.TextField(_("text in Lingala"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    # What focal points in discreet mode get, in neutral words; without one in their language
    # they get the text above if it reveals nothing (alerts.discreet), else the French ones.
    discreet_text_fr = models.TextField(_("discreet text in French"), blank=True)
    discreet_text_sw = models.TextField(_("discreet text in Swahili"), blank=True)
    discreet_text_ln = models.TextField(_("discreet text in Lingala"), blank=True)
    discreet_text_en = models.TextField(_("discreet text in English"), blank=True)
    # The selection, as ids: focal points of these networks, living in these places (or below
    # them), and these people. Resolved again when sending, so exclusions are current.
    network_ids = models.JSONField(_("networks"), default=list, blank=True)
    location_ids = models.JSONField(_("places"), default=list, blank=True)
    focal_point_ids = models.JSONField(_("focal points"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True, verbose_name=_("recipients listed"))
    finished_at = models.DateTimeField(_("every SMS handed over"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    status_callback = models.URLField(
        max_length=300, blank=True, verbose_name=_("delivery report address")
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    # Focal points of the selection left out when sending, by reason (opted_out, ...).
    excluded = models.JSONField(_("left out"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def texts(self) -> dict[str, str]:
        return {language: getattr(self, f"text_{language}") for language in self.LANGUAGES}

    def discreet_texts(self) -> dict[str, str]:
        return {language: getattr(self, f"discreet_text_{language}") for language in self.LANGUAGES}

    def text_for(self, language: str, *, discreet: bool = False) -> tuple[str, str]:
        """The language and text a recipient speaking `language` gets: theirs, else French.
        In discreet mode: a discreet text, or a text that reveals nothing, theirs before
        French; ("", "") when every one of them would expose the recipient."""
        language = language if language in self.LANGUAGES else "fr"
        if not discreet:
            text = getattr(self, f"text_{language}").strip()
            return (language, text) if text else ("fr", self.text_fr.strip())
        for lang in dict.fromkeys((language, "fr")):
            for field in (f"discreet_text_{lang}", f"text_{lang}"):
                text = getattr(self, field).strip()
                if text and not revealing_words(text):
                    return lang, text
        return "", ""


class BroadcastRecipient(models.Model):
    """One focal point of a broadcast; at most one per broadcast, so a re-run never sends twice.
    Once its SMS is made, the delivery status is the message's own (pending, queued, sent...)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting its turn")
        HANDED = "handed", _("SMS made")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED = "skipped", _("Skipped")

    broadcast = models.ForeignKey(
        Broadcast,
        on_delete=models.PROTECT,
        related_name="recipients",
        db_index=False,  # the unique (broadcast, focal point) constraint serves it
        verbose_name=_("broadcast"),
    )
    focal_point = models.ForeignKey(
        "networks.FocalPoint",
        on_delete=models.PROTECT,
        related_name="broadcast_receipts",
        db_index=False,  # the (focal point, sent at) index serves it
        verbose_name=_("focal point"),
    )
    language = models.CharField(_("language"), max_length=2)
    segments = models.PositiveSmallIntegerField(_("segments"), default=1)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.WAITING, verbose_name=_("state")
    )
    skip_reason = models.CharField(max_length=20, blank=True, verbose_name=_("why skipped"))
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent"))
    message = models.OneToOneField(
        Message,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="broadcast_recipient",
        verbose_name=_("message"),
    )

    class Meta:
        verbose_name = _("broadcast recipient")
        verbose_name_plural = _("broadcast recipients")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "focal_point"],
                name="broadcastrecipient_once_per_broadcast",
                violation_error_message=_("This focal point already receives this broadcast."),
            )
        ]
        indexes = [
            # Who is still waiting, and when (sending, sweeping, the shared schedule).
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["broadcast", "state"]),
            # A reply from this focal point: the broadcast sent to them last.
            models.Index(fields=["focal_point", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id} → {self.focal_point_id} ({self.state})"


class BroadcastReply(models.Model):
    """An alert raised by an SMS a recipient sent back within the reply window."""

    broadcast = models.ForeignKey(
        Broadcast,
        on_delete=models.PROTECT,
        related_name="replies",
        db_index=False,  # the (broadcast, received at) index serves it
        verbose_name=_("broadcast"),
    )
    recipient = models.ForeignKey(
        BroadcastRecipient, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    alert = models.OneToOneField(
        Alert, on_delete=models.PROTECT, related_name="broadcast_reply", verbose_name=_("alert")
    )
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received"))

    class Meta:
        verbose_name = _("reply to a broadcast")
        verbose_name_plural = _("replies to broadcasts")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["broadcast", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.broadcast_id} ← {self.alert_id}"


# The units the first migration seeds, stored under their English names: shown in the reader's
# language. A unit an administrator adds or renames shows as written.
SEEDED_UNIT_NAMES = {
    "Force (military component)": _("Force (military component)"),
    "Police (UN police)": _("Police (UN police)"),
    "Civil Affairs": _("Civil Affairs"),
    "Human Rights": _("Human Rights"),
    "Child Protection": _("Child Protection"),
    "Humanitarian partner (OCHA)": _("Humanitarian partner (OCHA)"),
}


def unit_name_in_words(name: str) -> str:
    """A response unit's name in the active language when it is one of the seeded ones."""
    return str(SEEDED_UNIT_NAMES.get(name, name))


class ResponseUnit(models.Model):
    """Who an alert can be escalated to: a force, a section of the mission, a partner."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    contact = models.CharField(
        _("how to reach them"),
        max_length=300,
        blank=True,
        help_text=_("Radio channel, duty phone or e-mail, shown to analysts when escalating."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("response unit")
        verbose_name_plural = _("response units")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return unit_name_in_words(self.name)


class CannedReply(models.Model):
    """A ready answer an analyst can send to a reporter, in the reporter's language."""

    title = models.CharField(_("title"), max_length=80)
    language = models.CharField(
        _("language"), max_length=3, choices=Alert.Language.choices, default=Alert.Language.FRENCH
    )
    body = models.TextField(_("text"), max_length=1600)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "title"],
                name="canned_reply_title_unique",
                violation_error_message=_(
                    "A ready reply with this title already exists in this language."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
