"""Admin of the alerts app's data."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Broadcast, Keyword, ReplyText, VoicePrompt
from .services.texts import clear_cache, normalise_keyword


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    """Words that act on a sender's subscription when they are a whole message. A word that may
    be a cry for help makes an alert instead (the help words still send their instructions):
    untick "may be a plea" only for a word that can never mean "help us" or "stop them"."""

    list_display = ("word", "action", "language", "may_be_plea")
    list_editable = ("may_be_plea",)
    list_filter = ("may_be_plea", "action", "language")
    search_fields = ("word",)
    ordering = ("action", "word")
    fields = ("word", "action", "language", "may_be_plea")

    def save_model(self, request, obj, form, change) -> None:
        obj.word = normalise_keyword(obj.word)  # as messages are compared with it
        super().save_model(request, obj, form, change)
        clear_cache()  # this process reads the change at once; others within a minute


@admin.register(ReplyText)
class ReplyTextAdmin(admin.ModelAdmin):
    """The automatic answers (acknowledgement, keyword confirmations, help) per language: the
    standard wording, and the neutral one a focal point in discreet mode gets instead (refused
    when it names Kengele, an alert or the mission)."""

    list_display = ("key", "language", "text", "discreet_text")
    list_filter = ("key", "language")
    search_fields = ("text", "discreet_text")
    ordering = ("key", "language")
    fields = ("key", "language", "text", "discreet_text")

    def get_readonly_fields(self, request, obj=None):
        # Intake looks a text up by its purpose and language: fixed once made.
        return ("key", "language") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        clear_cache()  # this process reads the change at once; others within a minute


@admin.register(VoicePrompt)
class VoicePromptAdmin(admin.ModelAdmin):
    """The voice menu's words per language; a recording uploaded here is played instead of the
    text (Twilio cannot speak Swahili or Lingala)."""

    list_display = ("key", "language", "text", "has_recording", "updated_at")
    list_filter = ("key", "language")
    search_fields = ("text",)
    ordering = ("key", "language")
    fields = ("key", "language", "text", "audio")

    def get_readonly_fields(self, request, obj=None):
        # A prompt's purpose and language are what the menu looks it up by: fixed once made.
        return ("key", "language") if obj is not None else ()

    @admin.display(boolean=True, description=_("recording"))
    def has_recording(self, obj: VoicePrompt) -> bool:
        return bool(obj.audio)


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    """Broadcasts for the record. They are written, sent and cancelled, and their recipients
    followed, on the dashboard's broadcast pages: nothing is edited here."""

    list_display = ("title", "status", "created_by", "created_at", "sent_at", "recipient_count")
    list_filter = ("status",)
    search_fields = ("title",)
    date_hierarchy = "created_at"
    fields = (
        "title",
        "status",
        "text_fr",
        "text_sw",
        "text_ln",
        "text_en",
        "discreet_text_fr",
        "discreet_text_sw",
        "discreet_text_ln",
        "discreet_text_en",
        "network_ids",
        "location_ids",
        "focal_point_ids",
        "created_by",
        "created_at",
        "sent_by",
        "sent_at",
        "finished_at",
        "cancelled_by",
        "cancelled_at",
        "recipient_count",
        "excluded",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
