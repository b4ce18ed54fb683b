"""Closing the loop through the API, as on the dashboard: for a closed alert or a resolved
incident, preview the SMS its reporters would get (their language, neutral words in discreet
mode), send it, and prepare the news for the networks of its place as a broadcast draft.

For those who work alerts, on the alerts and incidents they may see (any other is a 404, as
everywhere). Acting on an incident needs every alert of it in one's areas (403 otherwise), as
merging and splitting do."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from access.alerts import alerts_visible, incident_workable, incidents_visible
from alerts.discreet import revealing_words
from alerts.models import Alert, AlertEvent
from alerts.selectors import alert_list
from alerts.services import RevealingRefused, SendRefused
from api.alerts.broadcasts import BroadcastSerializer
from api.alerts.serializers import MessageSerializer
from core.permissions import CapabilityPermission
from engagement.constants import LOOP_MESSAGE_MAX_LENGTH
from engagement.loop import (
    loop_area_networks,
    loop_area_tell,
    loop_message_text,
    loop_offered,
    loop_reporter_discreet,
    loop_reporter_reachable,
    loop_reporter_tell,
)
from engagement.loop_incidents import (
    loop_incident,
    loop_incident_area_networks,
    loop_incident_area_offered,
    loop_incident_area_tell,
    loop_incident_tell,
)
from triage.selectors import incident_list

OUTSIDE_AREAS = _(
    "This incident holds alerts outside your areas: a supervisor can tell its reporters."
)


def _text_field(help_text):
    return serializers.CharField(
        max_length=LOOP_MESSAGE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=help_text,
    )


class LoopTellSerializer(serializers.Serializer):
    outcome = _text_field(
        _(
            "What was done, in a few words: sent inside the usual wording, in the reporter's "
            "language, neutral in discreet mode."
        )
    )
    text = _text_field(
        _(
            "Or the whole SMS as edited, sent as it is (still refused to a reporter in discreet "
            "mode when it would expose them)."
        )
    )

    def validate(self, data):
        outcome, text = data["outcome"].strip(), data["text"].strip()
        if bool(outcome) == bool(text):
            raise ValidationError(
                {"outcome": [_("Give either the outcome or the whole text (one of them).")]}
            )
        return {"outcome": outcome, "text": text}


class LoopAreaSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=LOOP_MESSAGE_MAX_LENGTH,
        help_text=_("The news for the networks of the place (a draft a supervisor sends)."),
    )


class LoopTextSerializer(serializers.Serializer):
    """The SMS one reporter would get (null without an outcome to preview)."""

    text = serializers.CharField(allow_null=True)
    length = serializers.IntegerField(allow_null=True)
    revealing_words = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Words of the text that would expose a reporter in discreet mode."),
    )


class AlertLoopSerializer(LoopTextSerializer):
    alert = serializers.IntegerField()
    reference = serializers.CharField()
    closed = serializers.BooleanField()
    reachable = serializers.BooleanField(
        help_text=_("The reporter is a focal point with a phone who has not opted out.")
    )
    discreet = serializers.BooleanField()
    language = serializers.CharField(allow_null=True)
    offered = serializers.BooleanField(help_text=_("Closed, and someone to tell."))
    told = serializers.BooleanField(help_text=_("The reporter was told already."))
    max_length = serializers.IntegerField()
    area_offered = serializers.BooleanField()
    area_networks = serializers.ListField(child=serializers.IntegerField())


class IncidentLoopReporterSerializer(LoopTextSerializer):
    alert = serializers.IntegerField(help_text=_("The alert the message names: their first."))
    reference = serializers.CharField()
    alerts = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("All their closed alerts in the incident.")
    )
    discreet = serializers.BooleanField()
    language = serializers.CharField()
    told = serializers.BooleanField()


class IncidentLoopSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    reference = serializers.CharField()
    resolved = serializers.BooleanField()
    workable = serializers.BooleanField(
        help_text=_("Every alert of it lies in your areas: you may tell its reporters.")
    )
    offered = serializers.BooleanField()
    reporters = IncidentLoopReporterSerializer(many=True)
    unreachable_alerts = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_("Closed alerts with nobody to tell (no focal point, no phone, opted out)."),
    )
    max_length = serializers.IntegerField()
    area_offered = serializers.BooleanField()
    area_networks = serializers.ListField(child=serializers.IntegerField())


SENT = inline_serializer("IncidentLoopSent", {"messages": MessageSerializer(many=True)})
OUTCOME = OpenApiParameter(
    "outcome", str, description=str(_("What was done, to preview the SMS with it."))
)


def _outcome(request) -> str:
    outcome = " ".join(request.query_params.get("outcome", "").split())
    if len(outcome) > LOOP_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "outcome": [
                    _("At most %(max)s characters.") % {"max": LOOP_MESSAGE_MAX_LENGTH},
                ]
            }
        )
    return outcome


def _preview(alert: Alert, outcome: str, discreet: bool) -> dict:
    text = loop_message_text(alert=alert, outcome=outcome) if outcome else None
    return {
        "text": text,
        "length": len(text) if text is not None else None,
        "revealing_words": revealing_words(text) if text and discreet else [],
    }


def _refused(exc: Exception) -> ValidationError:
    if isinstance(exc, RevealingRefused):
        return ValidationError({"detail": str(exc), "revealing_words": exc.words})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return ValidationError(exc.message_dict)
        return ValidationError({"detail": exc.messages[0]})
    return ValidationError({"detail": str(exc)})


class AlertLoopViewSet(viewsets.GenericViewSet):
    """Closing the loop for one closed alert."""

    permission_classes = [CapabilityPermission]
    read_capability = "work_alerts"
    write_capabilities = {"reporter": "work_alerts", "area": "work_alerts"}
    serializer_class = AlertLoopSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        alerts = alert_list().select_related("reporter", "location")
        return alerts_visible(alerts, self.request.user)

    @extend_schema(parameters=[OUTCOME], responses={200: AlertLoopSerializer})
    def preview(self, request, pk=None):
        """Whether the reporter can be told, in which language, whether in discreet mode, and
        (given `outcome`) the SMS they would get."""
        alert = self.get_object()
        outcome = _outcome(request)
        reachable = loop_reporter_reachable(alert=alert)
        discreet = loop_reporter_discreet(alert=alert)
        closed = alert.status == Alert.Status.CLOSED
        body = {
            "alert": alert.pk,
            "reference": alert.reference,
            "closed": closed,
            "reachable": reachable,
            "discreet": discreet,
            "language": alert.reporter.language if alert.reporter is not None else None,
            "offered": loop_offered(alert=alert),
            "told": alert.events.filter(kind=AlertEvent.Kind.REPORTER_TOLD).exists(),
            "max_length": LOOP_MESSAGE_MAX_LENGTH,
            "area_offered": closed and alert.location_id is not None,
            "area_networks": loop_area_networks(alert=alert),
            **_preview(alert, outcome, discreet),
        }
        return Response(AlertLoopSerializer(body).data)

    @extend_schema(request=LoopTellSerializer, responses={201: MessageSerializer})
    def reporter(self, request, pk=None):
        """Send the reporter of the closed alert what was done (400 with the reason when it is
        not closed, nobody can be told, the text is too long or would expose a reporter in
        discreet mode, with `revealing_words`)."""
        alert = self.get_object()
        incoming = LoopTellSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            message = loop_reporter_tell(alert=alert, by=request.user, **incoming.validated_data)
        except (SendRefused, DjangoValidationError) as exc:
            raise _refused(exc) from exc
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LoopAreaSerializer, responses={201: BroadcastSerializer})
    def area(self, request, pk=None):
        """A broadcast draft with the news for the networks of the alert's place (else the
        people living there), which a supervisor sends."""
        alert = self.get_object()
        incoming = LoopAreaSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            broadcast = loop_area_tell(
                alert=alert, text=incoming.validated_data["text"], by=request.user
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        data = BroadcastSerializer(broadcast, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class IncidentLoopViewSet(viewsets.GenericViewSet):
    """Closing the loop for a resolved incident: each reporter once."""

    permission_classes = [CapabilityPermission]
    read_capability = "work_alerts"
    write_capabilities = {"reporters": "work_alerts", "area": "work_alerts"}
    serializer_class = IncidentLoopSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        incidents = incident_list().select_related("resolved_by")
        return incidents_visible(incidents, self.request.user)

    def _workable(self):
        incident = self.get_object()
        if not incident_workable(incident, self.request.user):
            raise PermissionDenied(OUTSIDE_AREAS)
        return incident

    @extend_schema(parameters=[OUTCOME], responses={200: IncidentLoopSerializer})
    def preview(self, request, pk=None):
        """Who of the incident's reporters (of the alerts you see) would be told, each once,
        in which language, whether in discreet mode, already told or not, and (given
        `outcome`) the SMS each would get."""
        incident = self.get_object()
        outcome = _outcome(request)
        loop = loop_incident(
            incident=incident, alerts=alerts_visible(Alert.objects.all(), request.user)
        )
        reporters = []
        for reporter in loop.reporters:
            discreet = reporter.discreet
            reporters.append(
                {
                    "alert": reporter.alert.pk,
                    "reference": reporter.alert.reference,
                    "alerts": [alert.pk for alert in reporter.alerts],
                    "discreet": discreet,
                    "language": reporter.language,
                    "told": reporter.told,
                    **_preview(reporter.alert, outcome, discreet),
                }
            )
        body = {
            "incident": incident.pk,
            "reference": incident.reference,
            "resolved": incident.is_resolved,
            "workable": incident_workable(incident, request.user),
            "offered": incident.is_resolved and bool(loop.to_tell),
            "reporters": reporters,
            "unreachable_alerts": [alert.pk for alert in loop.unreachable],
            "max_length": LOOP_MESSAGE_MAX_LENGTH,
            "area_offered": loop_incident_area_offered(incident=incident),
            "area_networks": loop_incident_area_networks(incident=incident),
        }
        return Response(IncidentLoopSerializer(body).data)

    @extend_schema(request=LoopTellSerializer, responses={201: SENT})
    def reporters(self, request, pk=None):
        """Tell each reporter of the resolved incident not yet told what was done: one SMS
        each, however many alerts they sent. All or nothing: 400 with the reason when the
        incident is not resolved, nobody is left to tell, or the text is refused for one of
        them (too long, or exposing a reporter in discreet mode, with `revealing_words`)."""
        incident = self._workable()
        incoming = LoopTellSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            sent = loop_incident_tell(incident=incident, by=request.user, **incoming.validated_data)
        except (SendRefused, DjangoValidationError) as exc:
            raise _refused(exc) from exc
        data = {"messages": MessageSerializer(sent, many=True).data}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LoopAreaSerializer, responses={201: BroadcastSerializer})
    def area(self, request, pk=None):
        """A broadcast draft with the news for the networks of the resolved incident's place,
        which a supervisor sends."""
        incident = self._workable()
        incoming = LoopAreaSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            broadcast = loop_incident_area_tell(
                incident=incident, text=incoming.validated_data["text"], by=request.user
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        data = BroadcastSerializer(broadcast, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
