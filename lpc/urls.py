"""Web pages of the lpc app."""

from django.urls import path

from . import views

app_name = "lpc"

urlpatterns = [
    path("", views.lpc_list, name="list"),
    path("new/", views.lpc_create, name="create"),
    path("<int:pk>/", views.lpc_detail, name="detail"),
    path("<int:pk>/edit/", views.lpc_edit, name="edit"),
    path("<int:pk>/representation/", views.lpc_report, name="report"),
    path("<int:pk>/members/new/", views.member_create, name="member-create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/alert/", views.meeting_alert, name="meeting-alert"),
    path("action-points/<int:pk>/", views.action_point_edit, name="action-point"),
]
