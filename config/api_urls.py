"""Every /api/v1/ route, gathered from the apps' api/urls.py modules."""

from django.urls import include, path

urlpatterns = [
    path("", include("alerts.api.urls")),
    path("", include("networks.api.urls")),
    path("", include("triage.api.urls")),
    path("", include("lpc.api.urls")),
    path("", include("cla.api.urls")),
]
