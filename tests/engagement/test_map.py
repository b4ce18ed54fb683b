"""Deployments on the map: their own data endpoint, scoped like the lists, and the page's hook."""

import pytest

from tests.factories import DeploymentFactory

pytestmark = pytest.mark.django_db
URL = "/dashboard/map/deployments/"


@pytest.fixture
def placed(gazetteer):
    for name, (lat, lon) in {"oicha": (0.7, 29.5), "kitshanga": (-1.4, 28.9)}.items():
        place = gazetteer[name]
        place.latitude, place.longitude = lat, lon
        place.save()
    return gazetteer


def test_the_layer_shows_the_deployments_of_the_readers_areas(client, placed, users):
    DeploymentFactory(area=placed["oicha"], by=users["supervisor"])
    DeploymentFactory(area=placed["kitshanga"], by=users["supervisor"])
    client.force_login(users["analyst"])
    features = client.get(URL).json()["features"]
    assert [f["properties"]["area"] for f in features] == ["Oicha"]
    assert features[0]["geometry"]["coordinates"] == [29.5, 0.7]
    client.force_login(users["supervisor"])
    assert len(client.get(URL).json()["features"]) == 2


def test_roles_without_deployments_get_no_layer(client, placed, users):
    DeploymentFactory(area=placed["oicha"], by=users["supervisor"])
    for role in ("viewer", "cla"):
        client.force_login(users[role])
        assert client.get(URL).status_code == 403
        assert 'data-deployments-url=""' in client.get("/dashboard/map/").content.decode()
    client.force_login(users["analyst"])
    page = client.get("/dashboard/map/").content.decode()
    assert f'data-deployments-url="{URL}"' in page and "js/map-deployments.js" in page
