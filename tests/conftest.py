import pytest


@pytest.fixture
def roles(db):
    from django.contrib.auth.models import Group

    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def fast_password_hashing(settings):
    """PBKDF2 at full strength costs about half a second per password made or checked."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def in_english(client):
    """Messages asserted in their English source form, whatever catalogues exist, unless a test
    asks for French."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_intake_caches():
    from alerts.channels.backends import LocmemBackend
    from alerts.services import queueing, texts
    from triage.services import lexicon_reset, place_index_reset

    # A test that made the broker fail leaves its publish pause behind: never the next test's.
    queueing.triage_publish_resume()
    texts.clear_cache()
    place_index_reset()  # each test builds its own gazetteer
    lexicon_reset()
    LocmemBackend.outbox.clear()
    LocmemBackend.deleted.clear()
    yield
    texts.clear_cache()
    place_index_reset()


@pytest.fixture
def focal_point(db):
    from networks.models import Location
    from networks.services import focal_point_create

    home, _ = Location.objects.get_or_create(name="Mbau", kind="village", parent=None)
    return focal_point_create(
        name="Kavira Masika", phone="+243991234567", language="fr", home_location=home
    )


@pytest.fixture
def browser():
    """A headless Chromium (tests/browser.py; mark the tests with its `needs_playwright`)."""
    from tests.browser import chromium

    with chromium() as running:
        yield running


@pytest.fixture
def browser_page(browser):
    """A page of that browser, in French like the users'."""
    return browser.new_page(locale="fr-FR")


@pytest.fixture
def fake_twilio(settings):
    from tests.twilio_support import FakeTwilioAPI

    fake = FakeTwilioAPI()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = fake.url
    yield fake
    fake.close()


def triage_queues_purge() -> None:
    """Drop the messages earlier tests left on the triage queues (no worker reads them here):
    the sweeper re-queues an alert only when its queue is empty."""
    from kombu.exceptions import ChannelError

    from alerts.constants import TRIAGE_TASK_QUEUES
    from config.celery import app as celery_app

    with celery_app.connection_for_write() as conn:
        for name in TRIAGE_TASK_QUEUES:
            try:
                conn.channel().queue_purge(name)
            except ChannelError:  # never declared on this broker: nothing to drop
                pass


@pytest.fixture
def empty_triage_queues():
    triage_queues_purge()
    yield triage_queues_purge
