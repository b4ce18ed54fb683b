"""The broadcasts API: drafts, preview, send, cancel, progress per recipient, replies."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from access.alerts import alerts_visible
from alerts import selectors, services
from alerts.models import Broadcast, BroadcastRecipient
from alerts.services.broadcasts import BROADCAST_TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from api.identities import reveal_or_refuse
from core.permissions import CapabilityPermission
from core.roles import mask_name, mask_phone

from .serializers import AlertSerializer

MAX_SELECTED = 10_000  # ids in one list: more than any roster


def _optional_text():
    return serializers.CharField(
        max_length=BROADCAST_TEXT_MAX_LENGTH, required=False, allow_blank=True
    )


class DiscreetTextsSerializer(serializers.Serializer):
    fr = _optional_text()
    sw = _optional_text()
    ln = _optional_text()
    en = _optional_text()


class TextsSerializer(serializers.Serializer):
    fr = serializers.CharField(max_length=BROADCAST_TEXT_MAX_LENGTH)
    sw = serializers.CharField(
        max_length=BROADCAST_TEXT_MAX_LENGTH, required=False, allow_blank=True
    )
    ln = serializers.CharField(
        max_length=BROADCAST_TEXT_MAX_LENGTH, required=False, allow_blank=True
    )
    en = serializers.CharField(
        max_length=BROADCAST_TEXT_MAX_LENGTH, required=False, allow_blank=True
    )


def _ids(help_text):
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=selectors.MAX_ID),
        max_length=MAX_SELECTED,
        required=False,
        default=list,
        help_text=help_text,
    )


class BroadcastWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    texts = TextsSerializer(
        help_text=_("The SMS per language (fr, sw, ln, en); French is required and the fallback.")
    )
    discreet_texts = DiscreetTextsSerializer(
        required=False,
        help_text=_(
            "What focal points in discreet mode get, per language, in words that name neither "
            "Kengele, alerts nor the mission. Without one in their language they get the text "
            "if it names none of these, else the French ones; else they are skipped."
        ),
    )
    networks = _ids(_("Network ids: their current members."))
    locations = _ids(_("Place ids: focal points living there or anywhere below."))
    focal_points = _ids(_("Focal point ids."))

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "title": data["title"],
            "texts": data["texts"],
            "discreet_texts": data.get("discreet_texts") or {},
            "network_ids": data["networks"],
            "location_ids": data["locations"],
            "focal_point_ids": data["focal_points"],
        }


def _refused(exc: DjangoValidationError) -> ValidationError:
    """The service's errors under the API's field names (texts.fr rather than text_fr)."""
    names = {"network_ids": "networks", "location_ids": "locations"}
    errors: dict = {}
    for field, messages in exc.message_dict.items():
        if field.startswith("text_"):
            errors.setdefault("texts", {})[field[5:]] = messages
        elif field.startswith("discreet_text_"):
            errors.setdefault("discreet_texts", {})[field[14:]] = messages
        else:
            errors[names.get(field, field)] = messages
    return ValidationError(errors)


class BroadcastSerializer(serializers.ModelSerializer):
    texts = serializers.SerializerMethodField()
    discreet_texts = serializers.SerializerMethodField()
    skipped = serializers.SerializerMethodField()
    networks = serializers.JSONField(source="network_ids", read_only=True)
    locations = serializers.JSONField(source="location_ids", read_only=True)
    focal_points = serializers.JSONField(source="focal_point_ids", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    cancelled_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    counts = serializers.SerializerMethodField()
    reply_count = serializers.SerializerMethodField()

    class Meta:
        model = Broadcast
        fields = [
            "id",
            "title",
            "status",
            "texts",
            "discreet_texts",
            "networks",
            "locations",
            "focal_points",
            "created_by",
            "created_at",
            "sent_by",
            "sent_at",
            "finished_at",
            "cancelled_by",
            "cancelled_at",
            "recipient_count",
            "excluded",
            "counts",
            "skipped",
            "reply_count",
        ]
        read_only_fields = fields

    def get_texts(self, broadcast: Broadcast) -> dict[str, str]:
        return broadcast.texts()

    def get_discreet_texts(self, broadcast: Broadcast) -> dict[str, str]:
        return broadcast.discreet_texts()

    def get_skipped(self, broadcast: Broadcast) -> dict[str, int]:
        """Recipients skipped when their turn came, by reason (at_risk, revealing...)."""
        skipped = self.context.get("skipped")
        if skipped is None or broadcast.pk not in skipped:
            skipped = selectors.broadcast_skip_counts(broadcast_ids=[broadcast.pk])
        return skipped[broadcast.pk]

    def get_counts(self, broadcast: Broadcast) -> dict[str, int]:
        counts = self.context.get("counts")
        if counts is None or broadcast.pk not in counts:
            counts = selectors.broadcast_counts(broadcast_ids=[broadcast.pk])
        return counts[broadcast.pk]

    def get_reply_count(self, broadcast: Broadcast) -> int:
        if hasattr(broadcast, "reply_count"):  # annotated by selectors.broadcast_list
            return broadcast.reply_count
        return broadcast.replies.count()


class BroadcastPreviewSerializer(serializers.Serializer):
    selected = serializers.IntegerField(source="audience.selected")
    recipients = serializers.SerializerMethodField()
    excluded = serializers.DictField(source="audience.excluded", child=serializers.IntegerField())
    at_risk = serializers.SerializerMethodField(
        help_text=_("Recipients at risk: skipped, broadcasts to them are paused.")
    )
    discreet = serializers.SerializerMethodField(
        help_text=_("Recipients in discreet mode (not at risk).")
    )
    revealing = serializers.IntegerField(
        help_text=_(
            "Recipients in discreet mode who will be skipped: every text would expose them."
        )
    )
    languages = serializers.ListField(child=serializers.DictField())
    segments = serializers.IntegerField()
    seconds = serializers.IntegerField()

    def get_recipients(self, preview) -> int:
        return len(preview.audience.recipients)

    def get_at_risk(self, preview) -> int:
        return len(preview.audience.at_risk)

    def get_discreet(self, preview) -> int:
        return len(preview.audience.discreet - preview.audience.at_risk)


class BroadcastRecipientSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    status = serializers.CharField(source="delivery_status", read_only=True)
    error_code = serializers.SerializerMethodField()

    class Meta:
        model = BroadcastRecipient
        fields = [
            "id",
            "focal_point",
            "name",
            "phone",
            "language",
            "status",
            "skip_reason",
            "error_code",
            "segments",
            "due_at",
            "sent_at",
            "message",
        ]
        read_only_fields = fields

    def _identity(self, recipient: BroadcastRecipient) -> bool:
        # Those the view may show in clear (networks.identities); masked otherwise.
        return recipient.focal_point_id in self.context.get("identities", ())

    def get_name(self, recipient: BroadcastRecipient) -> str:
        name = recipient.focal_point.name
        return name if self._identity(recipient) else mask_name(name)

    def get_phone(self, recipient: BroadcastRecipient) -> str:
        phone = recipient.focal_point.phone
        return phone if self._identity(recipient) else mask_phone(phone)

    def get_error_code(self, recipient: BroadcastRecipient) -> str:
        return recipient.message.error_code if recipient.message_id else ""


class BroadcastViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """SMS warnings to every focal point of networks, places and people, each in their language.
    Supervisors and admins write and send; analysts read; nobody else sees them."""

    serializer_class = BroadcastSerializer
    filterset_class = selectors.BroadcastFilter
    permission_classes = [CapabilityPermission]
    read_capability = "read_broadcasts"
    write_capabilities = {
        "create": "send_broadcasts",
        "preview": "send_broadcasts",
        "send": "send_broadcasts",
        "cancel": "send_broadcasts",
    }

    def get_queryset(self):
        return selectors.broadcast_list().order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ids = [b.pk for b in page]
        counts = selectors.broadcast_counts(broadcast_ids=ids)
        skipped = selectors.broadcast_skip_counts(broadcast_ids=ids)
        context = dict(self.get_serializer_context(), counts=counts, skipped=skipped)
        return self.get_paginated_response(
            BroadcastSerializer(page, many=True, context=context).data
        )

    def _body(self, broadcast: Broadcast, code: int = status.HTTP_200_OK) -> Response:
        broadcast = self.get_queryset().get(pk=broadcast.pk)
        return Response(
            BroadcastSerializer(broadcast, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=BroadcastWriteSerializer, responses={201: BroadcastSerializer})
    def create(self, request, *args, **kwargs):
        """A draft; nothing is sent until `send`."""
        incoming = BroadcastWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            broadcast = services.broadcast_create(
                created_by=request.user, **incoming.service_arguments()
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return self._body(broadcast, status.HTTP_201_CREATED)

    @extend_schema(request=BroadcastWriteSerializer, responses={200: BroadcastPreviewSerializer})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """Who a selection would reach (opted-out, inactive and listed numbers counted apart)
        and what it costs per language, without saving anything."""
        incoming = BroadcastWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            unsaved = Broadcast()
            services.broadcast_fill(broadcast=unsaved, **incoming.service_arguments())
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(
            BroadcastPreviewSerializer(selectors.broadcast_preview(broadcast=unsaved)).data
        )

    @extend_schema(responses={200: BroadcastPreviewSerializer})
    @action(detail=True, methods=["get"], url_path="preview")
    def preview_saved(self, request, pk=None):
        """The same preview for a saved broadcast, as its selection stands now."""
        preview = selectors.broadcast_preview(broadcast=self.get_object())
        return Response(BroadcastPreviewSerializer(preview).data)

    @extend_schema(request=None, responses={202: BroadcastSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Start sending a draft (queued at the sender's rate); 400 if it is not a draft."""
        callback = services.status_callback_url(
            request.build_absolute_uri(reverse("twilio-status"))
        )
        try:
            broadcast = services.broadcast_send(
                broadcast=self.get_object(), by=request.user, status_callback=callback
            )
        except services.BroadcastRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._body(broadcast, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: BroadcastSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop a draft or a broadcast being sent; 400 once every SMS has been handed over."""
        try:
            broadcast = services.broadcast_cancel(broadcast=self.get_object(), by=request.user)
        except services.BroadcastRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._body(broadcast)

    def _broadcast(self, pk) -> Broadcast:
        # Not get_object(): this action's query parameters filter recipients, not broadcasts.
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", enum=[s for s, _label in selectors.BROADCAST_DELIVERY_STATUSES]
            )
        ],
        responses={200: BroadcastRecipientSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def recipients(self, request, pk=None):
        """Each recipient with their delivery status (filter: `status`), in sending order."""
        recipients = selectors.broadcast_recipients(broadcast=self._broadcast(pk))
        chosen = selectors.BroadcastRecipientFilter(request.query_params, queryset=recipients)
        if not chosen.is_valid():
            raise ValidationError(chosen.errors)
        page = self.paginate_queryset(chosen.qs)
        reveal = reveal_or_refuse(
            request, [r.focal_point_id for r in page], "api_broadcast_recipients", broadcast=pk
        )
        context = {**self.get_serializer_context(), "identities": reveal}
        data = BroadcastRecipientSerializer(page, many=True, context=context)
        return self.get_paginated_response(data.data)

    @extend_schema(responses={200: AlertSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def replies(self, request, pk=None):
        """Alerts raised by SMS recipients sent back, newest first (those one may see)."""
        alerts = selectors.broadcast_reply_alerts(broadcast=self._broadcast(pk))
        page = self.paginate_queryset(alerts_visible(alerts, request.user))
        data = AlertSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(data.data)
