"""Complaints as conduct and discipline staff read them through the API: the list without
texts, a complaint with its text; the sender's number always masked, as the pages show it.
What a complaint, its status and a CBCM member take in is what the pages' forms take
(conduct.forms), checked the same way."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import BoundedPrimaryKeyField
from conduct import selectors
from conduct.forms import TEXT_MAX
from conduct.models import CbcmMember, Complaint
from core.roles import mask_phone
from networks.models import FocalPoint, Location
from networks.phones import normalise_phone

NAME_MAX, PHONE_MAX = 200, 40


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


class ComplaintReceiptSerializer(serializers.ModelSerializer):
    """What a CLA gets back for a complaint entered: its reference, never its text (nor its
    id, which would tell how many complaints there are)."""

    message = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["reference", "received_at", "message"]
        read_only_fields = fields

    def get_message(self, complaint: Complaint) -> str:
        return gettext(
            "Complaint %(reference)s received; only conduct and discipline staff read it."
        ) % {"reference": complaint.reference}


class ComplaintCreateSerializer(serializers.Serializer):
    """The complaint form's fields: the text, the place, and (conduct staff only, as the form
    offers it only to them) the active CBCM member who brought it."""

    text = serializers.CharField(
        max_length=TEXT_MAX, error_messages={"blank": _("Write the complaint.")}
    )
    location = BoundedPrimaryKeyField(queryset=Location.objects.none())
    member = BoundedPrimaryKeyField(
        queryset=CbcmMember.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args, members=None, **kwargs):
        """`members`: those the caller may choose from; None for who does not read the
        registry, who may then name no member at all."""
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = selectors.places()
        if members is None:
            self.fields["member"].error_messages["does_not_exist"] = _(
                "Only conduct and discipline staff name the CBCM member who brought a complaint."
            )
        else:
            self.fields["member"].queryset = members


class ComplaintStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Complaint.Status.choices)


class CbcmMemberSerializer(serializers.ModelSerializer):
    """A member of the registry with their name and number, as the members' page shows them to
    conduct staff (the only role that reads it). The fields and checks of the member form."""

    name = serializers.CharField(max_length=NAME_MAX)
    phone = serializers.CharField(
        max_length=PHONE_MAX,
        required=False,
        allow_blank=True,
        help_text=_("E.164, e.g. +243991234567"),
    )
    gender = serializers.ChoiceField(choices=FocalPoint.Gender.choices)
    location = BoundedPrimaryKeyField(queryset=Location.objects.none())
    location_name = serializers.CharField(source="location.name", read_only=True)
    elected_on = serializers.DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)

    class Meta:
        model = CbcmMember
        fields = [
            "id",
            "name",
            "phone",
            "gender",
            "location",
            "location_name",
            "elected_on",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "location_name", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = selectors.places()

    def validate_phone(self, value: str) -> str:
        """As the form: empty, or a number written any usual way, kept in E.164."""
        value = value.strip()
        if not value:
            return ""
        try:
            return normalise_phone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
