from django.urls import path
from rest_framework.routers import SimpleRouter

from .broadcasts import BroadcastViewSet
from .exports import AlertExportView
from .views import AlertViewSet, MessageViewSet

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="alert")
router.register("messages", MessageViewSet, basename="message")
router.register("broadcasts", BroadcastViewSet, basename="broadcast")
# Before the router, whose alerts/<pk>/ would otherwise take "export" for an id.
urlpatterns = [path("alerts/export/", AlertExportView.as_view(), name="alert-export")]
urlpatterns += router.urls
