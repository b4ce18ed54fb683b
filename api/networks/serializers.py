from rest_framework import serializers

from networks.models import AuditEntry, FocalPoint, Location, Network
from networks.selectors import discreet_rule


class LocationSerializer(serializers.ModelSerializer):
    territory = serializers.SerializerMethodField()
    province = serializers.SerializerMethodField()

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "kind",
            "parent",
            "alternate_names",
            "latitude",
            "longitude",
            "territory",
            "province",
        ]

    def get_territory(self, location: Location) -> str | None:
        node = location.ancestor(Location.Kind.TERRITORY)
        return node.name if node else None

    def get_province(self, location: Location) -> str | None:
        node = location.ancestor(Location.Kind.PROVINCE)
        return node.name if node else None


class NetworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = [
            "id",
            "name",
            "code",
            "status",
            "base",
            "area",
            "started_on",
            "dormant_since",
            "closed_on",
            "cla",
            "discreet",
        ]


class FocalPointSerializer(serializers.ModelSerializer):
    """Names and numbers only for the focal points the view was allowed to show (its context's
    `identities`, from networks.identities); absent otherwise."""

    networks = serializers.SerializerMethodField()
    discreet = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Their own setting: true (neutral wording), false (standard), null (as their "
        "networks).",
    )
    discreet_effective = serializers.SerializerMethodField(
        help_text="Whether the SMS sent to them are in neutral wording, their networks counted."
    )

    class Meta:
        model = FocalPoint
        fields = [
            "id",
            "name",
            "phone",
            "language",
            "gender",
            "age_band",
            "role",
            "home_location",
            "networks",
            "active",
            "opted_out_at",
            "consent_at",
            "discreet",
            "discreet_effective",
            "at_risk_since",
        ]

    def get_networks(self, focal_point: FocalPoint) -> list[int]:
        return sorted(m.network_id for m in focal_point.open_memberships)

    def get_discreet_effective(self, focal_point: FocalPoint) -> bool:
        return discreet_rule(
            focal_point.discreet, (m.network.discreet for m in focal_point.open_memberships)
        )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.pk not in self.context.get("identities", ()):
            data.pop("name")
            data.pop("phone")
        return data


class AuditEntrySerializer(serializers.ModelSerializer):
    actor_username = serializers.SlugRelatedField(
        source="actor", slug_field="username", read_only=True, allow_null=True
    )
    target_ids = serializers.ListField(
        source="target_id_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_username",
            "action",
            "target_type",
            "target_ids",
            "ip_address",
            "details",
        ]
        read_only_fields = fields
