import pytest
from django.utils import translation

from networks.demo import seed_places


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at full strength costs about half a second per password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def places(db):
    """The project's own gazetteer (provinces, territories, places)."""
    seed_places()


@pytest.fixture(autouse=True)
def in_english(client):
    """Messages are asserted in their English source form, whatever catalogues exist."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
