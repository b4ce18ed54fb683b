"""/api/v1/ routes of the engagement app."""

from rest_framework.routers import SimpleRouter

from .views import DeploymentViewSet, TownHallViewSet

router = SimpleRouter()
router.register("town-halls", TownHallViewSet, basename="town-hall")
router.register("deployments", DeploymentViewSet, basename="deployment")
urlpatterns = router.urls
