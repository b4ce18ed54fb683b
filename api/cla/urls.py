"""/api/v1/ routes of the cla app."""

from rest_framework.routers import SimpleRouter

from .views import FieldVisitViewSet

router = SimpleRouter()
router.register("field-visits", FieldVisitViewSet, basename="field-visit")
urlpatterns = router.urls
