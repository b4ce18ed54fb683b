"""Admin of the alerts app's data."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import VoicePrompt


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
