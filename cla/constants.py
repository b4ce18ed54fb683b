"""Limits and vocabularies of the cla app, kept in one place."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = (
    ("fr", _("French")),
    ("sw", _("Swahili")),
    ("ln", _("Lingala")),
    ("en", _("English")),
)
