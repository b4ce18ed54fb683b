"""GET /api/v1/incidents/export/: the filtered incidents as CSV, HXL-tagged CSV or GeoJSON."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from alerts import exports as alert_exports
from config.api_permissions import RolePermission
from networks.audit import audit_export_record

from .. import selectors
from ..exports import incident_export_stream


class IncidentExportOptions(serializers.Serializer):
    # Not "format": DRF keeps that query parameter for choosing a renderer.
    as_ = serializers.ChoiceField(choices=alert_exports.FORMATS, default="csv")

    def to_internal_value(self, data):
        return super().to_internal_value({"as_": data.get("as", "csv")})


class IncidentExportView(GenericAPIView):
    """Every incident the filters select (the incident list's filters), streamed: places,
    times, categories, priority, corroboration and counts; never who reported."""

    permission_classes = [RolePermission]
    filterset_class = selectors.IncidentFilter
    pagination_class = None

    def get_queryset(self):
        return selectors.incident_list().order_by("first_seen_at", "id")

    @extend_schema(
        parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=list(alert_exports.FORMATS))],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, *args, **kwargs):
        options = IncidentExportOptions(data=request.query_params)
        options.is_valid(raise_exception=True)
        file_format = options.validated_data["as_"]
        queryset = self.filter_queryset(self.get_queryset())
        audit_export_record(
            request=request,
            export=f"incidents_{file_format}",
            target_type="triage.incident",
            filters={key: request.query_params.getlist(key) for key in request.query_params},
            identities=False,
            count=queryset.count(),
        )
        response = StreamingHttpResponse(
            incident_export_stream(queryset, file_format=file_format),
            content_type=alert_exports.CONTENT_TYPES[file_format],
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"kengele-incidents-{stamp}.{alert_exports.EXTENSIONS[file_format]}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
