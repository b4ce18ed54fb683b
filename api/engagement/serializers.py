"""Town hall meetings and deployments as the API shows and takes them: counts, never names."""

from rest_framework import serializers

from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES
from engagement.constants import MAX_HEAD_COUNT, TEXT_MAX_LENGTH
from engagement.models import (
    Commitment,
    Concern,
    Deployment,
    Recommendation,
    TownHall,
)

GROUPS = TownHall.GROUPS
COMPONENTS = ("military", "police", "civilians", "investigators")


def _count() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_HEAD_COUNT, default=0)


class ParticipantsSerializer(serializers.Serializer):
    women = _count()
    youth = _count()
    authorities = _count()
    civil_society = _count()
    displaced = _count()


class TeamSerializer(serializers.Serializer):
    military = _count()
    police = _count()
    civilians = _count()
    investigators = _count()


class ConcernSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CATEGORY_CODES), required=False, max_length=20
    )
    risk_factors = serializers.ListField(
        child=serializers.ChoiceField(choices=RISK_FACTOR_CODES), required=False, max_length=20
    )
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    raise_alert = serializers.BooleanField(default=False, write_only=True)

    class Meta:
        model = Concern
        fields = ["id", "categories", "risk_factors", "text", "alert", "raise_alert"]
        read_only_fields = ["id", "alert"]


class CommitmentSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)

    class Meta:
        model = Commitment
        fields = ["id", "text", "owner", "due_on", "status", "answer", "answered_at"]
        read_only_fields = ["id", "status", "answer", "answered_at"]


class TownHallSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    participants = serializers.SerializerMethodField()
    concerns = ConcernSerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = TownHall
        fields = [
            "id",
            "place",
            "place_name",
            "held_on",
            "convener",
            "participants",
            "notes",
            "concerns",
            "commitments",
            "created_at",
        ]
        read_only_fields = fields

    def get_participants(self, town_hall) -> dict[str, int]:
        return {group: getattr(town_hall, group) for group in GROUPS}


class TownHallCreateSerializer(serializers.Serializer):
    place = serializers.IntegerField(min_value=1)
    held_on = serializers.DateField()
    convener = serializers.IntegerField(min_value=1, required=False)
    participants = ParticipantsSerializer()
    notes = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    concerns = ConcernSerializer(many=True, required=False)
    commitments = CommitmentSerializer(many=True, required=False)


class RecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "text", "status", "follow_up", "updated_at"]
        read_only_fields = fields


class DeploymentSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    team = serializers.SerializerMethodField()
    alerts = serializers.SerializerMethodField()
    incidents = serializers.SerializerMethodField()
    recommendations = RecommendationSerializer(many=True, read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "kind",
            "area",
            "area_name",
            "started_on",
            "ended_on",
            "team",
            "alerts",
            "incidents",
            "findings",
            "recommendations",
            "created_at",
        ]
        read_only_fields = fields

    def get_team(self, deployment) -> dict[str, int]:
        return {part: getattr(deployment, part) for part in COMPONENTS}

    def get_alerts(self, deployment) -> list[int]:
        # Only those the reader may see (worked out by the view).
        visible = self.context.get("visible_alerts")
        ids = [a.pk for a in deployment.alerts.all()]
        return ids if visible is None else [pk for pk in ids if pk in visible]

    def get_incidents(self, deployment) -> list[int]:
        return [i.pk for i in deployment.incidents.all()]


class DeploymentCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Deployment.Kind.choices)
    area = serializers.IntegerField(min_value=1)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    team = TeamSerializer()
    alerts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=200,
    )
    incidents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=200,
    )
    findings = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    recommendations = serializers.ListField(
        child=serializers.CharField(max_length=TEXT_MAX_LENGTH), required=False, max_length=50
    )
