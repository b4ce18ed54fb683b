"""Phone numbers masked out of text that comes from elsewhere (a provider's error message, a
log line, a filter someone typed), so it can be stored or written without revealing anyone.

A run of more than six digits is taken for a number: "+243991234567" and "+243 991 234 567"
alike. Shorter runs stay readable, so a provider's five-digit error code (21211) or a count
still says what happened; dates and times (dashes, colons) are left alone.
"""

import re

from django.db import models

# Seven or more digits, each after the first optionally preceded by one space.
LONG_NUMBER = re.compile(r"\d(?: ?\d){6,}")
MASK = "[number]"


def mask_numbers(text: str) -> str:
    return LONG_NUMBER.sub(MASK, text)


class NumbersMaskedCharField(models.CharField):
    """A text column that never stores a long digit run: every value written (save or
    QuerySet.update alike) has its numbers masked, then is cut to the column's length (masking
    first, so that cutting cannot leave a number's first digits short enough to pass)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if isinstance(value, str):
            return mask_numbers(value)[: self.max_length]
        return value
