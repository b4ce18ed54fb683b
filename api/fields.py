"""Serializer fields the API packages share."""

from rest_framework import serializers

from networks.constants import MAX_ID


class BoundedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id the database can hold (1 to 2^63-1), checked before any query is made."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            value = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if str(data).strip() != str(value) or not 1 <= value <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(value)
