"""Web pages of the conduct app (complaints and CBCM members)."""

from django.urls import path

from . import views

app_name = "conduct"

urlpatterns = [
    path("", views.complaint_list, name="complaints"),
    path("new/", views.complaint_new, name="complaint-new"),
    path("<int:pk>/", views.complaint_detail, name="complaint"),
    path("<int:pk>/status/", views.complaint_status, name="complaint-status"),
    path("members/", views.member_list, name="members"),
    path("members/new/", views.member_new, name="member-new"),
    path("members/<int:pk>/", views.member_edit, name="member-edit"),
]
