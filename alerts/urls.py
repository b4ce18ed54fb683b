from django.urls import path

from . import webhooks

urlpatterns = [
    path("twilio/sms/", webhooks.sms, name="twilio-sms"),
    path("twilio/status/", webhooks.status, name="twilio-status"),
]
