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


def test_a_sender_is_normalised_for_the_region_in_force_each_time(settings):
    from networks.phones import normalise_sender

    settings.SMS_DEFAULT_REGION = "CD"
    assert normalise_sender("0991234567") == "+243991234567"
    assert normalise_sender(" 0991234567 ") == "+243991234567"
    settings.SMS_DEFAULT_REGION = "KE"  # the same text means another number elsewhere
    assert normalise_sender("0712345678") == "+254712345678"
    settings.SMS_DEFAULT_REGION = "CD"
    assert normalise_sender("0712345678") != "+254712345678"
    # senders that are not numbers come back as they are, remembered or not
    for _twice in range(2):
        assert normalise_sender(" MPESA ") == "MPESA"
        assert normalise_sender("12345") == "12345"
