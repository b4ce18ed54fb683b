"""/api/v1/ routes of the engagement app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .loop import AlertLoopViewSet, IncidentLoopViewSet
from .views import DeploymentViewSet, TownHallViewSet

router = SimpleRouter()
router.register("town-halls", TownHallViewSet, basename="town-hall")
router.register("deployments", DeploymentViewSet, basename="deployment")
# Closing the loop, beside the alerts' and incidents' own routes (api.alerts, api.triage).
urlpatterns = [
    path(
        "alerts/<int:pk>/loop/",
        AlertLoopViewSet.as_view({"get": "preview"}),
        name="alert-loop",
    ),
    path(
        "alerts/<int:pk>/loop/reporter/",
        AlertLoopViewSet.as_view({"post": "reporter"}),
        name="alert-loop-reporter",
    ),
    path(
        "alerts/<int:pk>/loop/area/",
        AlertLoopViewSet.as_view({"post": "area"}),
        name="alert-loop-area",
    ),
    path(
        "incidents/<int:pk>/loop/",
        IncidentLoopViewSet.as_view({"get": "preview"}),
        name="incident-loop",
    ),
    path(
        "incidents/<int:pk>/loop/reporters/",
        IncidentLoopViewSet.as_view({"post": "reporters"}),
        name="incident-loop-reporters",
    ),
    path(
        "incidents/<int:pk>/loop/area/",
        IncidentLoopViewSet.as_view({"post": "area"}),
        name="incident-loop-area",
    ),
]
urlpatterns += router.urls
