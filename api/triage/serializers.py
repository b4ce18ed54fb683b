from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts.exports import shared_place
from alerts.models import Alert
from alerts.selectors import MAX_ID
from core.roles import can_see_identity
from networks.models import Location
from triage.constants import MECHANISM_LABELS, RESOLUTION_NOTE_MAX_LENGTH
from triage.models import Incident, IncidentEvent


class IncidentAlertSerializer(serializers.ModelSerializer):
    """One alert of an incident, as its list shows it."""

    reference = serializers.CharField(read_only=True)
    # The codes of Alert.Source (the alerts/ endpoint documents them).
    source = serializers.CharField(read_only=True)
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "reference", "status", "priority", "source", "received_at", "reporter"]
        read_only_fields = fields

    def get_reporter(self, alert: Alert) -> int | None:
        request = self.context.get("request")
        if request is None or not can_see_identity(request.user):
            return None  # who reported is itself identifying
        return alert.reporter_id


class IncidentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    resolved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    location_name = serializers.SerializerMethodField()
    territory = serializers.SerializerMethodField()
    mechanisms = serializers.ListField(
        child=serializers.ChoiceField(choices=list(MECHANISM_LABELS)), read_only=True
    )
    alerts = IncidentAlertSerializer(source="alert_rows", many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "location",
            "location_name",
            "territory",
            "priority",
            "categories",
            "corroboration",
            "alert_count",
            "reporter_count",
            "mechanism_count",
            "mechanisms",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "alerts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _place(self, incident: Incident) -> Location | None:
        # Only a reporter's home (incidents_with_place_is_home): its territory then, as the
        # exports give it.
        return shared_place(incident.location, is_home=getattr(incident, "place_is_home", False))

    def get_location_name(self, incident: Incident) -> str | None:
        place = self._place(incident)
        return place.name if place else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        place = self._place(instance)
        data["location"] = place.pk if place else None
        return data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_territory(self, incident: Incident) -> int | None:
        if not incident.location_id:
            return None
        territory = incident.location.ancestor(Location.Kind.TERRITORY)
        return territory.pk if territory else None


class IncidentMergeSerializer(serializers.Serializer):
    incident = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The incident whose alerts join this one; it is deleted."),
    )


class IncidentSplitSerializer(serializers.Serializer):
    alerts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=1000,
        help_text=_("Ids of this incident's alerts to move into a new incident."),
    )


class IncidentEventSerializer(serializers.ModelSerializer):
    # Null for what the system did (an alert triage grouped into it reopened it).
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    details = serializers.DictField(
        read_only=True,
        help_text=_(
            "Ids only: `closed` (alerts closed by the resolution), `messages` (SMS to the "
            "reporters), `broadcast`, `merged` (the incident merged into this one), `split_from`."
        ),
    )

    class Meta:
        model = IncidentEvent
        fields = ["id", "at", "by", "kind", "alert", "note", "details"]
        read_only_fields = fields


class IncidentResolveSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=RESOLUTION_NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What was done, in a few words."),
    )
    alerts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
        help_text=_(
            "The ids of the incident's alerts the caller has read. Given, the resolution is "
            "refused (400) when another alert joined the incident since."
        ),
    )


class IncidentReopenSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=RESOLUTION_NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why it is reopened."),
    )
