"""/api/v1/ routes of the polls app."""

from rest_framework.routers import SimpleRouter

from .views import PollViewSet

router = SimpleRouter()
router.register("polls", PollViewSet, basename="poll")
urlpatterns = router.urls
