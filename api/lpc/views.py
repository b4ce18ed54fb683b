from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.permissions import CapabilityPermission
from lpc import permissions as rules
from lpc import selectors, services
from lpc.constants import ATTENDANCE_FIELDS
from lpc.models import ActionPoint
from lpc.representation import PERIODS, lpc_representation, representation_as_dict
from lpc.services import ActionPointInput

from .serializers import (
    LPCMeetingSerializer,
    LPCMemberSerializer,
    LPCSerializer,
)

WRITERS = {"create": "write_field_records", "partial_update": "write_field_records"}


def _service(call, **kwargs):
    """Run a service; its ValidationError becomes a 400 naming the fields."""
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.update_error_dict({})) from exc


def _require_edit(user, lpc) -> None:
    if not rules.can_edit_lpc(user, lpc):
        raise PermissionDenied(
            _("You may change only the committees you support or that meet where you work.")
        )


class WriteMixin:
    permission_classes = [CapabilityPermission]
    write_capabilities = WRITERS
    http_method_names = ["get", "post", "patch", "head", "options"]


class LPCViewSet(
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Committees with their counts. Every role reads them; the detail lists members to roles
    that read committee records (names and groups masked as lpc.permissions says)."""

    read_capability = "use"
    filterset_class = selectors.LPCFilter

    def get_queryset(self):
        return selectors.lpc_list()

    serializer_class = LPCSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_members": self.action == "retrieve"}

    def _placed(self, serializer, lpc=None) -> None:
        data = serializer.validated_data
        cla = data.get("cla", lpc.cla if lpc else None)
        places = data.get("places", list(lpc.places.all()) if lpc else [])
        if not rules.can_place_lpc(
            self.request.user, cla_id=cla.pk if cla else None, place_ids={p.pk for p in places}
        ):
            raise PermissionDenied(
                _("A committee you record must be one you support or meet where you work.")
            )

    def _respond(self, lpc, code=status.HTTP_200_OK):
        lpc = selectors.lpc_list().get(pk=lpc.pk)
        return Response(self.get_serializer(lpc).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._placed(serializer)
        data = dict(serializer.validated_data)
        places = data.pop("places", [])
        lpc = _service(services.lpc_create, by=request.user, places=places, **data)
        return self._respond(lpc, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        lpc = self.get_object()
        _require_edit(request.user, lpc)
        serializer = self.get_serializer(lpc, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self._placed(serializer, lpc)
        data = dict(serializer.validated_data)
        places = data.pop("places", None)
        lpc = _service(services.lpc_update, lpc=lpc, by=request.user, places=places, **data)
        return self._respond(lpc)

    @extend_schema(
        parameters=[OpenApiParameter("period", enum=list(PERIODS), default="quarter")],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"])
    def representation(self, request, pk=None):
        """Members and attendance by gender, age band and group over time; groups never
        present. Figures only."""
        lpc = self.get_object()
        period = request.query_params.get("period", "quarter")
        if period not in PERIODS:
            raise ValidationError(
                {"period": [_("Choose one of: %(periods)s.") % {"periods": ", ".join(PERIODS)}]}
            )
        report = lpc_representation(lpc=lpc, period=period)
        return Response(
            representation_as_dict(
                report, with_communities=rules.can_see_member_groups(request.user, lpc)
            )
        )


class LPCMemberViewSet(
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Committee members, for roles that read committee records; viewers never see them."""

    read_capability = "read_field_records"
    serializer_class = LPCMemberSerializer
    filterset_class = selectors.MemberFilter

    def get_queryset(self):
        return selectors.member_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lpc = data.pop("lpc")
        _require_edit(request.user, lpc)
        member = _service(services.lpc_member_create, lpc=lpc, by=request.user, **data)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        _require_edit(request.user, member.lpc)
        serializer = self.get_serializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "lpc" in data and data.pop("lpc") != member.lpc:
            raise ValidationError({"lpc": [_("A member cannot move to another committee.")]})
        member = _service(services.lpc_member_update, member=member, by=request.user, **data)
        return Response(self.get_serializer(member).data)


def _action_point_inputs(items: list[dict], meeting=None) -> list[ActionPointInput]:
    existing = {}
    if meeting is not None:
        existing = {p.pk: p for p in ActionPoint.objects.filter(meeting=meeting)}
    inputs = []
    for item in items:
        point = existing.get(item.get("id"))
        inputs.append(
            ActionPointInput(
                description=item["description"],
                due_on=item["due_on"],
                owner=item.get("owner", point.owner if point else ""),
                status=item.get("status", point.status if point else ActionPoint.Status.OPEN),
                follow_up=item.get("follow_up", point.follow_up if point else ""),
                done_on=item.get("done_on", point.done_on if point else None),
                action_point=point,
            )
        )
    return inputs


def _meeting_fields(data: dict) -> dict:
    fields = {
        name: data[name]
        for name in ("held_on", "place", "minutes", "categories", "risk_factors", "decisions")
        if name in data
    }
    attendance = {name: data[name] for name in ATTENDANCE_FIELDS if name in data}
    return {**fields, "attendance": attendance or None}


class LPCMeetingViewSet(
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings with their action points. Creating or changing one takes its action points
    along: those with an `id` are changed, the others added; none is deleted (drop it)."""

    read_capability = "read_field_records"
    serializer_class = LPCMeetingSerializer
    filterset_class = selectors.MeetingFilter

    def get_queryset(self):
        return selectors.meeting_list(reader=self.request.user)

    def _respond(self, meeting, code=status.HTTP_200_OK):
        meeting = selectors.meeting_list(reader=self.request.user).get(pk=meeting.pk)
        return Response(self.get_serializer(meeting).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lpc = data["lpc"]
        _require_edit(request.user, lpc)
        meeting = _service(
            services.lpc_meeting_create,
            lpc=lpc,
            by=request.user,
            members_present=data.get("members_present", []),
            action_points=_action_point_inputs(data.get("action_points", [])),
            **_meeting_fields(data),
        )
        return self._respond(meeting, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        _require_edit(request.user, meeting.lpc)
        serializer = self.get_serializer(meeting, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting = _service(
            services.lpc_meeting_update,
            meeting=meeting,
            by=request.user,
            members_present=data.get("members_present"),
            action_points=_action_point_inputs(data.get("action_points", []), meeting),
            **_meeting_fields(data),
        )
        return self._respond(meeting)
