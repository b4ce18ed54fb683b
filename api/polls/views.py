"""The polls API: build a draft, change or delete it while it is one, send it by SMS through the
broadcasts, close it, record field interviews, and read results and the answers' CSV. Every
rule is polls.services'; who may do what is core.roles' (build_polls, send_polls,
record_poll_interviews), as on the poll pages."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from access.polls import conversations_visible, responses_visible
from alerts.services import status_callback_url
from api.alerts.exports import ExportNegotiation, ExportOptions
from core.permissions import CapabilityPermission
from polls import selectors, services
from polls.exports import poll_answers_download
from polls.models import Conversation, Poll
from polls.models import Response as PollResponse

from .serializers import (
    InterviewSerializer,
    InterviewWriteSerializer,
    PollRefusalSerializer,
    PollSendSerializer,
    PollSerializer,
    PollUpdateSerializer,
    PollWriteSerializer,
)


class PollStateConflict(APIException):
    """The poll cannot do that in its state (polls.services.PollRefused): 409 with the reason."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The poll cannot do that in its current state.")
    default_code = "poll_state"


REFUSED = {409: PollRefusalSerializer}


def _refused(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as the API's 400, by field ("q12", an interview's answer to
    question 12, under answers)."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({"non_field_errors": exc.messages})
    errors: dict = {}
    for field, messages in exc.message_dict.items():
        if field == NON_FIELD_ERRORS:
            errors["non_field_errors"] = messages
        elif field[:1] == "q" and field[1:].isdigit():
            errors.setdefault("answers", {})[field[1:]] = messages
        else:
            errors[field] = messages
    return ValidationError(errors)


class PollExportOptions(ExportOptions):
    """`?format=csv` (or `?as=csv`): the answers' only format."""

    as_ = serializers.ChoiceField(choices=["csv"], default="csv")


class PollViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Perception polls and their questions. Analysts, supervisors and admins build drafts;
    supervisors and admins send and close; CLAs and admins record field interviews; every
    role reads results, counted over the answers of its areas or places (access.polls). No
    phone number or name is ever part of them."""

    permission_classes = [CapabilityPermission]
    read_capability = "read_polls"
    write_capabilities = {
        "create": "build_polls",
        "partial_update": "build_polls",
        "destroy": "build_polls",
        "send": "send_polls",
        "close": "send_polls",
        "interviews": "record_poll_interviews",
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = PollSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.poll_list().prefetch_related("questions__choices")

    def _body(self, poll: Poll, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=poll.pk)
        return Response(PollSerializer(fresh, context=self.get_serializer_context()).data, code)

    @extend_schema(request=PollWriteSerializer, responses={201: PollSerializer})
    def create(self, request, *args, **kwargs):
        """A draft poll, with its questions if given; nothing is sent until `send`."""
        incoming = PollWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            poll = services.poll_create(
                title=incoming.validated_data["title"],
                previous_round=incoming.validated_data.get("previous_round"),
                questions=incoming.questions_arguments(),
                created_by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return self._body(poll, status.HTTP_201_CREATED)

    @extend_schema(request=PollUpdateSerializer, responses={200: PollSerializer, **REFUSED})
    def partial_update(self, request, *args, **kwargs):
        """Change a draft: its title, previous round, and questions (the list given replaces
        the draft's own). 409 once the poll has been sent."""
        poll = self.get_object()
        incoming = PollUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            services.poll_update(
                poll=poll,
                title=data.get("title", poll.title),
                previous_round=data.get("previous_round", poll.previous_round),
                questions=incoming.questions_arguments(),
            )
        except services.PollRefused as exc:
            raise PollStateConflict(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return self._body(poll)

    @extend_schema(responses={204: None, **REFUSED})
    def destroy(self, request, *args, **kwargs):
        """Delete a draft; 409 once the poll has been sent (its answers stay)."""
        try:
            services.poll_delete(poll=self.get_object())
        except services.PollRefused as exc:
            raise PollStateConflict(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PollSendSerializer, responses={202: PollSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft's first question by SMS as a broadcast, at the broadcasts' rate:
        opted-out people left out, people at risk skipped, people in discreet mode asked only
        what exposes nothing. Each answer brings the next question. 409 if not a draft."""
        poll = self.get_object()
        incoming = PollSendSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        audience = incoming.validated_data
        callback = status_callback_url(request.build_absolute_uri(reverse("twilio-status")))
        try:
            services.poll_send(
                poll=poll,
                by=request.user,
                network_ids=audience["networks"],
                location_ids=audience["locations"],
                focal_point_ids=audience["focal_points"],
                status_callback=callback,
            )
        except services.PollRefused as exc:
            raise PollStateConflict(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return self._body(poll, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: PollSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """No more answers by SMS: open conversations stop (field interviews may still be
        recorded). 409 unless the poll is open."""
        try:
            poll = services.poll_close(poll=self.get_object(), by=request.user)
        except services.PollRefused as exc:
            raise PollStateConflict(str(exc)) from exc
        return self._body(poll)

    @extend_schema(
        request=InterviewWriteSerializer, responses={201: InterviewSerializer, **REFUSED}
    )
    @action(detail=True, methods=["post"])
    def interviews(self, request, pk=None):
        """One respondent's answers asked in the field, with their group and place (no name,
        no number). 409 while the poll is a draft."""
        poll = self.get_object()
        incoming = InterviewWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            interview = services.interview_record(
                poll=poll, by=request.user, **incoming.validated_data
            )
        except services.PollRefused as exc:
            raise PollStateConflict(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(InterviewSerializer(interview).data, status=status.HTTP_201_CREATED)

    def _visible(self, request):
        return (
            responses_visible(PollResponse.objects.all(), request.user),
            conversations_visible(Conversation.objects.all(), request.user),
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Per question: asked, answered by SMS, the rate, field answers, counts and shares per
        answer (and the previous round's), by territory and by group."""
        poll = self.get_object()
        responses, conversations = self._visible(request)
        return Response(
            selectors.poll_results(poll=poll, responses=responses, conversations=conversations)
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv"]),
            OpenApiParameter("as", OpenApiTypes.STR, enum=["csv"], description="As `format`."),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=ExportNegotiation)
    def export(self, request, pk=None):
        """The answers one may see, one per line: no phone number, no name, no place finer
        than the territory; free answers only for roles that may read identities. Recorded in
        the audit trail."""
        poll = self.get_object()
        PollExportOptions(data=request.query_params).is_valid(raise_exception=True)
        responses, _conversations = self._visible(request)
        return poll_answers_download(request=request, poll=poll, responses=responses)
