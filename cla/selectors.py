"""Reads for the cla app, with the joins decided once."""

from django.contrib.auth.models import AnonymousUser, User

from networks.models import Location

from .models import CLAProfile


def cla_place_ids(*, user: User | AnonymousUser) -> set[int]:
    """The ids of the places a CLA works in: those assigned, and every place inside them.

    A user without a profile (or anonymous) has none. The gazetteer is a few levels deep, so
    descending it one level per query is a handful of queries at most.
    """
    if not user or not user.is_authenticated:
        return set()
    roots = set(
        CLAProfile.assigned_places.through.objects.filter(claprofile__user_id=user.pk).values_list(
            "location_id", flat=True
        )
    )
    found, frontier = set(roots), set(roots)
    while frontier:
        frontier = (
            set(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found
