"""Complaints for conduct and discipline staff (`read_complaints`): everyone else gets 403 for
the list and 404 for a complaint, as if there were none. Every read is recorded: a complaint's
opening in its own trail (as its page records it), a list read once, naming what it gave."""

from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from conduct import selectors, services
from conduct.models import Complaint, ComplaintView
from core.roles import can

from .serializers import ComplaintListSerializer, ComplaintSerializer


class ReadsComplaints(BasePermission):
    """Signed in; the list needs `read_complaints`; a complaint is refused by the queryset
    (404), so that its id tells nothing."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return view.action == "retrieve" or can(user, "read_complaints")


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Complaints of sexual exploitation and abuse by peacekeepers, newest first: the list
    without their texts, each complaint with its text and its sender's number masked."""

    permission_classes = [ReadsComplaints]
    filterset_fields = ["status", "source"]

    def get_serializer_class(self):
        return ComplaintListSerializer if self.action == "list" else ComplaintSerializer

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
