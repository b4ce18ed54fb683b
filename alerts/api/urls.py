from rest_framework.routers import SimpleRouter

from .views import AlertViewSet, MessageViewSet

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="alert")
router.register("messages", MessageViewSet, basename="message")
urlpatterns = router.urls
