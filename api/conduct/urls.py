"""/api/v1/ routes of the conduct app."""

from rest_framework.routers import SimpleRouter

from .views import CbcmMemberViewSet, ComplaintViewSet

router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("cbcm-members", CbcmMemberViewSet, basename="cbcm-member")
urlpatterns = router.urls
