from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import BoundedPrimaryKeyField
from core.roles import roles_with
from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES
from lpc import permissions as rules
from lpc.constants import ATTENDANCE_FIELDS, MAX_ATTENDANCE, MAX_ID
from lpc.models import LPC, ActionPoint, LPCMeeting, LPCMember
from lpc.selectors import lpc_members
from lpc.services import MEMBER_FIELDS
from networks.models import Location

# More action points than this in one call is not a meeting's work but a mistake.
MAX_ACTION_POINTS = 50


def _user(serializer: serializers.Serializer):
    request = serializer.context.get("request")
    return request.user if request is not None else None


class LPCMemberSerializer(serializers.ModelSerializer):
    """Names only for roles that may see them; the group represented only for admins and the
    CLAs working with the committee."""

    lpc = BoundedPrimaryKeyField(queryset=LPC.objects.all())
    name = serializers.CharField(max_length=200, trim_whitespace=True)
    community_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, trim_whitespace=True
    )
    current = serializers.BooleanField(source="is_current", read_only=True)

    class Meta:
        model = LPCMember
        fields = ["id", "lpc", *MEMBER_FIELDS, "current"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = _user(self)
        if not rules.can_see_member_names(user):
            data.pop("name")
        if not rules.can_see_member_groups(user, instance.lpc):
            data.pop("group")
            data.pop("community_name")
        return data


class LPCSerializer(serializers.ModelSerializer):
    """A committee with its counts; one committee's detail also lists its members, to roles
    that read committee records (names and groups masked as lpc.permissions says)."""

    places = BoundedPrimaryKeyField(many=True, queryset=Location.objects.all(), required=False)
    cla = BoundedPrimaryKeyField(
        queryset=User.objects.filter(groups__name__in=roles_with("write_field_records")).distinct(),
        required=False,
        allow_null=True,
        help_text=_("The supporting CLA: a user with the CLA (or admin) role."),
    )
    place_names = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True)
    women_count = serializers.IntegerField(read_only=True)
    meeting_count = serializers.IntegerField(read_only=True)
    last_meeting_on = serializers.DateField(read_only=True, allow_null=True)
    open_action_count = serializers.IntegerField(read_only=True)
    members = serializers.SerializerMethodField(
        help_text=_(
            "Only in one committee's detail, and only for roles that read its records; "
            "null elsewhere."
        )
    )

    class Meta:
        model = LPC
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "places",
            "place_names",
            "founded_on",
            "cla",
            "funding_source",
            "member_count",
            "women_count",
            "meeting_count",
            "last_meeting_on",
            "open_action_count",
            "members",
        ]

    def get_place_names(self, lpc: LPC) -> list[str]:
        return [place.name for place in lpc.places.all()]

    @extend_schema_field(LPCMemberSerializer(many=True, allow_null=True))
    def get_members(self, lpc: LPC) -> list[dict] | None:
        # Members only in a detail, and only to roles that read the committee's records.
        if not self.context.get("with_members") or not rules.can_read_records(_user(self)):
            return None
        return LPCMemberSerializer(lpc_members(lpc=lpc), many=True, context=self.context).data


class ActionPointSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    description = serializers.CharField(max_length=2000, trim_whitespace=True)
    owner = serializers.CharField(
        max_length=200, required=False, allow_blank=True, trim_whitespace=True
    )
    follow_up = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, trim_whitespace=True
    )

    class Meta:
        model = ActionPoint
        fields = [
            "id",
            "description",
            "owner",
            "opened_on",
            "due_on",
            "status",
            "follow_up",
            "done_on",
        ]
        read_only_fields = ["opened_on"]


class LPCMeetingSerializer(serializers.ModelSerializer):
    lpc = BoundedPrimaryKeyField(queryset=LPC.objects.all())
    place = BoundedPrimaryKeyField(queryset=Location.objects.all(), required=False, allow_null=True)
    members_present = BoundedPrimaryKeyField(
        many=True, queryset=LPCMember.objects.all(), required=False
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CATEGORY_CODES), required=False, max_length=20
    )
    risk_factors = serializers.ListField(
        child=serializers.ChoiceField(choices=RISK_FACTOR_CODES), required=False, max_length=20
    )
    action_points = ActionPointSerializer(many=True, required=False, max_length=MAX_ACTION_POINTS)
    attendance_total = serializers.IntegerField(read_only=True)
    alerts = serializers.SerializerMethodField()
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = LPCMeeting
        fields = [
            "id",
            "lpc",
            "held_on",
            "place",
            *ATTENDANCE_FIELDS,
            "attendance_total",
            "members_present",
            "categories",
            "risk_factors",
            "minutes",
            "decisions",
            "action_points",
            "alerts",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # One meeting a day is checked by the service, with a message that says so.
        validators: list = []
        extra_kwargs = {
            name: {"min_value": 0, "max_value": MAX_ATTENDANCE} for name in ATTENDANCE_FIELDS
        }

    def get_alerts(self, meeting: LPCMeeting) -> list[int]:
        return [link.alert_id for link in meeting.alert_links.all()]

    def validate(self, attrs: dict) -> dict:
        lpc = attrs.get("lpc") or getattr(self.instance, "lpc", None)
        if self.instance is not None and "lpc" in attrs and attrs["lpc"] != self.instance.lpc:
            raise serializers.ValidationError(
                {"lpc": _("A meeting cannot move to another committee.")}
            )
        held_on = attrs.get("held_on") or getattr(self.instance, "held_on", None)
        strangers = [m.pk for m in attrs.get("members_present", []) if m.lpc_id != lpc.pk]
        if strangers:
            raise serializers.ValidationError(
                {"members_present": _("Only members of this committee can be recorded as present.")}
            )
        errors, known = [], set()
        if self.instance is not None:
            known = set(self.instance.action_points.values_list("pk", flat=True))
        for item in attrs.get("action_points", []):
            problem = {}
            if held_on and item.get("due_on") and item["due_on"] < held_on:
                problem["due_on"] = [_("The due date cannot be before the meeting.")]
            if "id" in item and item["id"] not in known:
                problem["id"] = [_("No such action point in this meeting.")]
            errors.append(problem)
        if any(errors):
            raise serializers.ValidationError({"action_points": errors})
        return attrs
