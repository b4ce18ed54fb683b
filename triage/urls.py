from django.urls import path

from . import views, views_map

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("rows/", views.queue_rows, name="queue-rows"),
    path("map/", views_map.map_page, name="map"),
    path("map/data/", views_map.map_data, name="map-data"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/status/", views.alert_set_status, name="alert-status"),
    path("alerts/<int:pk>/priority/", views.alert_set_priority, name="alert-priority"),
    path("alerts/<int:pk>/assign/", views.alert_assign_me, name="alert-assign"),
    path("alerts/<int:pk>/reply/", views.alert_reply, name="alert-reply"),
]
