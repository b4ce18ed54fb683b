"""Web pages of the cla app."""

from django.urls import path

from . import views, views_team

app_name = "cla"

urlpatterns = [
    path("", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit-new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("visits/<int:pk>/alert/", views.visit_alert, name="visit-alert"),
    path("follow-ups/", views.follow_up_list, name="follow-ups"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("calendar/", views.visit_calendar, name="calendar"),
    path("team/", views_team.team, name="team"),
    path("team/<int:pk>/", views_team.profile, name="profile"),
    path("team/<int:pk>/handover/", views_team.handover, name="handover"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("csrf/", views.csrf_token, name="csrf"),
    path("coverage.json", views.coverage_json, name="coverage-json"),
]
