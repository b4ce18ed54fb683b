"""Phone numbers: parse whatever people type into E.164, with DR Congo as the default region."""

from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: gettext_lazy("unknown country code"),
    phonenumbers.NumberParseException.NOT_A_NUMBER: gettext_lazy("not a number"),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: gettext_lazy("too short"),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: gettext_lazy("too short"),
    phonenumbers.NumberParseException.TOO_LONG: gettext_lazy("too long"),
}


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
            params={"raw": text, "reason": _PARSE_REASONS.get(exc.error_type, _("unreadable"))},
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(raw)s” is not a valid phone number for its country."),
            code="invalid",
            params={"raw": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_sender(raw: str) -> str:
    """A sender as a provider gives it: E.164 when it parses, else as it came (short codes,
    alphanumeric senders), so it can still be hashed and answered."""
    return _sender(raw, settings.SMS_DEFAULT_REGION)


@lru_cache(maxsize=4096)
def _sender(raw: str, region: str) -> str:
    """normalise_sender's answer, remembered: the same numbers write again and again (a focal
    point's follow-ups, a flooding number), and parsing one is a good share of an SMS's cost."""
    try:
        return normalise_phone(raw, region)
    except ValidationError:
        return (raw or "").strip()
