from django.contrib import admin

from .models import Commitment, Concern, Deployment, Recommendation, TownHall


class ConcernInline(admin.TabularInline):
    model = Concern
    extra = 0
    fields = ("categories", "risk_factors", "text", "alert")
    raw_id_fields = ("alert",)


class CommitmentInline(admin.TabularInline):
    model = Commitment
    fk_name = "town_hall"
    extra = 0
    fields = ("text", "owner", "due_on", "status", "answer", "answered_at")
    raw_id_fields = ("answered_at",)


@admin.register(TownHall)
class TownHallAdmin(admin.ModelAdmin):
    list_display = ("held_on", "place", "convener")
    list_filter = ("held_on",)
    date_hierarchy = "held_on"
    raw_id_fields = ("place",)
    inlines = [ConcernInline, CommitmentInline]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ("text", "status", "follow_up")


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ("started_on", "kind", "area", "ended_on")
    list_filter = ("kind",)
    date_hierarchy = "started_on"
    raw_id_fields = ("area", "alerts", "incidents")
    inlines = [RecommendationInline]
