"""Community Liaison Assistants: who they are, where they work, their field visits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import LANGUAGE_CHOICES


class CLAProfile(models.Model):
    """What a CLA user covers: a base, the languages spoken and the places assigned."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="cla_profile",
    )
    base = models.ForeignKey(
        "networks.Location",
        verbose_name=_("base"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cla_based",
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Language codes spoken: fr, sw, ln, en."),
    )
    assigned_places = models.ManyToManyField(
        "networks.Location",
        verbose_name=_("assigned territories and places"),
        blank=True,
        related_name="cla_assigned",
        help_text=_("A territory (or any area) covers every place inside it."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("CLA profile")
        verbose_name_plural = _("CLA profiles")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    def clean(self) -> None:
        allowed = {code for code, _label in LANGUAGE_CHOICES}
        if not isinstance(self.languages, list) or any(
            code not in allowed for code in self.languages
        ):
            raise ValidationError(
                {
                    "languages": _("Choose languages among: %(codes)s.")
                    % {"codes": ", ".join(sorted(allowed))}
                }
            )
