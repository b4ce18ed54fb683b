"""Complaints as conduct and discipline staff read them through the API: the list without
texts, a complaint with its text; the sender's number always masked, as the pages show it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conduct.models import Complaint
from core.roles import mask_phone


class ComplaintListSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", default=None, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "source",
            "status",
            "received_at",
            "location",
            "location_name",
            "priority",
            "categories",
            "language",
        ]
        read_only_fields = fields


class ComplaintSerializer(ComplaintListSerializer):
    sender = serializers.SerializerMethodField()
    member_name = serializers.SerializerMethodField()

    class Meta(ComplaintListSerializer.Meta):
        fields = [*ComplaintListSerializer.Meta.fields, "text", "sender", "member", "member_name"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_sender(self, complaint: Complaint) -> str:
        """'+243 ••• ••• 567', or '' when the complaint came without a number."""
        return mask_phone(complaint.sender)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_member_name(self, complaint: Complaint) -> str | None:
        return complaint.member.name if complaint.member else None
