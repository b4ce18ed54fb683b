"""The people side of Kengele: places, Community Alert Networks, focal points and their history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField


class Location(models.Model):
    """A node of the gazetteer: province > territory > chiefdom/sector > groupement > village."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        TERRITORY = "territory", _("Territory")
        CHIEFDOM = "chiefdom", _("Chiefdom")
        SECTOR = "sector", _("Sector")
        GROUPEMENT = "groupement", _("Groupement")
        VILLAGE = "village", _("Village")
        LOCALITY = "locality", _("Locality")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    alternate_names = models.JSONField(
        _("alternate names"),
        default=list,
        blank=True,
        help_text=_("Other spellings, as a list (e.g. Mbawu for Mbau)."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name", "kind"],
                name="location_unique_name_in_parent",
                violation_error_message=_(
                    "A place of this name already exists in the same parent place."
                ),
            ),
            models.UniqueConstraint(
                fields=["name", "kind"],
                condition=Q(parent__isnull=True),
                name="location_unique_root_name",
                violation_error_message=_("A top-level place of this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
                violation_error_message=_("The latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
                violation_error_message=_("The longitude must be between -180 and 180."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor(self, kind: str) -> "Location | None":
        node: Location | None = self
        while node is not None:
            if node.kind == kind:
                return node
            node = node.parent
        return None

    @property
    def path(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))


class Network(models.Model):
    """A Community Alert Network (CAN): the focal points around one base."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    area = models.ManyToManyField(
        Location, verbose_name=_("area served"), blank=True, related_name="networks_serving"
    )
    base = models.ForeignKey(
        Location,
        verbose_name=_("base"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="networks_based",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    dormant_since = models.DateField(_("dormant since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cla = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("CLA responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="networks_responsible",
    )
    discreet = models.BooleanField(
        _("discreet by default"),
        default=False,
        help_text=_(
            "Its focal points get SMS in neutral wording, naming neither Kengele, alerts nor "
            "the mission, unless their own setting says otherwise (a phone may be searched)."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("network (CAN)")
        verbose_name_plural = _("networks (CANs)")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="network_closed_has_date",
                violation_error_message=_("A closed network needs its closing date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FocalPoint(models.Model):
    """A trusted person who sends alerts. Name and phone are encrypted at rest."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        SWAHILI = "sw", _("Swahili")
        LINGALA = "ln", _("Lingala")
        ENGLISH = "en", _("English")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNDISCLOSED = "undisclosed", _("Not given")

    class AgeBand(models.TextChoices):
        UNDER_25 = "18-24", _("18–24")
        FROM_25 = "25-34", _("25–34")
        FROM_35 = "35-49", _("35–49")
        FROM_50 = "50-64", _("50–64")
        OVER_65 = "65+", _("65 and over")
        UNKNOWN = "unknown", _("Unknown")

    class Role(models.TextChoices):
        CHIEF = "chief", _("Customary chief")
        TEACHER = "teacher", _("Teacher")
        WOMEN = "women_association", _("Women's association")
        YOUTH = "youth", _("Youth representative")
        RELIGIOUS = "religious_leader", _("Religious leader")
        HEALTH = "health_worker", _("Health worker")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        DISPLACED = "displaced", _("Displaced people's representative")
        TRADER = "trader", _("Trader")
        OTHER = "other", _("Other")

    name = EncryptedTextField(_("name"))
    phone = EncryptedTextField(_("phone"), help_text=_("E.164, e.g. +243991234567"))
    phone_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("phone number fingerprint")
    )
    phone_alt = EncryptedTextField(_("second phone"), blank=True)
    phone_alt_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        verbose_name=_("second number fingerprint"),
    )
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    role = models.CharField(
        _("role in the community"), max_length=20, choices=Role.choices, default=Role.OTHER
    )
    home_location = models.ForeignKey(
        Location,
        verbose_name=_("home location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="focal_points",
    )
    consent_at = models.DateField(_("consent date"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # None: as their networks (discreet if any of them is). See selectors.focal_point_discreet.
    discreet = models.BooleanField(
        _("discreet mode"),
        null=True,
        blank=True,
        choices=[
            (None, _("As their networks")),
            (True, _("Discreet")),
            (False, _("Standard")),
        ],
        help_text=_(
            "Discreet: every SMS to this person is in neutral wording, naming neither Kengele, "
            "alerts nor the mission. Wins over their networks' setting."
        ),
    )
    # Set when someone reports a threat against them for reporting: broadcasts to them pause
    # until a supervisor clears it (networks.services).
    at_risk_since = models.DateTimeField(_("at risk since"), null=True, blank=True)
    at_risk_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked at risk by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at_risk_reason = models.CharField(_("why at risk"), max_length=200, blank=True)
    # Free text about a person (who they are, how to reach them): encrypted like the name.
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["id"]
        indexes = [models.Index(fields=["active", "home_location"])]

    def __str__(self) -> str:
        # Never the name: str() ends up in clear text in logs and in the admin's history table,
        # which would undo the encryption at rest.
        return (
            gettext("Focal point #%(id)s") % {"id": self.pk}
            if self.pk
            else gettext("New focal point")
        )

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    @property
    def at_risk(self) -> bool:
        return self.at_risk_since is not None


class Membership(models.Model):
    """A focal point's time in a network. Leaving ends a membership; it is never deleted."""

    focal_point = models.ForeignKey(
        FocalPoint,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("focal point"),
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("network")
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["focal_point", "network"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_network",
                violation_error_message=_(
                    "This focal point is already a current member of this network."
                ),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_(
                    "A member cannot leave before joining: the date left comes on or after "
                    "the date joined."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.focal_point_id} ∈ {self.network} ({self.joined_on}–{self.left_on or ''})"

    @property
    def is_open(self) -> bool:
        return self.left_on is None


class Equipment(models.Model):
    """What the mission gave a focal point. Airtime gaps are why networks go quiet."""

    class Kind(models.TextChoices):
        SIM = "sim", _("SIM card")
        HANDSET = "handset", _("Handset")
        RADIO = "radio", _("Radio")
        AIRTIME = "airtime", _("Airtime top-up")
        SOLAR_CHARGER = "solar_charger", _("Solar charger")

    focal_point = models.ForeignKey(
        FocalPoint,
        on_delete=models.PROTECT,
        related_name="equipment",
        verbose_name=_("focal point"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    given_on = models.DateField(_("given on"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Airtime value (required for top-ups)."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    serial = EncryptedTextField(_("serial or SIM number"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # About one person's phone or SIM, so possibly a number: encrypted like the serial.
    notes = EncryptedTextField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["-given_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="airtime") | Q(amount__gt=0),
                name="equipment_airtime_has_amount",
                violation_error_message=_("Airtime needs an amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on}"


class AuditQuerySet(models.QuerySet):
    """The audit trail is written once: no bulk update or delete from the application."""

    def update(self, **kwargs):
        raise ValueError("audit entries cannot be changed")

    def delete(self):
        raise ValueError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did or saw what, when, from where. Never the names or numbers themselves: targets are
    ids, and details hold filters, counts and field names, not values."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGOUT = "logout", _("Logged out")
        IDENTITY_VIEWED = "identity_viewed", _("Names and numbers shown")
        IDENTITY_LIMIT = "identity_limit", _("Too many names and numbers asked: refused")
        FOCAL_POINT_CHANGED = "focal_point_changed", _("Focal point changed")
        MEMBERSHIP_CHANGED = "membership_changed", _("Membership changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        EXPORT = "export", _("Export")
        AT_RISK_MARKED = "at_risk_marked", _("Focal point marked at risk")
        AT_RISK_CLEARED = "at_risk_cleared", _("Focal point no longer at risk")
        KEY_ROTATED = "key_rotated", _("Encryption key rotated")
        RETENTION_PURGE = "retention_purge", _("Old messages purged")
        CLA_HANDOVER = "cla_handover", _("CLA's work handed over")

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # deactivate people instead: their trail stays theirs
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    target_type = models.CharField(
        _("object type"), max_length=60, blank=True, help_text=_("e.g. networks.focalpoint")
    )
    # ",12,34," so that one id is found with a plain `contains` on every database.
    target_ids = models.TextField(_("object ids"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at"]),
            models.Index(fields=["action", "-at"]),
            models.Index(fields=["actor", "-at"]),
            models.Index(fields=["target_type", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries cannot be deleted")

    @property
    def target_id_list(self) -> list[str]:
        return [part for part in self.target_ids.split(",") if part]
