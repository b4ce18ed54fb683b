"""Web pages of the lpc app."""

from django.urls import path  # noqa: F401

app_name = "lpc"

urlpatterns: list = []
