"""Streamed partner exports (CSV, HXL-tagged CSV, GeoJSON) of a filtered list, audited; and
GET /api/v1/alerts/export/, the filtered alerts."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation

from access.alerts import alerts_visible
from alerts import exports, selectors
from core.permissions import CapabilityPermission
from core.roles import can_see_identity
from networks.audit import audit_export_record

EXPORT_RESPONSES = {
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/geo+json"): OpenApiTypes.OBJECT,
}
AS_PARAMETER = OpenApiParameter("as", OpenApiTypes.STR, enum=list(exports.FORMATS))
FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=list(exports.FORMATS), description="The same as `as`."
)


class ExportNegotiation(DefaultContentNegotiation):
    """An export reads `?format=` as the file's format (like `?as=`), not as DRF's choice of
    renderer: its errors are JSON whatever the format asked for."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


class ExportOptions(serializers.Serializer):
    as_ = serializers.ChoiceField(choices=exports.FORMATS, default="csv")

    def to_internal_value(self, data):
        asked = {data[key] for key in ("as", "format") if data.get(key)}
        if len(asked) > 1:
            raise serializers.ValidationError(
                {"format": [_("Give the format once: “as” and “format” disagree.")]}
            )
        values = {"as_": asked.pop() if asked else "csv"}
        values.update({name: data[name] for name in self.fields if name != "as_" and name in data})
        return super().to_internal_value(values)


class StreamedExportView(GenericAPIView):
    """A list's filters select the rows; `stream` writes them in the asked format. Every export
    is recorded in the audit trail with its filters and row count."""

    permission_classes = [CapabilityPermission]
    content_negotiation_class = ExportNegotiation
    pagination_class = None
    options_class = ExportOptions
    export_name = ""  # e.g. "alerts": the file's name and the audit entry's
    target_type = ""  # e.g. "alerts.alert"

    def stream(self, queryset, *, file_format: str, options: dict):
        raise NotImplementedError

    def check_options(self, options: dict) -> None:
        """Refuse (raise) options this user may not ask for."""

    def get(self, request, *args, **kwargs):
        incoming = self.options_class(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        options = incoming.validated_data
        self.check_options(options)
        file_format = options["as_"]
        queryset = self.filter_queryset(self.get_queryset())
        audit_export_record(
            request=request,
            export=f"{self.export_name}_{file_format}",
            target_type=self.target_type,
            filters={key: request.query_params.getlist(key) for key in request.query_params},
            identities=False,
            count=queryset.count(),
        )
        response = StreamingHttpResponse(
            self.stream(queryset, file_format=file_format, options=options),
            content_type=exports.CONTENT_TYPES[file_format],
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"kengele-{self.export_name}-{stamp}.{exports.EXTENSIONS[file_format]}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class AlertExportOptions(ExportOptions):
    text = serializers.BooleanField(default=False)


class AlertExportView(StreamedExportView):
    """Every alert the filters select (the same filters as the alert list), streamed. Reporter
    identity is never included, nor a reporter's home (such alerts go out at their territory);
    the alert text only with `text=true`, for roles that may read reporters' identities (a text
    often says who wrote it): others get places, times, categories and decisions."""

    filterset_class = selectors.SharedAlertFilter
    options_class = AlertExportOptions
    export_name = "alerts"
    target_type = "alerts.alert"

    def get_queryset(self):
        return alerts_visible(selectors.alert_list(), self.request.user).order_by(
            "received_at", "id"
        )

    def stream(self, queryset, *, file_format: str, options: dict):
        return exports.alert_export_stream(
            queryset, file_format=file_format, include_text=options["text"]
        )

    def check_options(self, options: dict) -> None:
        if options["text"] and not can_see_identity(self.request.user):
            raise PermissionDenied(
                _("Alert texts are exported only for roles that may read reporters' identities.")
            )

    @extend_schema(
        parameters=[AS_PARAMETER, FORMAT_PARAMETER, OpenApiParameter("text", OpenApiTypes.BOOL)],
        responses=EXPORT_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
