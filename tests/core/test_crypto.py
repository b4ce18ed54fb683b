import pytest

from core import crypto


def test_values_round_trip_and_differ_each_time(settings):
    first, second = crypto.encrypt("+243991234567"), crypto.encrypt("+243991234567")
    assert first != second and "991234567" not in first
    assert crypto.decrypt(first) == "+243991234567"


def test_a_rotated_key_still_reads_old_values(settings):
    old = crypto.encrypt("Kavira Masika")
    settings.FIELD_ENCRYPTION_KEY = "a-new-key," + settings.FIELD_ENCRYPTION_KEY
    assert crypto.decrypt(old) == "Kavira Masika"
    assert crypto.decrypt(crypto.rotate(old)) == "Kavira Masika"


def test_a_wrong_key_refuses_to_read_rather_than_invent_a_value(settings):
    token = crypto.encrypt("Kavira Masika")
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    with pytest.raises(crypto.UndecryptableValue, match="FIELD_ENCRYPTION_KEY"):
        crypto.decrypt(token)


def test_lookup_hashes_are_stable_and_keyed(settings):
    digest = crypto.lookup_hash("+243991234567")
    assert digest == crypto.lookup_hash("+243991234567") and "991234567" not in digest
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    assert crypto.lookup_hash("+243991234567") != digest
