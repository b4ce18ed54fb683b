from rest_framework.routers import SimpleRouter

from .views import AuditEntryViewSet, FocalPointViewSet, LocationViewSet, NetworkViewSet

router = SimpleRouter()
router.register("locations", LocationViewSet, basename="location")
router.register("networks", NetworkViewSet, basename="network")
router.register("focal-points", FocalPointViewSet, basename="focal-point")
router.register("audit", AuditEntryViewSet, basename="audit-entry")
urlpatterns = router.urls
