"""Every /api/v1/ route, gathered from the per-app packages' urls.py modules."""

from django.urls import include, path

urlpatterns = [
    path("", include("api.alerts.urls")),
    path("", include("api.networks.urls")),
    path("", include("api.triage.urls")),
    path("", include("api.lpc.urls")),
    path("", include("api.cla.urls")),
    path("", include("api.engagement.urls")),
    path("", include("api.polls.urls")),
    path("", include("api.conduct.urls")),
]
