from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alerts.exports import shared_place
from alerts.models import Alert, AlertEvent, Message
from alerts.selectors import alert_assignees
from core.roles import can_see_identity
from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES

# Sources an alert may be created with over the API: the web, committees, liaison assistants,
# and what an operator typed in (radio, phone, in person, a town hall meeting).
RAISABLE_SOURCES = (
    Alert.Source.WEB,
    Alert.Source.LPC,
    Alert.Source.CLA,
    Alert.Source.RADIO,
    Alert.Source.PHONE,
    Alert.Source.IN_PERSON,
    Alert.Source.TOWN_HALL,
)


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "alert",
            "direction",
            "kind",
            "body",
            "status",
            "error_code",
            "segments",
            "provider_sid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    location_name = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CATEGORY_CODES), required=False
    )
    outcome = serializers.ChoiceField(
        choices=Alert.Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("What checking found; empty until the alert is verified or not."),
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "reference",
            "status",
            "priority",
            "categories",
            "risk_factors",
            "language",
            "text",
            "source",
            "reporter",
            "sender_known",
            "location",
            "location_name",
            "location_is_fallback",
            "incident",
            "assignee",
            "flooded",
            "outcome",
            "received_at",
            "triaged_at",
            "acknowledged_at",
            "closed_at",
            "sla_due_at",
        ]
        read_only_fields = [
            "id",
            "reference",
            "risk_factors",
            "language",
            "reporter",
            "sender_known",
            "location_is_fallback",
            "incident",
            "flooded",
            "outcome",
            "received_at",
            "triaged_at",
            "acknowledged_at",
            "closed_at",
            "sla_due_at",
        ]

    def get_location_name(self, alert: Alert) -> str | None:
        place = shared_place(alert.location, is_home=alert.location_is_fallback)
        return place.name if place else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.location_is_fallback:
            # Only the reporter's home: its territory, as the exports give it.
            place = shared_place(instance.location, is_home=True)
            data["location"] = place.pk if place else None
        return data

    def get_reporter(self, alert: Alert) -> int | None:
        request = self.context.get("request")
        if request is not None and not can_see_identity(request.user):
            return None  # who reported is itself identifying
        return alert.reporter_id


class AlertCreateSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=[(s.value, s.label) for s in RAISABLE_SOURCES])
    text = serializers.CharField(max_length=4000, allow_blank=False, trim_whitespace=True)
    reporter_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("Who reported it, when not a focal point (kept encrypted)."),
    )

    class Meta:
        model = Alert
        fields = ["source", "text", "location", "reporter_name"]


class AlertUpdateSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CATEGORY_CODES), allow_empty=False, required=False
    )
    priority = serializers.IntegerField(min_value=1, max_value=4, required=False)
    risk_factors = serializers.ListField(
        child=serializers.ChoiceField(choices=RISK_FACTOR_CODES), required=False
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        write_only=True,
        help_text=_("Why: kept with the change in the alert's history."),
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=alert_assignees(),
        allow_null=True,
        required=False,
        help_text=_("A user who works alerts (analysts, supervisors, admins), or null."),
        error_messages={
            "does_not_exist": _("User {pk_value} does not work alerts: they cannot be assigned.")
        },
    )

    class Meta:
        model = Alert
        fields = [
            "status",
            "priority",
            "categories",
            "risk_factors",
            "language",
            "assignee",
            "location",
            "note",
        ]


class AlertEventSerializer(serializers.ModelSerializer):
    # Null for what the system did (triage, deadlines) rather than a person.
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AlertEvent
        fields = ["id", "at", "by", "kind", "before", "after", "note"]
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=1600, trim_whitespace=True, help_text=_("The SMS to send to the reporter.")
    )
    confirm_revealing = serializers.BooleanField(
        default=False,
        help_text=_(
            "To a reporter in discreet mode, a reply naming Kengele, an alert or the mission is "
            "refused (400, with `revealing_words`) unless this is true: then it is sent and "
            "recorded in the alert's history."
        ),
    )
