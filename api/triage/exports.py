"""GET /api/v1/incidents/export/: the filtered incidents as CSV, HXL-tagged CSV or GeoJSON."""

from drf_spectacular.utils import extend_schema

from access.alerts import incidents_visible
from api.alerts.exports import (
    AS_PARAMETER,
    EXPORT_RESPONSES,
    FORMAT_PARAMETER,
    StreamedExportView,
)
from triage import selectors
from triage.exports import incident_export_stream


class IncidentExportView(StreamedExportView):
    """Every incident the filters select (the incident list's filters) among those holding an
    alert one may see, streamed: places, times, categories, priority, corroboration and
    counts; never who reported."""

    filterset_class = selectors.IncidentFilter
    export_name = "incidents"
    target_type = "triage.incident"

    def get_queryset(self):
        incidents = incidents_visible(selectors.incident_list(), self.request.user)
        return incidents.order_by("first_seen_at", "id")

    def stream(self, queryset, *, file_format: str, options: dict):
        return incident_export_stream(queryset, file_format=file_format)

    @extend_schema(parameters=[AS_PARAMETER, FORMAT_PARAMETER], responses=EXPORT_RESPONSES)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
