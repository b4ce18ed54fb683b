"""What the main pages weigh on the wire, measured in a real browser against the server as it
runs in production: static files collected with hashed names and gzip copies, served by
WhiteNoise, pages gzipped by config.middleware.CompressTextMiddleware.

A weight is the sum of the response bodies the browser received for the page and everything
it loaded (compressed bytes, headers left out), on a first visit (empty cache) and again in
the same tab (warm cache). The figures are printed (`pytest -s`) and kept in the README's
"Page weights" table."""

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread

from alerts.models import Alert
from tests.browser import PASSWORD, expect, needs_playwright, off_loop
from tests.factories import AlertFactory, UserFactory, VillageFactory

pytestmark = [pytest.mark.slow, needs_playwright, pytest.mark.django_db(transaction=True)]

QUEUE_FIRST_LOAD_MAX = 80 * 1024
MANIFEST = "config.storage.StaticFilesStorage"  # as in production (config/settings.py)


@pytest.fixture
def production_server(settings, tmp_path):
    """The site served as in production: collectstatic's hashed, compressed files through
    WhiteNoise (no test static handler in front of it)."""
    settings.STATIC_ROOT = tmp_path / "static"
    # No map tiles: they come from elsewhere (never reached from tests) and weigh on their own.
    # (Routing requests away in Playwright would also switch the browser's cache off.)
    settings.MAP_TILE_URL = ""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    off_loop(call_command, "collectstatic", "--noinput", verbosity=0)
    server = LiveServerThread("127.0.0.1", static_handler=lambda app: app)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()


def data() -> int:
    """A queue of 50 alerts in ten villages, like a busy day; the id of one of them."""
    UserFactory(username="ana", role="analyst")
    villages = [VillageFactory(name=f"Village {n}") for n in range(10)]
    alerts = [
        AlertFactory(
            triaged=True,
            priority=n % 4 + 1,
            location=villages[n % 10],
            text=f"Hommes armés vus près du marché, les habitants fuient vers la route {n}",
        )
        for n in range(50)
    ]
    Alert.objects.filter(pk__in=[a.pk for a in alerts[::7]]).update(status="new")
    return alerts[3].pk


def weigh(context, url: str, *, ready: str) -> tuple[int, int]:
    """Body bytes received for `url` on a first visit and on a second one in the same tab,
    as Chromium counts them (DevTools protocol: what came over the wire, less the headers;
    nothing for what came from its cache)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    headers: dict[str, int] = {}
    received: list[int] = []

    def on_response(event):
        response = event["response"]
        cached = response.get("fromDiskCache") or response.get("fromPrefetchCache")
        headers[event["requestId"]] = -1 if cached else response.get("encodedDataLength", 0)

    def on_finished(event):
        head = headers.get(event["requestId"], 0)
        if head >= 0:
            received.append(max(0, int(event["encodedDataLength"]) - head))

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    figures = []
    for _visit in range(2):
        received.clear()
        page.goto("about:blank")
        page.goto(url)
        expect(page.locator(ready).first).to_be_attached()
        page.wait_for_load_state("networkidle")
        figures.append(sum(received))
    page.close()
    return figures[0], figures[1]


def test_page_weights(production_server, browser):
    alert_pk = off_loop(data)
    base = production_server
    # Logged in once through the form; each page is then weighed in a fresh, empty cache.
    start = browser.new_context(locale="fr-FR")
    page = start.new_page()
    page.goto(f"{base}/accounts/login/?next=/dashboard/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    session = start.storage_state()
    start.close()

    pages = [
        ("Login", "/accounts/login/", "input[name=username]", None),
        ("Queue", "/dashboard/", "#queue-rows tr[data-alert]", session),
        ("Alert page", f"/dashboard/alerts/{alert_pk}/", "main h1", session),
        ("Map", "/dashboard/map/", "#map", session),
    ]
    weights = {}
    for name, path, ready, state in pages:
        context = browser.new_context(locale="fr-FR", storage_state=state)
        weights[name] = weigh(context, f"{base}{path}", ready=ready)
        context.close()

    print("\n| Page | First load | Repeat load |\n| --- | --- | --- |")
    for name, (first, repeat) in weights.items():
        print(f"| {name} | {first / 1024:.1f} KB | {repeat / 1024:.1f} KB |")

    first, repeat = weights["Queue"]
    assert first <= QUEUE_FIRST_LOAD_MAX, weights
    assert repeat < first  # static files come from the cache the second time
    login_first, _ = weights["Login"]
    assert login_first < first  # the login page loads no htmx
