"""What the service worker of the field pages keeps on the phone, and its version.

The version is a hash of the kept static files and of the worker's settings: a deployment that
changes any of them gives the worker new bytes, so phones replace their copies."""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from .constants import OFFLINE_ASSETS, OFFLINE_PAGE_TIMEOUT_MS, OFFLINE_PAGES


def _asset_bytes(path: str) -> bytes:
    found = finders.find(path)
    if not found:  # collected only (a production image without the sources): name only
        return path.encode()
    with open(found, "rb") as handle:
        return handle.read()


def offline_settings() -> dict:
    """Context of the worker's script: the URLs it keeps and a version naming its cache
    (computed once, except while developing, when the files change under the server)."""
    return _compute() if settings.DEBUG else _computed_once()


@cache
def _computed_once() -> dict:
    return _compute()


def _compute() -> dict:
    pages = [reverse(name) for name in OFFLINE_PAGES]
    assets = [static(path) for path in OFFLINE_ASSETS]
    digest = hashlib.sha256()
    for path in OFFLINE_ASSETS:
        digest.update(_asset_bytes(path))
    digest.update(json.dumps([pages, assets, OFFLINE_PAGE_TIMEOUT_MS]).encode())
    return {
        "version": digest.hexdigest()[:12],
        "pages": json.dumps(pages),
        "assets": json.dumps(assets),
        "login_url": json.dumps(reverse("login")),
        "timeout_ms": OFFLINE_PAGE_TIMEOUT_MS,
    }
