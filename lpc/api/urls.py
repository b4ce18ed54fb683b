"""/api/v1/ routes of the lpc app."""

urlpatterns: list = []
