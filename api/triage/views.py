from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from access.alerts import alerts_visible, incident_workable, incidents_visible
from alerts.models import Alert
from core.permissions import CapabilityPermission
from triage import selectors, services

from .serializers import (
    IncidentEventSerializer,
    IncidentMergeSerializer,
    IncidentReopenSerializer,
    IncidentResolveSerializer,
    IncidentSerializer,
    IncidentSplitSerializer,
)

OUTSIDE_AREAS = _(
    "This incident holds alerts outside your areas: a supervisor can merge, split, resolve "
    "or reopen it."
)


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts grouped by place, time and category, with how many independent reporters and
    mechanisms stand behind them, and whether the situation is resolved. Every role reads
    those holding an alert they may see, and only the alerts they may see in them (viewers
    without who reported); analysts, supervisors and admins merge, split, resolve and reopen
    those whose alerts they all see."""

    serializer_class = IncidentSerializer
    filterset_class = selectors.IncidentFilter
    permission_classes = [CapabilityPermission]
    write_capabilities = {
        "merge": "work_alerts",
        "split": "work_alerts",
        "resolve": "work_alerts",
        "reopen": "work_alerts",
    }

    def get_queryset(self):
        user = self.request.user
        incidents = selectors.incident_list().select_related("location__parent__parent__parent")
        incidents = selectors.incidents_with_place_is_home(incidents_visible(incidents, user))
        alerts = alerts_visible(Alert.objects.all(), user)
        return selectors.incidents_with_alerts(incidents, alerts=alerts).order_by(
            "-last_seen_at", "-id"
        )

    def _workable(self, incident):
        if not incident_workable(incident, self.request.user):
            raise PermissionDenied(OUTSIDE_AREAS)
        return incident

    def _fresh(self, incident) -> dict:
        incident = self.get_queryset().get(pk=incident.pk)
        return IncidentSerializer(incident, context=self.get_serializer_context()).data

    @extend_schema(request=IncidentMergeSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Move every alert of `incident` into this one and delete it. Refused (400) across
        places farther apart than the grouping radius."""
        incident = self._workable(self.get_object())
        incoming = IncidentMergeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        visible = incidents_visible(selectors.incident_list(), request.user)
        other = visible.filter(pk=incoming.validated_data["incident"]).first()
        if other is None:
            raise ValidationError({"incident": [_("No such incident.")]})
        self._workable(other)
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
        incident = self._workable(self.get_object())
        incoming = IncidentSplitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            new = services.incident_split(
                incident=incident, alert_ids=incoming.validated_data["alerts"], by=request.user
            )
        except services.IncidentRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self._fresh(new), status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentResolveSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The situation is over: close the incident's open alerts and record what was done.
        Refused (400) while one of its alerts waits to be acknowledged, when it is resolved
        already, or when an alert not among `alerts` joined it. An alert that joins it later
        reopens it."""
        incident = self._workable(self.get_object())
        incoming = IncidentResolveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            resolved = services.incident_resolve(
                incident=incident,
                by=request.user,
                note=incoming.validated_data["note"],
                seen_alert_ids=incoming.validated_data.get("alerts"),
            )
        except services.IncidentRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self._fresh(resolved))

    @extend_schema(request=IncidentReopenSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved incident (400 if it is not resolved); its alerts keep their
        status."""
        incident = self._workable(self.get_object())
        incoming = IncidentReopenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            reopened = services.incident_reopen(
                incident=incident, by=request.user, note=incoming.validated_data["note"]
            )
        except services.IncidentRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self._fresh(reopened))

    @extend_schema(responses={200: IncidentEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """What happened to the incident, oldest first: resolved, reopened (by whom, or by
        which alert joining it), reporters and area told."""
        incident = self.get_object()
        page = self.paginate_queryset(selectors.incident_history(incident=incident))
        return self.get_paginated_response(IncidentEventSerializer(page, many=True).data)
