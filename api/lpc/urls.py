"""/api/v1/ routes of the lpc app."""

from rest_framework.routers import SimpleRouter

from .views import LPCMeetingViewSet, LPCMemberViewSet, LPCViewSet

router = SimpleRouter()
router.register("lpcs", LPCViewSet, basename="lpc")
router.register("lpc-members", LPCMemberViewSet, basename="lpc-member")
router.register("lpc-meetings", LPCMeetingViewSet, basename="lpc-meeting")
urlpatterns = router.urls
