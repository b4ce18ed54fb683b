import uuid

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.alerts.serializers import AlertSerializer
from api.identities import reveal_or_refuse
from cla import selectors, services
from cla.succession import cla_handover_perform
from core.permissions import CapabilityPermission

from .serializers import (
    CLAHandoverSerializer,
    CLAHandoverWriteSerializer,
    FieldVisitSerializer,
    FieldVisitUpdateSerializer,
    FieldVisitWriteSerializer,
    VisitAlertInSerializer,
)


def _service_errors(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as the API's 400, by field where the service named one."""
    if hasattr(exc, "error_dict"):
        errors = dict(exc.message_dict)
        if NON_FIELD_ERRORS in errors:
            errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
        return ValidationError(errors)
    return ValidationError({"non_field_errors": exc.messages})


class FieldVisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """CLA field visits. A CLA reads and changes their own; supervisors and analysts read all;
    admins do everything; viewers see coverage figures only, never visits."""

    serializer_class = FieldVisitSerializer
    filterset_class = selectors.FieldVisitFilter
    permission_classes = [CapabilityPermission]
    read_capability = "read_field_records"
    write_capabilities = {
        "create": "write_field_records",
        "partial_update": "write_field_records",
        "raise_alert": "write_field_records",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        visits = selectors.field_visits_visible_to(
            selectors.field_visit_detail(reader=self.request.user), user=self.request.user
        )
        return visits.order_by("-visited_on", "-id")

    def _edited(self):
        visit = self.get_object()
        if not selectors.may_edit_visit(user=self.request.user, visit=visit):
            self.permission_denied(self.request)
        return visit

    def _stored(self, request):
        """The user's visit already stored under the posted key: a resend, answered as is."""
        try:
            key = uuid.UUID(str(request.data.get("idempotency_key", "")))
        except (AttributeError, ValueError):
            return None
        return self.get_queryset().filter(idempotency_key=key, cla=request.user).first()

    def _data(self, visits: list, where: str) -> list[dict]:
        """The visits as the API shows them: recruits' names and numbers in clear as far as
        networks.identities allows (a 429 past the hourly limit)."""
        recruits = [r.focal_point_id for visit in visits for r in visit.recruitments.all()]
        reveal = reveal_or_refuse(self.request, recruits, where)
        context = {**self.get_serializer_context(), "identities": reveal}
        return FieldVisitSerializer(visits, many=True, context=context).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(page, "api_field_visits"))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data([self.get_object()], "api_field_visit")[0])

    def _show(self, visit, code: int) -> Response:
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(self._data([visit], "api_field_visit")[0], status=code)

    @extend_schema(
        request=FieldVisitWriteSerializer,
        responses={201: FieldVisitSerializer, 200: FieldVisitSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Store a visit; the same idempotency_key again answers 200 with the stored visit."""
        stored = self._stored(request)
        if stored is not None:
            return self._show(stored, status.HTTP_200_OK)
        incoming = FieldVisitWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            visit, created = services.field_visit_create(
                cla=request.user, **incoming.service_arguments()
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return self._show(visit, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=FieldVisitUpdateSerializer, responses={200: FieldVisitSerializer})
    def partial_update(self, request, *args, **kwargs):
        visit = self._edited()
        incoming = FieldVisitUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.field_visit_update(
                visit=visit, by=request.user, **incoming.service_arguments()
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return self._show(visit, status.HTTP_200_OK)

    @extend_schema(request=VisitAlertInSerializer, responses={201: AlertSerializer})
    @action(detail=True, methods=["post"], url_path="alerts")
    def raise_alert(self, request, pk=None):
        """Raise an alert from the visit (source "cla"); it is triaged like an SMS."""
        visit = self._edited()
        incoming = VisitAlertInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            alert = services.visit_alert_raise(
                visit=visit, by=request.user, **incoming.validated_data
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        body = AlertSerializer(alert, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class CLAHandoverViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Handovers of one CLA's work to a successor: the committees they support, the networks
    they look after, their places and their open follow-ups, in one go. Supervisors and admins
    only; they see every area, so no area narrows the list."""

    serializer_class = CLAHandoverSerializer
    filterset_class = selectors.CLAHandoverFilter
    permission_classes = [CapabilityPermission]
    read_capability = "hand_over_cla_work"
    write_capabilities = {"create": "hand_over_cla_work"}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.cla_handovers_visible_to(
            selectors.cla_handover_list(), user=self.request.user
        )

    @extend_schema(
        request=CLAHandoverWriteSerializer,
        responses={201: CLAHandoverSerializer, 200: CLAHandoverSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Hand over; the same idempotency_key again answers 200 with the stored handover.
        Refused (400): to oneself, to someone not an active CLA, nothing left to move."""
        incoming = CLAHandoverWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            handover, created = cla_handover_perform(by=request.user, **incoming.validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        body = self.get_serializer(self.get_queryset().get(pk=handover.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
