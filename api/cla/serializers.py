"""The field-visits API: what it shows, and what a CLA's phone or script may send."""

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cla.constants import (
    ALERT_TEXT_MAX_LENGTH,
    MAX_FOLLOW_UPS_PER_VISIT,
    MAX_HANDOVER_NOTE,
    MAX_PEOPLE_MET,
    MAX_RECRUITS_PER_VISIT,
)
from cla.models import (
    CLAHandover,
    FieldVisit,
    FollowUp,
    Recruitment,
    VisitAlert,
    VisitEquipment,
)
from cla.services import EquipmentData, FollowUpData, RecruitData
from core.roles import mask_name, mask_phone
from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES
from lpc.models import LPC
from networks.models import Equipment, FocalPoint, Location, Network
from networks.services import phones_normalise

# --- Reading ---------------------------------------------------------------------------------


class RecruitmentSerializer(serializers.ModelSerializer):
    """A recruit; name and phone in clear only for the focal points the view was allowed to
    show (its context's `identities`, from networks.identities), masked otherwise."""

    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Recruitment
        fields = ["focal_point", "created", "network", "name", "phone"]
        read_only_fields = fields

    def _sees(self, recruitment: Recruitment) -> bool:
        return recruitment.focal_point_id in self.context.get("identities", ())

    def get_name(self, recruitment: Recruitment) -> str:
        name = recruitment.focal_point.name
        return name if self._sees(recruitment) else mask_name(name)

    def get_phone(self, recruitment: Recruitment) -> str:
        phone = recruitment.focal_point.phone
        return phone if self._sees(recruitment) else mask_phone(phone)


class VisitEquipmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="equipment.id", read_only=True)
    focal_point = serializers.IntegerField(source="equipment.focal_point_id", read_only=True)
    kind = serializers.CharField(source="equipment.kind", read_only=True)
    amount = serializers.DecimalField(
        source="equipment.amount", max_digits=10, decimal_places=2, read_only=True, allow_null=True
    )
    currency = serializers.CharField(source="equipment.currency", read_only=True)
    given_on = serializers.DateField(source="equipment.given_on", read_only=True)

    class Meta:
        model = VisitEquipment
        fields = ["id", "focal_point", "kind", "amount", "currency", "given_on"]


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "description", "due_on", "done_at", "assigned_to"]
        read_only_fields = fields
        extra_kwargs = {
            "assigned_to": {
                "help_text": _(
                    "The CLA it was handed to (user id); null: the CLA who made the visit."
                )
            }
        }


class VisitAlertSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="alert.id", read_only=True)
    reference = serializers.CharField(source="alert.reference", read_only=True)
    status = serializers.CharField(source="alert.status", read_only=True)
    priority = serializers.IntegerField(source="alert.priority", read_only=True, allow_null=True)

    class Meta:
        model = VisitAlert
        fields = ["id", "reference", "status", "priority"]


class FieldVisitSerializer(serializers.ModelSerializer):
    cla_username = serializers.CharField(source="cla.username", read_only=True)
    people_met = serializers.IntegerField(read_only=True)
    recruits = RecruitmentSerializer(source="recruitments", many=True, read_only=True)
    equipment = VisitEquipmentSerializer(source="equipment_given", many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    alerts = VisitAlertSerializer(source="alert_links", many=True, read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    risk_factors = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = FieldVisit
        fields = [
            "id",
            "cla",
            "cla_username",
            "visited_on",
            "places",
            "purpose",
            "women_met",
            "men_met",
            "others_met",
            "people_met",
            "organisations_met",
            "networks",
            "lpcs",
            "observations",
            "categories",
            "risk_factors",
            "recruits",
            "equipment",
            "follow_ups",
            "alerts",
            "idempotency_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- Writing ---------------------------------------------------------------------------------


class EquipmentInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in Equipment.Kind])
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    serial = serializers.CharField(max_length=60, required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if attrs["kind"] == Equipment.Kind.AIRTIME and not attrs.get("amount"):
            raise serializers.ValidationError({"amount": _("Airtime needs an amount above 0.")})
        return attrs


@extend_schema_field({"type": "string", "enum": list(FocalPoint.Role.values)})
class FocalPointRoleField(serializers.ChoiceField):
    """A focal point's role, described inline: the enum shared with the focal point API would
    otherwise collide in the schema with the committee members' roles."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=FocalPoint.Role.choices, **kwargs)


class RecruitInSerializer(serializers.Serializer):
    """Either `focal_point` (an id), or a `phone` (linked when registered) and, for someone new,
    a `name` and `consent`."""

    focal_point = serializers.PrimaryKeyRelatedField(
        queryset=FocalPoint.objects.all(), required=False, allow_null=True
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    consent = serializers.BooleanField(required=False, default=False)
    language = serializers.ChoiceField(
        choices=FocalPoint.Language.choices, default=FocalPoint.Language.FRENCH
    )
    gender = serializers.ChoiceField(
        choices=FocalPoint.Gender.choices, default=FocalPoint.Gender.UNDISCLOSED
    )
    age_band = serializers.ChoiceField(
        choices=FocalPoint.AgeBand.choices, default=FocalPoint.AgeBand.UNKNOWN
    )
    role = FocalPointRoleField(default=FocalPoint.Role.OTHER)
    home_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    network = serializers.PrimaryKeyRelatedField(
        queryset=Network.objects.all(), required=False, allow_null=True
    )
    equipment = EquipmentInSerializer(many=True, required=False, max_length=10)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("focal_point") is None:
            raw = (attrs.get("phone") or "").strip()
            if not raw:
                raise serializers.ValidationError(
                    {"phone": _("Give the recruit's phone, or an existing focal_point.")}
                )
            numbers, errors = phones_normalise(phone=raw)
            if errors:
                raise serializers.ValidationError({"phone": list(errors["phone"].messages)})
            attrs["phone"] = numbers["phone"]
        return attrs

    def to_data(self, attrs: dict) -> RecruitData:
        return RecruitData(
            focal_point=attrs.get("focal_point"),
            phone=attrs.get("phone", ""),
            name=(attrs.get("name") or "").strip(),
            consent=attrs.get("consent", False),
            language=attrs["language"],
            gender=attrs["gender"],
            age_band=attrs["age_band"],
            role=attrs["role"],
            home_location=attrs.get("home_location"),
            network=attrs.get("network"),
            equipment=tuple(
                EquipmentData(
                    kind=kit["kind"], amount=kit.get("amount"), serial=kit.get("serial", "")
                )
                for kit in attrs.get("equipment") or []
            ),
        )


class FollowUpInSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    due_on = serializers.DateField()


def _count_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE_MET, required=False)


class FieldVisitWriteSerializer(serializers.Serializer):
    """A visit as a CLA's phone sends it. The same idempotency_key twice stores one visit."""

    idempotency_key = serializers.UUIDField(
        help_text=_("Made by the client for each visit; sending it again never duplicates.")
    )
    visited_on = serializers.DateField()
    places = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), many=True, allow_empty=False
    )
    purpose = serializers.ChoiceField(
        choices=FieldVisit.Purpose.choices, default=FieldVisit.Purpose.NETWORK_SUPPORT
    )
    women_met = _count_field()
    men_met = _count_field()
    others_met = _count_field()
    organisations_met = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    networks = serializers.PrimaryKeyRelatedField(
        queryset=Network.objects.all(), many=True, required=False
    )
    lpcs = serializers.PrimaryKeyRelatedField(queryset=LPC.objects.all(), many=True, required=False)
    observations = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CATEGORY_CODES), required=False, max_length=20
    )
    risk_factors = serializers.ListField(
        child=serializers.ChoiceField(choices=RISK_FACTOR_CODES), required=False, max_length=20
    )
    recruits = RecruitInSerializer(many=True, required=False, max_length=MAX_RECRUITS_PER_VISIT)
    follow_ups = FollowUpInSerializer(
        many=True, required=False, max_length=MAX_FOLLOW_UPS_PER_VISIT
    )
    alert_text = serializers.CharField(
        max_length=ALERT_TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text=_("Raise an alert from the visit in the same request."),
    )
    alert_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data["recruits"] = [
            RecruitInSerializer().to_data(item) for item in data.get("recruits") or []
        ]
        data["follow_ups"] = [
            FollowUpData(description=item["description"], due_on=item["due_on"])
            for item in data.get("follow_ups") or []
        ]
        return data


