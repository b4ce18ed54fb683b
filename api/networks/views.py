import django_filters
from rest_framework import viewsets

from core.permissions import CapabilityPermission
from networks import selectors
from networks.audit import AuditEntryFilter, audit_entry_list, audit_identities_shown
from networks.constants import MAX_ID
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
    """Focal points. Viewers may not list people at all; other roles see identities, and each
    response that shows them is recorded in the audit trail with the ids it showed."""

    serializer_class = FocalPointSerializer
    filterset_class = FocalPointFilter
    permission_classes = [CapabilityPermission]
    read_capability = "see_identity"

    def get_queryset(self):
        return selectors.focal_point_list().order_by("id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else []
        audit_identities_shown(
            request=request, focal_point_ids=[row["id"] for row in rows], where="api_focal_points"
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit_identities_shown(
            request=request, focal_point_ids=[response.data["id"]], where="api_focal_point"
        )
        return response


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, for admins: who logged in, saw names and numbers, exported or changed
    what. Read-only: nobody writes or deletes entries through the API."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    permission_classes = [CapabilityPermission]
    read_capability = "read_audit_trail"

    def get_queryset(self):
        return audit_entry_list()
