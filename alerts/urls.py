from django.urls import path

from . import webhooks

urlpatterns = [
    path("twilio/sms/", webhooks.sms, name="twilio-sms"),
    path("twilio/status/", webhooks.status, name="twilio-status"),
    path("twilio/voice/", webhooks.voice, name="twilio-voice"),
    path("twilio/voice/language/", webhooks.voice_language, name="twilio-voice-language"),
    path("twilio/voice/category/", webhooks.voice_category, name="twilio-voice-category"),
    path("twilio/voice/recording/", webhooks.voice_recording, name="twilio-voice-recording"),
    path("twilio/voice/status/", webhooks.voice_status, name="twilio-voice-status"),
]
