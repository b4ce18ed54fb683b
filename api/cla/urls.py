"""/api/v1/ routes of the cla app."""

from rest_framework.routers import SimpleRouter

from .views import CLAHandoverViewSet, FieldVisitViewSet

router = SimpleRouter()
router.register("field-visits", FieldVisitViewSet, basename="field-visit")
router.register("cla-handovers", CLAHandoverViewSet, basename="cla-handover")
urlpatterns = router.urls
