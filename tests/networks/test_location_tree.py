"""Places below places: the gazetteer's tree walked for one place or several at once."""

import pytest

from networks.models import Location
from networks.selectors import location_ids_within, location_ids_within_any

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, Location]:
    """Nord-Kivu > Beni > {Mbau, Oicha}, Nord-Kivu > Lubero > {Butembo}; Ituri > Djugu."""
    places = {"Nord-Kivu": Location.objects.create(name="Nord-Kivu", kind="province")}
    places["Ituri"] = Location.objects.create(name="Ituri", kind="province")
    for name, parent in (("Beni", "Nord-Kivu"), ("Lubero", "Nord-Kivu"), ("Djugu", "Ituri")):
        places[name] = Location.objects.create(name=name, kind="territory", parent=places[parent])
    for name, parent in (("Mbau", "Beni"), ("Oicha", "Beni"), ("Butembo", "Lubero")):
        places[name] = Location.objects.create(name=name, kind="village", parent=places[parent])
    return places


def ids(tree, *names) -> set[int]:
    return {tree[name].pk for name in names}


def test_a_place_comes_with_everything_below_it(tree):
    assert location_ids_within(tree["Nord-Kivu"].pk) == ids(
        tree, "Nord-Kivu", "Beni", "Lubero", "Mbau", "Oicha", "Butembo"
    )
    assert location_ids_within(tree["Mbau"].pk) == ids(tree, "Mbau")


def test_several_places_are_walked_together_one_query_per_level(tree, django_assert_num_queries):
    roots = [tree["Beni"].pk, tree["Lubero"].pk, tree["Djugu"].pk]
    with django_assert_num_queries(2):  # the villages, then (none) below them
        found = location_ids_within_any(roots)
    assert found == ids(tree, "Beni", "Lubero", "Djugu", "Mbau", "Oicha", "Butembo")


def test_a_place_inside_another_given_is_counted_once(tree):
    assert location_ids_within_any([tree["Beni"].pk, tree["Mbau"].pk]) == ids(
        tree, "Beni", "Mbau", "Oicha"
    )


def test_no_place_given_means_none_found_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert location_ids_within_any([]) == set()
