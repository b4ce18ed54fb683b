import pytest

from networks.demo import seed_places


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at full strength costs about half a second per password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def places(db):
    """The project's own gazetteer (provinces, territories, places)."""
    seed_places()
