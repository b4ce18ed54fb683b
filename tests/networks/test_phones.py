import pytest
from django.core.exceptions import ValidationError

from networks.phones import normalise_phone


@pytest.mark.parametrize("typed", ["+243 99 123 4567", "0991234567", "+243-991-234-567"])
def test_it_normalises_what_people_type_to_e164(typed):
    assert normalise_phone(typed) == "+243991234567"


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        ("abc", "is not a phone number"),
        ("12", "is not a valid phone number"),
        ("+243 12", "is not a valid phone number"),
    ],
)
def test_it_rejects_junk_with_a_message_naming_the_input(junk, reason):
    with pytest.raises(ValidationError) as caught:
        normalise_phone(junk)
    (message,) = caught.value.messages
    assert f"“{junk}”" in message
    assert reason in message


def test_it_requires_a_number():
    with pytest.raises(ValidationError, match="required"):
        normalise_phone("  ")
