"""Polls, their questions and answers, the SMS conversation each recipient is in, and the
interviews CLAs record in the field. No phone number or name is stored here: a conversation
knows its focal point (and the lookup hash of the number, for intake); a field interview knows
only the respondent's group and place."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import CHOICE_MAX_LENGTH, LANGUAGES, QUESTION_MAX_LENGTH, TITLE_MAX_LENGTH


class Group(models.TextChoices):
    WOMEN = "women", _("Women")
    YOUTH = "youth", _("Youth")
    MEN = "men", _("Men")
    ELDERS = "elders", _("Elders")
    DISPLACED = "displaced", _("Displaced people")


class Poll(models.Model):
    """A short questionnaire, sent once (one round); `previous_round` names the round of the
    same series it is compared with."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("previous round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_rounds",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    network_ids = models.JSONField(_("networks"), default=list, blank=True)
    location_ids = models.JSONField(_("places"), default=list, blank=True)
    focal_point_ids = models.JSONField(_("focal points"), default=list, blank=True)
    # The first question goes out as this broadcast (rate, opt-outs, at-risk, discreet mode).
    broadcast = models.OneToOneField(
        "alerts.Broadcast",
        verbose_name=_("broadcast"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="poll",
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
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", _("Numbered answers")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_fr = models.CharField(_("text in French"), max_length=QUESTION_MAX_LENGTH)
    text_sw = models.CharField(_("text in Swahili"), max_length=QUESTION_MAX_LENGTH, blank=True)
    text_ln = models.CharField(_("text in Lingala"), max_length=QUESTION_MAX_LENGTH, blank=True)
    text_en = models.CharField(_("text in English"), max_length=QUESTION_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "position"],
                name="poll_question_position",
                violation_error_message=_("This poll already has a question at this position."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text_fr}"

    def text_in(self, language: str) -> str:
        """The question in `language`, else in French."""
        if language in LANGUAGES:
            text = getattr(self, f"text_{language}")
            if text:
                return text
        return self.text_fr


class Choice(models.Model):
    """A numbered answer of a question ("1. Oui", "2. Non"); yes/no questions have 1 = yes and
    2 = no."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    label_fr = models.CharField(_("label in French"), max_length=CHOICE_MAX_LENGTH)
    label_sw = models.CharField(_("label in Swahili"), max_length=CHOICE_MAX_LENGTH, blank=True)
    label_ln = models.CharField(_("label in Lingala"), max_length=CHOICE_MAX_LENGTH, blank=True)
    label_en = models.CharField(_("label in English"), max_length=CHOICE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"],
                name="poll_choice_number",
                violation_error_message=_("This question already has an answer with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label_fr}"

    def label_in(self, language: str) -> str:
        if language in LANGUAGES:
            label = getattr(self, f"label_{language}")
            if label:
                return label
        return self.label_fr


class Conversation(models.Model):
    """One recipient's way through a poll by SMS: the question they were last asked, until
    they answer the last one or the conversation expires."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        DONE = "done", _("Every question answered")
        STOPPED = "stopped", _("Stopped")

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="conversations"
    )
    focal_point = models.ForeignKey(
        "networks.FocalPoint",
        verbose_name=_("focal point"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    phone_hash = models.CharField(max_length=64, editable=False)
    language = models.CharField(_("language"), max_length=2)
    question = models.ForeignKey(
        Question, verbose_name=_("question asked"), on_delete=models.CASCADE, related_name="+"
    )
    asked = models.PositiveSmallIntegerField(_("questions asked"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    stop_reason = models.CharField(_("why stopped"), max_length=20, blank=True)
    group = models.CharField(_("group"), max_length=10, choices=Group.choices, blank=True)
    location = models.ForeignKey(
        "networks.Location",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    territory = models.ForeignKey(
        "networks.Location",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("SMS conversation")
        verbose_name_plural = _("SMS conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "focal_point"],
                name="poll_conversation_once",
                violation_error_message=_(
                    "This focal point already has a conversation in this poll."
                ),
            )
        ]
        # Intake's one lookup: the open conversation of a number.
        indexes = [
            models.Index(
                fields=["phone_hash", "expires_at"],
                condition=Q(state="open"),
                name="poll_conversation_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.poll} · {self.focal_point_id}"


class Interview(models.Model):
    """One respondent a CLA asked the poll in the field: their group and place, no name."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="interviews"
    )
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    location = models.ForeignKey(
        "networks.Location",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    territory = models.ForeignKey(
        "networks.Location",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("field interview")
        verbose_name_plural = _("field interviews")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.poll} · {self.get_group_display()}"


class Response(models.Model):
    """One answer to one question, by SMS (a conversation) or in the field (an interview)."""

    class Source(models.TextChoices):
        SMS = "sms", _("SMS")
        FIELD = "field", _("Field interview")

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="responses"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="responses"
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responses",
    )
    text = models.TextField(_("free answer"), blank=True)
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    group = models.CharField(_("group"), max_length=10, choices=Group.choices, blank=True)
    location = models.ForeignKey(
        "networks.Location",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    territory = models.ForeignKey(
        "networks.Location",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The answer also reported violence: it made an alert as well.
    reports_violence = models.BooleanField(_("reported violence"), default=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        ordering = ["poll", "question", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "question"],
                condition=Q(conversation__isnull=False),
                name="poll_response_once_per_conversation",
                violation_error_message=_(
                    "This question is already answered in this conversation."
                ),
            ),
            models.UniqueConstraint(
                fields=["interview", "question"],
                condition=Q(interview__isnull=False),
                name="poll_response_once_per_interview",
                violation_error_message=_("This question is already answered in this interview."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} · {self.choice or self.text[:40]}"
