"""Admin of polls: built and sent from the dashboard's poll pages (through the services that
use the broadcasts); here drafts' questions can be edited and answers read. No answer shows a
phone number or a name."""

from django.contrib import admin

from .models import Choice, Interview, Poll, Question, Response


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "kind", "text_fr", "text_sw", "text_ln", "text_en")
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == "draft"
        )

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "previous_round", "sent_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("title",)
    inlines = [QuestionInline]
    fields = ("title", "previous_round", "status", "broadcast", "sent_by", "sent_at", "closed_at")
    readonly_fields = ("status", "broadcast", "sent_by", "sent_at", "closed_at")


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ("number", "label_fr", "label_sw", "label_ln", "label_en")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "poll", "kind")
    list_filter = ("kind",)
    inlines = [ChoiceInline]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.poll.status == Poll.Status.DRAFT)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnly):
    list_display = ("poll", "question", "choice", "source", "group", "territory", "received_at")
    list_filter = ("source", "group", "reports_violence")
    fields = (
        "poll",
        "question",
        "choice",
        "text",
        "source",
        "group",
        "territory",
        "reports_violence",
        "received_at",
    )
    list_select_related = ("poll", "question", "choice", "territory")


@admin.register(Interview)
class InterviewAdmin(ReadOnly):
    list_display = ("poll", "group", "location", "recorded_by", "recorded_at")
    list_filter = ("group",)
    fields = ("poll", "group", "location", "territory", "recorded_by", "recorded_at")
