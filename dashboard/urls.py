from django.urls import include, path

from . import (
    views,
    views_engagement,
    views_followup,
    views_identities,
    views_incident_loop,
    views_incidents,
    views_map,
    views_operator,
    views_overdue,
    views_work,
)
from .views_stats import stats_page

app_name = "dashboard"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("rows/", views.queue_rows, name="queue-rows"),
    path("bulk/", views.queue_bulk, name="queue-bulk"),
    path("overdue/", views_overdue.overdue_list, name="overdue"),
    path("identity-reads/", views_identities.identity_reads, name="identity-reads"),
    path("map/", views_map.map_page, name="map"),
    path("map/data/", views_map.map_data, name="map-data"),
    path("map/deployments/", views_engagement.deployment_map_data, name="map-deployments"),
    path("stats/", stats_page, name="stats"),
    path("alerts/new/", views_operator.alert_new, name="alert-new"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/status/", views.alert_set_status, name="alert-status"),
    path("alerts/<int:pk>/priority/", views.alert_set_priority, name="alert-priority"),
    path("alerts/<int:pk>/assign/", views.alert_assign, name="alert-assign"),
    path("alerts/<int:pk>/reply/", views.alert_reply, name="alert-reply"),
    path("alerts/<int:pk>/correct/", views_followup.alert_correct, name="alert-correct"),
    path("alerts/<int:pk>/escalate/", views_followup.alert_escalate_view, name="alert-escalate"),
    path("alerts/<int:pk>/note/", views_followup.alert_note, name="alert-note"),
    path(
        "alerts/<int:pk>/called-back/", views_followup.alert_called_back, name="alert-called-back"
    ),
    path(
        "alerts/<int:pk>/reporter-safe/",
        views_followup.alert_reporter_safe,
        name="alert-reporter-safe",
    ),
    path("alerts/<int:pk>/thread/", views_followup.alert_thread_partial, name="alert-thread"),
    path("alerts/<int:pk>/recording/", views_followup.alert_recording, name="alert-recording"),
    path("alerts/<int:pk>/claim/", views_work.alert_claim_view, name="alert-claim"),
    path("alerts/<int:pk>/release/", views_work.alert_release_view, name="alert-release"),
    path("duty/", views_work.duty_set, name="duty"),
    path("incidents/<int:pk>/", views_incidents.incident_detail, name="incident"),
    path("incidents/<int:pk>/merge/", views_incidents.incident_merge_view, name="incident-merge"),
    path("incidents/<int:pk>/split/", views_incidents.incident_split_view, name="incident-split"),
    path(
        "incidents/<int:pk>/resolve/",
        views_incidents.incident_resolve_view,
        name="incident-resolve",
    ),
    path(
        "incidents/<int:pk>/reopen/", views_incidents.incident_reopen_view, name="incident-reopen"
    ),
    path(
        "incidents/<int:pk>/tell-reporters/",
        views_incident_loop.incident_tell_reporters,
        name="incident-tell-reporters",
    ),
    path(
        "incidents/<int:pk>/tell-area/",
        views_incident_loop.incident_tell_area,
        name="incident-tell-area",
    ),
    path("broadcasts/", include("dashboard.views_broadcasts")),
    path(
        "alerts/<int:pk>/tell-reporter/",
        views_engagement.alert_tell_reporter,
        name="alert-tell-reporter",
    ),
    path("alerts/<int:pk>/tell-area/", views_engagement.alert_tell_area, name="alert-tell-area"),
    path("town-halls/", views_engagement.town_hall_index, name="town-halls"),
    path("town-halls/new/", views_engagement.town_hall_new, name="town-hall-new"),
    path("town-halls/<int:pk>/", views_engagement.town_hall_page, name="town-hall"),
    path(
        "town-halls/concerns/<int:pk>/raise/",
        views_engagement.concern_raise,
        name="concern-raise",
    ),
    path(
        "town-halls/commitments/<int:pk>/answer/",
        views_engagement.commitment_answer,
        name="commitment-answer",
    ),
    path(
        "town-halls/commitments/overdue/",
        views_engagement.commitments_overdue_page,
        name="commitments-overdue",
    ),
    path("deployments/", views_engagement.deployment_index, name="deployments"),
    path("deployments/new/", views_engagement.deployment_new, name="deployment-new"),
    path("deployments/<int:pk>/", views_engagement.deployment_page, name="deployment"),
    path(
        "deployments/<int:pk>/findings/",
        views_engagement.deployment_findings,
        name="deployment-findings",
    ),
    path(
        "deployments/recommendations/<int:pk>/",
        views_engagement.recommendation_follow,
        name="recommendation-follow",
    ),
    path("polls/", include("dashboard.views_polls")),
]
