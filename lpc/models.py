"""Local Protection Committees: who sits on them, their meetings, action points and alerts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES
from networks.models import FocalPoint, Location

from .constants import ATTENDANCE_FIELDS, MAX_ATTENDANCE


def _validate_codes(value, allowed: tuple[str, ...], message) -> None:
    if not isinstance(value, list) or any(not isinstance(code, str) for code in value):
        raise ValidationError(_("Give a list of codes."), code="not_a_list")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValidationError(
            message, code="unknown_code", params={"codes": ", ".join(unknown[:5])}
        )


def validate_categories(value) -> None:
    _validate_codes(value, CATEGORY_CODES, _("Unknown category: %(codes)s."))


def validate_risk_factors(value) -> None:
    _validate_codes(value, RISK_FACTOR_CODES, _("Unknown risk factor: %(codes)s."))


def _head_count(label) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label, default=0, validators=[MaxValueValidator(MAX_ATTENDANCE)]
    )


class LPC(models.Model):
    """A Local Protection Committee: community members who meet to assess and prevent threats."""

    class Kind(models.TextChoices):
        MISSION = "mission", _("Convened by the mission")
        COMMUNITY = "community", _("Founded by the community")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        DISSOLVED = "dissolved", _("Dissolved")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MISSION)
    places = models.ManyToManyField(
        Location, verbose_name=_("places covered"), blank=True, related_name="lpcs"
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    cla = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supporting CLA"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lpcs_supported",
    )
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("local protection committee")
        verbose_name_plural = _("local protection committees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LPCMember(models.Model):
    """A person sitting on a committee. The name and community are encrypted at rest."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("President")
        VICE_PRESIDENT = "vice_president", _("Vice-president")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")
        ADVISER = "adviser", _("Adviser")
        MEMBER = "member", _("Member")

    class Group(models.TextChoices):
        WOMEN = "women", _("Women's association")
        YOUTH = "youth", _("Youth")
        ELDERS = "elders", _("Elders")
        CUSTOMARY = "customary", _("Customary authority")
        RELIGIOUS = "religious", _("Religious leaders")
        DISPLACED = "displaced", _("Displaced people")
        DISABILITY = "disability", _("People with disabilities")
        COMMUNITY = "community", _("A community")

    lpc = models.ForeignKey(
        LPC, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    name = EncryptedTextField(_("name"))
    role = models.CharField(
        _("role in the committee"), max_length=16, choices=Role.choices, default=Role.MEMBER
    )
    gender = models.CharField(
        _("gender"),
        max_length=12,
        choices=FocalPoint.Gender.choices,
        default=FocalPoint.Gender.UNDISCLOSED,
    )
    age_band = models.CharField(
        _("age band"),
        max_length=8,
        choices=FocalPoint.AgeBand.choices,
        default=FocalPoint.AgeBand.UNKNOWN,
    )
    group = models.CharField(
        _("group represented"),
        max_length=12,
        choices=Group.choices,
        blank=True,
        help_text=_("Optional and sensitive: only admins and CLAs see it."),
    )
    community_name = EncryptedTextField(
        _("community"), blank=True, help_text=_("Which community, when the group is a community.")
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["lpc", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="lpcmember_left_after_joined",
                violation_error_message=_("A member cannot leave before joining."),
            ),
        ]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and in the admin's history in clear text.
        return gettext("Member #%(id)s") % {"id": self.pk} if self.pk else gettext("New member")

    def clean(self) -> None:
        errors = {}
        if self.group == self.Group.COMMUNITY and not (self.community_name or "").strip():
            errors["community_name"] = _("Name the community this member represents.")
        if self.group != self.Group.COMMUNITY and (self.community_name or "").strip():
            errors["community_name"] = _("A community is named only for the group “a community”.")
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("A member cannot leave before joining.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class LPCMeeting(models.Model):
    """One meeting of a committee: who came, what risks were discussed, what was decided."""

    lpc = models.ForeignKey(
        LPC, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    place = models.ForeignKey(
        Location,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lpc_meetings",
    )
    women_youth = _head_count(_("women under 35"))
    women_adults = _head_count(_("women 35–64"))
    women_elders = _head_count(_("women 65 and over"))
    men_youth = _head_count(_("men under 35"))
    men_adults = _head_count(_("men 35–64"))
    men_elders = _head_count(_("men 65 and over"))
    members_present = models.ManyToManyField(
        LPCMember, verbose_name=_("members present"), blank=True, related_name="meetings_attended"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    categories = models.JSONField(
        _("risks discussed"), default=list, blank=True, validators=[validate_categories]
    )
    risk_factors = models.JSONField(
        _("risk factors"), default=list, blank=True, validators=[validate_risk_factors]
    )
    decisions = models.TextField(_("decisions"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lpc", "held_on"],
                name="lpcmeeting_one_per_day",
                violation_error_message=_("This committee already has a meeting on this day."),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0, f"{field}__lte": MAX_ATTENDANCE}),
                    name=f"lpcmeeting_{field}_range",
                    violation_error_message=_("A head count is a whole number from 0."),
                )
                for field in ATTENDANCE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lpc} · {self.held_on}"

    @property
    def attendance(self) -> dict[str, int]:
        return {field: getattr(self, field) for field in ATTENDANCE_FIELDS}

    @property
    def attendance_total(self) -> int:
        return sum(self.attendance.values())


class ActionPoint(models.Model):
    """Something a meeting decided to do, by whom and by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(
        LPCMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="action_points",
    )
    description = models.TextField(_("description"))
    owner = EncryptedTextField(
        _("owner"), blank=True, help_text=_("Who carries it: a role or a person.")
    )
    # The meeting's date, kept here so the database itself can refuse a due date before it.
    opened_on = models.DateField(_("opened on"), editable=False)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    follow_up = models.TextField(_("follow-up notes"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("opened_on")),
                name="actionpoint_due_after_meeting",
                violation_error_message=_("The due date cannot be before the meeting."),
            ),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_on__isnull=False))
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="actionpoint_done_has_date",
                violation_error_message=_(
                    "An action point done has the date it was done; any other has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_on__gte=F("opened_on")),
                name="actionpoint_done_after_meeting",
                violation_error_message=_("An action point cannot be done before the meeting."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Action point #%(id)s") % {"id": self.pk} if self.pk else ""

    def clean(self) -> None:
        opened = self.meeting.held_on if self.meeting_id else self.opened_on
        errors = {}
        if opened and self.due_on and self.due_on < opened:
            errors["due_on"] = ValidationError(
                _("The due date cannot be before the meeting (%(date)s)."),
                code="due_before_meeting",
                params={"date": opened},
            )
        if opened and self.done_on and self.done_on < opened:
            errors["done_on"] = ValidationError(
                _("An action point cannot be done before the meeting (%(date)s)."),
                code="done_before_meeting",
                params={"date": opened},
            )
        if errors:
            raise ValidationError(errors)


class MeetingAlert(models.Model):
    """An alert raised from a meeting: the alert itself has no meeting, this keeps the link."""

    meeting = models.ForeignKey(
        LPCMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="alert_links",
    )
    alert = models.OneToOneField(
        "alerts.Alert",
        verbose_name=_("alert"),
        on_delete=models.CASCADE,
        related_name="lpc_meeting_link",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert raised from a meeting")
        verbose_name_plural = _("alerts raised from meetings")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.alert_id}"
