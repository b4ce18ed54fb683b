"""/api/v1/ routes of the cla app."""

urlpatterns: list = []
