"""Complaints for conduct and discipline staff (`read_complaints`): everyone else gets 403 for
the list and 404 for a complaint, as if there were none. Every read is recorded: a complaint's
opening in its own trail (as its page records it), a list read once, naming what it gave."""

from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from conduct import selectors, services
from conduct.models import Complaint, ComplaintView
from core.permissions import CapabilityPermission
from core.roles import can

from .serializers import ComplaintListSerializer, ComplaintSerializer


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Complaints of sexual exploitation and abuse by peacekeepers, newest first: the list
    without their texts, each complaint with its text and its sender's number masked."""

    permission_classes = [CapabilityPermission]
    read_capability = "read_complaints"
    filterset_fields = ["status", "source"]

    def permission_denied(self, request, message=None, code=None):
        """A signed-in user without `read_complaints` asking for one complaint gets a 404, as
        for an id that exists nowhere: the answer tells nothing of which ids are complaints."""
        if self.action == "retrieve" and request.user and request.user.is_authenticated:
            raise NotFound
        super().permission_denied(request, message=message, code=code)

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
