"""Confidential routes: a higher app (conduct) registers a route that recognises a text triage
must not leave in the general tables, and takes its original away. Triage decides while it
reads the text; the route's `take` runs inside triage's own transaction, after the alert's
update, so once triage commits the text is nowhere an analyst reads (the alert left behind is
a stub: no text, no sender, its place raised to the territory, its priority kept).

Registered from the higher app's AppConfig.ready, so triage never imports it."""

from collections.abc import Callable
from dataclasses import dataclass

from alerts.models import Alert


@dataclass(frozen=True)
class Original:
    """What the alert held before triage made it a stub, handed to the route that keeps it."""

    text: str
    sender: str
    sender_hash: str
    reporter_id: int | None
    reporter_name: str
    location_id: int | None  # the exact place (triage's or the one given)
    language: str
    priority: int | None
    categories: list


@dataclass(frozen=True)
class ConfidentialRoute:
    name: str
    matches: Callable[[str], bool]
    # take(alert=<the stub, saved>, original=Original): stores the original elsewhere.
    take: Callable[..., None]
    # stub_text(territory_name or None) -> the text the general queue shows instead.
    stub_text: Callable[[str | None], str]


_routes: dict[str, ConfidentialRoute] = {}


def confidential_route_register(route: ConfidentialRoute) -> None:
    """Add (or replace, by name) a route; idempotent, so ready() may run twice."""
    _routes[route.name] = route


def confidential_route_for(*, alert: Alert) -> ConfidentialRoute | None:
    """The first route whose `matches` recognises the alert's text, or None."""
    return confidential_route_for_text(alert.text or "")


def confidential_route_for_text(text: str) -> ConfidentialRoute | None:
    if not text.strip():
        return None
    for route in _routes.values():
        if route.matches(text):
            return route
    return None
