"""Phone numbers: parse whatever people type into E.164, with DR Congo as the default region."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(raw: str, region: str | None = None) -> str:
    """'+243 99 123 4567' or '0991234567' -> '+243991234567'; anything else is a ValidationError."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("A phone number is required."), code="required")
    try:
        number = phonenumbers.parse(text, region or settings.SMS_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(raw)s” is not a phone number (%(reason)s)."),
            code="invalid",
            params={"raw": text, "reason": str(exc).split(") ", 1)[-1]},
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(raw)s” is not a valid phone number for its country."),
            code="invalid",
            params={"raw": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