class FieldVisitUpdateSerializer(FieldVisitWriteSerializer):
    """A correction: every field optional; recruits and follow-ups given are added."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("idempotency_key", "alert_text", "alert_location"):
            self.fields.pop(name)
        # Optional at the top only, without defaults (a field left out stays as it is). Not
        # DRF's `partial`, which reaches into nested recruits and would let their equipment
        # through without its `kind`.
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class VisitAlertInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=ALERT_TEXT_MAX_LENGTH)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )


# --- CLA handovers ---------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class MovedIdsField(serializers.Field):
    """The ids of one kind of object a handover moved."""

    def __init__(self, kind: str, **kwargs) -> None:
        self.kind = kind
        super().__init__(source="moved", read_only=True, **kwargs)

    def to_representation(self, moved) -> list[int]:
        return list((moved or {}).get(self.kind) or [])


@extend_schema_field({"type": "integer", "nullable": True})
class BaseGivenField(serializers.Field):
    def __init__(self, **kwargs) -> None:
        super().__init__(source="moved", read_only=True, **kwargs)

    def to_representation(self, moved) -> int | None:
        return (moved or {}).get("base")


class CLAHandoverSerializer(serializers.ModelSerializer):
    from_cla_username = serializers.CharField(source="from_cla.username", read_only=True)
    to_cla_username = serializers.CharField(source="to_cla.username", read_only=True)
    by_username = serializers.CharField(source="by.username", read_only=True)
    lpcs = MovedIdsField("lpcs", help_text=_("Committees handed over (ids)."))
    networks = MovedIdsField("networks", help_text=_("Networks handed over (ids)."))
    places = MovedIdsField("places", help_text=_("Places added to the successor's (ids)."))
    follow_ups = MovedIdsField("follow_ups", help_text=_("Open follow-ups handed over (ids)."))
    base_given = BaseGivenField(
        help_text=_("The outgoing CLA's base, given to a successor who had none (place id).")
    )

    class Meta:
        model = CLAHandover
        fields = [
            "id",
            "from_cla",
            "from_cla_username",
            "to_cla",
            "to_cla_username",
            "by",
            "by_username",
            "at",
            "note",
            "lpc_count",
            "network_count",
            "place_count",
            "follow_up_count",
            "lpcs",
            "networks",
            "places",
            "follow_ups",
            "base_given",
            "idempotency_key",
        ]
        read_only_fields = fields


class CLAHandoverWriteSerializer(serializers.Serializer):
    """Whose work, to whom, and why. The same idempotency_key twice records one handover."""

    from_cla = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text=_("The outgoing CLA (user id).")
    )
    to_cla = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text=_("The successor (user id): an active user in the CLA role."),
    )
    note = serializers.CharField(max_length=MAX_HANDOVER_NOTE, required=False, allow_blank=True)
    idempotency_key = serializers.UUIDField(
        required=False,
        help_text=_("Made by the client; sending it again answers with the stored handover."),
    )
