import django_filters
from rest_framework import viewsets

from config.api_permissions import RolePermission
from config.permissions import ADMIN, ANALYST, CLA, SUPERVISOR

from .. import selectors
from ..constants import MAX_ID
from ..models import FocalPoint, Location
from .serializers import FocalPointSerializer, LocationSerializer, NetworkSerializer


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
    permission_classes = [RolePermission]

    def get_queryset(self):
        return selectors.location_list().select_related("parent__parent__parent").order_by("id")


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer
    filterset_fields = ["status", "base", "cla", "code"]
    permission_classes = [RolePermission]

    def get_queryset(self):
        return selectors.network_list().order_by("name")


class FocalPointViewSet(viewsets.ReadOnlyModelViewSet):
    """Focal points. Viewers may not list people at all; other roles see identities."""

    serializer_class = FocalPointSerializer
    filterset_class = FocalPointFilter
    permission_classes = [RolePermission]
    read_roles = (ADMIN, SUPERVISOR, ANALYST, CLA)

    def get_queryset(self):
        return selectors.focal_point_list().order_by("id")
