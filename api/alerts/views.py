from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from access.alerts import alerts_visible, assignment_check, messages_visible
from alerts import selectors, services
from alerts.models import Message
from core.permissions import CapabilityPermission

from .serializers import (
    AlertCreateSerializer,
    AlertEventSerializer,
    AlertSerializer,
    AlertUpdateSerializer,
    MessageSerializer,
    ReplySerializer,
)


class AlertViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Alerts from every source. Viewers read them without the reporter's identity; an alert
    placed only at its reporter's home shows its territory, not the village."""

    serializer_class = AlertSerializer
    filterset_class = selectors.SharedAlertFilter
    permission_classes = [CapabilityPermission]
    write_capabilities = {
        "create": "raise_alert",
        "partial_update": "work_alerts",
        "replies": "work_alerts",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # Analysts see their areas, CLAs their places (access.alerts.alert_visibility).
        # The place's parents too: an alert placed at its reporter's home shows its territory.
        alerts = selectors.alert_list().select_related("location__parent__parent__parent__parent")
        return alerts_visible(alerts, self.request.user).order_by("-received_at", "-id")

    @extend_schema(request=AlertCreateSerializer, responses={201: AlertSerializer})
    def create(self, request, *args, **kwargs):
        incoming = AlertCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        alert = services.alert_create(created_by=request.user, **incoming.validated_data)
        body = AlertSerializer(alert, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=AlertUpdateSerializer, responses={200: AlertSerializer})
    def partial_update(self, request, *args, **kwargs):
        alert = self.get_object()
        incoming = AlertUpdateSerializer(alert, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        try:
            if "assignee" in incoming.validated_data:
                assignment_check(alert, incoming.validated_data["assignee"])
            alert = services.alert_update(alert=alert, by=request.user, **incoming.validated_data)
        except services.TransitionRefused as exc:
            raise ValidationError({"status": [str(exc)]}) from exc
        except services.AssignmentRefused as exc:
            raise ValidationError({"assignee": [str(exc)]}) from exc
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)

    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        """Send an SMS to the alert's reporter (refused with a reason if they opted out, or if
        they are in discreet mode and the text would expose them, unless `confirm_revealing`)."""
        alert = self.get_object()
        incoming = ReplySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            message = services.alert_reply_send(
                alert=alert,
                body=incoming.validated_data["body"],
                by=request.user,
                status_callback=services.status_callback_url(
                    request.build_absolute_uri(reverse("twilio-status"))
                ),
                revealing_confirmed=incoming.validated_data["confirm_revealing"],
            )
        except services.RevealingRefused as exc:
            raise ValidationError({"detail": str(exc), "revealing_words": exc.words}) from exc
        except services.SendRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: MessageSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def messages(self, request, pk=None):
        """The alert's thread, oldest first."""
        alert = self.get_object()
        page = self.paginate_queryset(selectors.alert_thread(alert=alert))
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(responses={200: AlertEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """What happened to the alert, oldest first: triage's decisions, status changes,
        corrections, assignment, claims, deadline breaches, incident changes."""
        alert = self.get_object()
        page = self.paginate_queryset(selectors.alert_history(alert=alert))
        return self.get_paginated_response(AlertEventSerializer(page, many=True).data)


class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Inbound and outbound messages of the alerts one may see (analysts their areas')."""

    serializer_class = MessageSerializer
    permission_classes = [CapabilityPermission]
    read_capability = "work_alerts"
    filterset_fields = ["alert", "direction", "status", "kind"]

    def get_queryset(self):
        return messages_visible(Message.objects.all(), self.request.user).order_by(
            "-created_at", "-id"
        )
