"""Web pages of the cla app."""

from django.urls import path  # noqa: F401

app_name = "cla"

urlpatterns: list = []
