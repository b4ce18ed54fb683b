"""GET /api/v1/alerts/export/: the filtered alerts as CSV, HXL-tagged CSV or GeoJSON."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from config.api_permissions import RolePermission
from config.permissions import alerts_visible
from networks.audit import audit_export_record

from .. import exports, selectors


class ExportOptions(serializers.Serializer):
    # Not "format": DRF keeps that query parameter for choosing a renderer.
    as_ = serializers.ChoiceField(choices=exports.FORMATS, default="csv")
    text = serializers.BooleanField(default=False)

    def to_internal_value(self, data):
        data = {"as_": data.get("as", "csv"), "text": data.get("text", False)}
        return super().to_internal_value(data)


class AlertExportView(GenericAPIView):
    """Every alert the filters select (the same filters as the alert list), streamed. Reporter
    identity is never included; the alert text only with `text=true`."""

    permission_classes = [RolePermission]
    filterset_class = selectors.AlertFilter
    pagination_class = None

    def get_queryset(self):
        return alerts_visible(selectors.alert_list(), self.request.user).order_by(
            "received_at", "id"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("as", OpenApiTypes.STR, enum=list(exports.FORMATS)),
            OpenApiParameter("text", OpenApiTypes.BOOL),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, *args, **kwargs):
        options = ExportOptions(data=request.query_params)
        options.is_valid(raise_exception=True)
        file_format = options.validated_data["as_"]
        include_text = options.validated_data["text"]
        queryset = self.filter_queryset(self.get_queryset())
        audit_export_record(
            request=request,
            export=f"alerts_{file_format}",
            target_type="alerts.alert",
            filters={key: request.query_params.getlist(key) for key in request.query_params},
            identities=False,
            count=queryset.count(),
        )
        response = StreamingHttpResponse(
            exports.alert_export_stream(
                queryset, file_format=file_format, include_text=include_text
            ),
            content_type=exports.CONTENT_TYPES[file_format],
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"kengele-alerts-{stamp}.{exports.EXTENSIONS[file_format]}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
