"""Complaints and the CBCM members' registry for conduct and discipline staff
(`read_complaints`): everyone else gets 403 for a list and 404 for a complaint or a member, as
if there were none. Every read of a complaint is recorded: its opening in its own trail (as its
page records it), a list read once, naming what it gave; a change of status too.

Writes go through the services the pages call: a complaint entered (`submit_complaint`: conduct
staff, and CLAs who get its reference back, as from the form), its status set, members
registered and corrected."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from conduct import selectors, services
from conduct.models import CbcmMember, Complaint, ComplaintView
from core.permissions import CapabilityPermission
from core.roles import can

from .serializers import (
    CbcmMemberSerializer,
    ComplaintCreateSerializer,
    ComplaintListSerializer,
    ComplaintReceiptSerializer,
    ComplaintSerializer,
    ComplaintStatusSerializer,
)


class ConductOnly:
    """A signed-in user who may not read complaints gets a 404 for any path of one complaint
    or member, as for an id that exists nowhere: the answer tells nothing of which ids are
    complaints or members. Conduct staff refused a write there get the plain 403."""

    permission_classes = [CapabilityPermission]
    read_capability = "read_complaints"

    def permission_denied(self, request, message=None, code=None):
        user = request.user
        if self.detail and user.is_authenticated and not can(user, self.read_capability):
            raise NotFound
        super().permission_denied(request, message=message, code=code)


class ComplaintViewSet(ConductOnly, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Complaints of sexual exploitation and abuse by peacekeepers, newest first: the list
    without their texts, each complaint with its text and its sender's number masked."""

    write_capabilities = {"create": "submit_complaint", "status_set": "read_complaints"}
    filterset_fields = ["status", "source"]

    def get_serializer_class(self):
        return {
            "list": ComplaintListSerializer,
            "create": ComplaintCreateSerializer,
            "status_set": ComplaintStatusSerializer,
        }.get(self.action, ComplaintSerializer)

    def get_queryset(self):
        user = self.request.user
        if not can(user, "read_complaints"):
            return Complaint.objects.none()
        return selectors.complaint_list(user=user)

    def list(self, request, *args, **kwargs):
        complaints = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.complaint_list_read_record(complaints=complaints, user=request.user)
        serializer = self.get_serializer(complaints, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        complaint = self.get_object()
        services.complaint_view_record(
            complaint=complaint, user=request.user, what=ComplaintView.What.DETAIL
        )
        return Response(self.get_serializer(complaint).data)

    @extend_schema(
        request=ComplaintCreateSerializer,
        responses={
            201: PolymorphicProxySerializer(
                component_name="ComplaintCreated",
                serializers=[ComplaintSerializer, ComplaintReceiptSerializer],
                resource_type_field_name=None,
            )
        },
    )
    def create(self, request, *args, **kwargs):
        """Enter a complaint as the form does. Conduct staff may name the active CBCM member
        who brought it and get the complaint back; a CLA gets its reference only."""
        reader = can(request.user, "read_complaints")
        members = selectors.member_choices(user=request.user) if reader else None
        given = ComplaintCreateSerializer(data=request.data, members=members)
        given.is_valid(raise_exception=True)
        complaint = services.complaint_create(
            text=given.validated_data["text"],
            source=Complaint.Source.FORM,
            by=request.user,
            member=given.validated_data.get("member"),
            location=given.validated_data["location"],
        )
        if reader:
            body = ComplaintSerializer(selectors.complaint_get(user=request.user, pk=complaint.pk))
        else:
            body = ComplaintReceiptSerializer(complaint)
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ComplaintStatusSerializer, responses={200: ComplaintListSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def status_set(self, request, pk=None):
        """Set the status, as the complaint page's action does; recorded in its trail. The
        answer is the complaint without its text (a change is no reading)."""
        complaint = self.get_object()
        given = ComplaintStatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.complaint_status_set(
            complaint=complaint, status=given.validated_data["status"], by=request.user
        )
        return Response(ComplaintListSerializer(complaint).data)


class CbcmMemberViewSet(
    ConductOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The CBCM members' registry with names and numbers, as the members' page shows it:
    register a member, correct one or mark them inactive (their complaints stay linked)."""

    serializer_class = CbcmMemberSerializer
    write_capabilities = {"create": "read_complaints", "partial_update": "read_complaints"}
    filterset_fields = ["active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if not can(user, "read_complaints"):
            return CbcmMember.objects.none()
        return selectors.member_list(user=user)

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        member = services.member_create(**given.validated_data)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Only the fields given change; the others stay as they are."""
        member = self.get_object()
        given = self.get_serializer(member, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        current = {
            "name": member.name,
            "phone": member.phone,
            "gender": member.gender,
            "location": member.location,
            "elected_on": member.elected_on,
            "active": member.active,
        }
        member = services.member_update(member=member, **{**current, **given.validated_data})
        return Response(self.get_serializer(member).data)
