"""Encryption at rest for personal data, and keyed hashes for exact lookups.

Focal points' names and phone numbers are stored as Fernet tokens, so a stolen database reveals
nothing. Encrypted values cannot be compared in SQL, so each phone number also gets a keyed hash
(HMAC-SHA256) column: the webhook finds a sender by hashing the number it receives.
"""

import base64
import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def fernet_key(raw: str) -> bytes:
    """A Fernet key as given, or one derived from any other secret string."""
    try:
        if len(base64.urlsafe_b64decode(raw.encode())) == 32:
            return raw.encode()
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


def configured_keys() -> list[str]:
    return [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(fernet_key(k)) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(configured_keys()))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


class UndecryptableValue(ValueError):
    """Stored data this instance's keys cannot read (FIELD_ENCRYPTION_KEY changed or lost)."""


def decrypt(token: str) -> str:
    return decrypt_bytes(token).decode()


def encrypt_bytes(value: bytes) -> str:
    return fernet().encrypt(value).decode()


def decrypt_bytes(token: str) -> bytes:
    try:
        return fernet().decrypt(token.encode())
    except InvalidToken as exc:
        # Refuse loudly: showing a placeholder would let the next save overwrite the real value.
        raise UndecryptableValue(
            "Encrypted data cannot be read with FIELD_ENCRYPTION_KEY: was the key changed? "
            "Put the old key after the new one (comma-separated) to read and rotate it."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the current (first) key."""
    return fernet().rotate(token.encode()).decode()


def hash_key() -> str:
    """FIELD_HASH_KEY, or the first encryption key when it is unset (as before it existed)."""
    return getattr(settings, "FIELD_HASH_KEY", "") or configured_keys()[0]


def lookup_hash(value: str, key: str | None = None) -> str:
    """Keyed hash for exact-match lookups of an encrypted value (e.g. a phone number).

    Keyed by FIELD_HASH_KEY, not by the encryption keys' order: rotating the encryption key
    leaves every stored hash valid, opt-outs included (they keep nothing else).
    """
    secret = hashlib.sha256(b"kengele-lookup:" + (key or hash_key()).encode()).digest()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give back the clear text."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(models.TextField):
    """JSON stored encrypted (raw provider payloads, which carry phone numbers; media links).

    An empty value (None, [], {}) is stored as NULL or "" rather than encrypted, so that "has
    nothing" stays a plain comparison in SQL (retention, indexes); it reads back as the field's
    default (None, or a fresh [] for `default=list`)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return self.get_default()
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, str) and value:
            return json.loads(value)
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        if value in ("", [], {}, ()):
            return ""
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))


class EncryptedBytesField(models.TextField):
    """Binary content (a call recording) stored encrypted, as the Fernet token's text: the
    same kind of column as the other encrypted fields, so key rotation treats it alike."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return b""
        return decrypt_bytes(value)

    def to_python(self, value):
        if isinstance(value, memoryview):
            return bytes(value)
        return value

    def get_prep_value(self, value):
        if not value:
            return ""
        return encrypt_bytes(bytes(value))
