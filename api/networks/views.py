import django_filters
from rest_framework import viewsets
from rest_framework.response import Response

from api.identities import reveal_or_refuse
from core.permissions import CapabilityPermission
from networks import selectors
from networks.audit import AuditEntryFilter, audit_entry_list
from networks.constants import MAX_ID
from networks.identities import focal_points_identifiable
from networks.models import FocalPoint, Location

from .serializers import (
    AuditEntrySerializer,
    FocalPointSerializer,
    LocationSerializer,
    NetworkSerializer,
)


class LocationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Location
        fields = ["kind", "parent", "name"]


class FocalPointFilter(django_filters.FilterSet):
    network = django_filters.NumberFilter(method="filter_network", min_value=1, max_value=MAX_ID)

    class Meta:
        model = FocalPoint
        fields = ["language", "gender", "role", "active", "home_location", "network"]

    def filter_network(self, queryset, name, value):
        return queryset.filter(
            memberships__network_id=value, memberships__left_on__isnull=True
        ).distinct()


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    permission_classes = [CapabilityPermission]

    def get_queryset(self):
        return selectors.location_list().select_related("parent__parent__parent").order_by("id")


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer
    filterset_fields = ["status", "base", "cla", "code"]
    permission_classes = [CapabilityPermission]

    def get_queryset(self):
        return selectors.network_list().order_by("name")


class FocalPointViewSet(viewsets.ReadOnlyModelViewSet):
    """Focal points whose identity one may read: an analyst those of the networks of their
    areas, a CLA those of their places, supervisors and admins all; viewers none. Every
    response is recorded in the audit trail with the ids it showed; more than
    IDENTITY_READS_PER_HOUR different people within an hour is refused (429)."""

    serializer_class = FocalPointSerializer
    filterset_class = FocalPointFilter
    permission_classes = [CapabilityPermission]
    read_capability = "see_identity"

    def get_queryset(self):
        people = focal_points_identifiable(selectors.focal_point_list(), self.request.user)
        return people.order_by("id")

    def _respond(self, people, where: str):
        reveal = reveal_or_refuse(self.request, [person.pk for person in people], where)
        context = {**self.get_serializer_context(), "identities": reveal}
        return FocalPointSerializer(people, many=True, context=context).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._respond(page, "api_focal_points"))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._respond([self.get_object()], "api_focal_point")[0])


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, for admins: who logged in, saw names and numbers, exported or changed
    what. Read-only: nobody writes or deletes entries through the API."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    permission_classes = [CapabilityPermission]
    read_capability = "read_audit_trail"

    def get_queryset(self):
        return audit_entry_list()
