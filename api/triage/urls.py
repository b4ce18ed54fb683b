from django.urls import path
from rest_framework.routers import SimpleRouter

from .exports import IncidentExportView
from .views import IncidentViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
# Before the router, whose incidents/<pk>/ would otherwise take "export" for an id.
urlpatterns = [path("incidents/export/", IncidentExportView.as_view(), name="incident-export")]
urlpatterns += router.urls
