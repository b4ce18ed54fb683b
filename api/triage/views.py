from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.permissions import CapabilityPermission
from triage import selectors, services

from .serializers import IncidentMergeSerializer, IncidentSerializer, IncidentSplitSerializer


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts grouped by place, time and category, with how many independent reporters and
    mechanisms stand behind them. Every role reads them (viewers without who reported);
    analysts, supervisors and admins merge and split them."""

    serializer_class = IncidentSerializer
    filterset_class = selectors.IncidentFilter
    permission_classes = [CapabilityPermission]
    write_capabilities = {"merge": "work_alerts", "split": "work_alerts"}

    def get_queryset(self):
        incidents = selectors.incident_list().select_related("location__parent__parent__parent")
        return selectors.incidents_with_alerts(incidents).order_by("-last_seen_at", "-id")

    def _fresh(self, incident) -> dict:
        incident = self.get_queryset().get(pk=incident.pk)
        return IncidentSerializer(incident, context=self.get_serializer_context()).data

    @extend_schema(request=IncidentMergeSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Move every alert of `incident` into this one and delete it. Refused (400) across
        places farther apart than the grouping radius."""
        incident = self.get_object()
        incoming = IncidentMergeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        other = selectors.incident_list().filter(pk=incoming.validated_data["incident"]).first()
        if other is None:
            raise ValidationError({"incident": ["No such incident."]})
        try:
            merged = services.incident_merge(incident=incident, other=other, by=request.user)
        except services.IncidentRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self._fresh(merged))

    @extend_schema(request=IncidentSplitSerializer, responses={201: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Move some of this incident's alerts into a new incident (201 with it). At least one
        alert must stay."""
        incident = self.get_object()
        incoming = IncidentSplitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            new = services.incident_split(
                incident=incident, alert_ids=incoming.validated_data["alerts"], by=request.user
            )
        except services.IncidentRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self._fresh(new), status=status.HTTP_201_CREATED)
