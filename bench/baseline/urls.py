from django.urls import path

from . import views

urlpatterns = [path("webhooks/twilio/sms/", views.insert_one)]
