"""Incidents on the dashboard: the alert page's incident card, the incident page, the queue's
badges, merging and splitting from the browser."""

import pytest

from alerts.models import Alert
from tests.factories import UserFactory
from triage.models import Incident

from .support import at, make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def as_analyst(client):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(username="ana", role="analyst"))
    return client


@pytest.fixture
def as_viewer(client):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(username="vic", role="viewer"))
    return client


@pytest.fixture
def corroborated(places, focal_point):
    """Three alerts about Mbau and Oicha: two focal points by SMS and an LPC meeting."""
    cla = UserFactory(username="claire", role="cla")
    return [
        triaged_alert(location=places.mbau, reporter=focal_point, text="Tirs à Mbau"),
        triaged_alert(location=places.oicha, received_at=at(1), text="Les gens fuient Oicha"),
        triaged_alert(
            location=places.mbau,
            source="lpc",
            created_by=cla,
            received_at=at(2),
            text="Le comité signale des hommes armés",
        ),
    ]


def test_the_queue_row_shows_sources_and_mechanisms(as_analyst, corroborated, places):
    lone = triaged_alert(location=places.uvira)
    html = as_analyst.get("/dashboard/").content.decode()
    incident = corroborated[0].incident
    assert html.count("3 sources, 2 mechanisms") == 3
    assert f'href="/dashboard/incidents/{incident.pk}/"' in html
    assert "corroboration-several_mechanisms" in html
    row = html.split(f">{lone.reference}<")[1].split("</tr>")[0]
    assert "tag-incident" not in row  # an incident of one alert needs no badge


def test_the_alert_page_shows_its_incident_and_the_other_alerts(as_analyst, corroborated):
    first, second, third = corroborated
    response = as_analyst.get(f"/dashboard/alerts/{first.pk}/")
    html = response.content.decode()
    incident = first.incident
    assert incident.reference in html and "Several mechanisms" in html
    assert "Independent reporters</dt><dd>3</dd>" in html
    assert "Mechanisms</dt><dd>2 (CAN, LPC)</dd>" in html
    for sibling in (second, third):
        assert f'href="/dashboard/alerts/{sibling.pk}/">{sibling.reference}</a>' in html
    assert f'href="/dashboard/alerts/{first.pk}/">{first.reference}</a>' not in html
    assert f"/dashboard/incidents/{incident.pk}/split/" in html
    assert f"/dashboard/incidents/{incident.pk}/merge/" in html


def test_the_incident_page_lists_its_alerts_without_identities(as_viewer, corroborated):
    incident = corroborated[0].incident
    response = as_viewer.get(f"/dashboard/incidents/{incident.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for alert in corroborated:
        assert alert.reference in html
    assert "Kavira" not in html and "+243991234567" not in html
    assert "/split/" not in html and "/merge/" not in html  # viewers read only
    assert as_viewer.get("/dashboard/incidents/999999/").status_code == 404


def test_an_alert_outside_any_incident_says_why(as_analyst, places):
    alert = triaged_alert(location=None, categories=["other"])
    html = as_analyst.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert "Not part of an incident" in html


def test_an_analyst_merges_a_nearby_incident_by_its_reference(as_analyst, places):
    a = triaged_alert(location=places.mbau)
    b = triaged_alert(location=places.oicha, categories=["hate_speech"], received_at=at(1))
    kept, other = a.incident, b.incident
    page = as_analyst.get(f"/dashboard/incidents/{kept.pk}/").content.decode()
    assert f'value="{other.reference}"' in page  # suggested: near in place and time
    response = as_analyst.post(
        f"/dashboard/incidents/{kept.pk}/merge/", {"other": other.reference.lower()}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/dashboard/incidents/{kept.pk}/"
    assert "msg-success" in response.content.decode()
    assert not Incident.objects.filter(pk=other.pk).exists()
    assert Alert.objects.get(pk=b.pk).incident == kept


@pytest.mark.parametrize("other", ["", "I-999999", "nonsense", "I-99999999999999999999", "I-0"])
def test_a_merge_with_no_such_incident_is_an_error_message(as_analyst, places, other):
    incident = triaged_alert(location=places.mbau).incident
    response = as_analyst.post(
        f"/dashboard/incidents/{incident.pk}/merge/", {"other": other}, follow=True
    )
    assert response.status_code == 200 and "msg-error" in response.content.decode()
    assert Incident.objects.count() == 1


def test_a_merge_across_distant_places_is_refused_with_the_reason(as_analyst, places):
    mbau = triaged_alert(location=places.mbau).incident
    uvira = triaged_alert(location=places.uvira).incident
    response = as_analyst.post(
        f"/dashboard/incidents/{mbau.pk}/merge/", {"other": uvira.reference}, follow=True
    )
    html = response.content.decode()
    assert "msg-error" in html and "km apart" in html
    assert Incident.objects.count() == 2


def test_an_analyst_splits_alerts_out_of_an_incident(as_analyst, corroborated):
    first, second, third = corroborated
    incident = first.incident
    response = as_analyst.post(
        f"/dashboard/incidents/{incident.pk}/split/", {"alerts": [third.pk]}, follow=True
    )
    third.refresh_from_db()
    assert third.incident != incident
    assert response.redirect_chain[-1][0] == f"/dashboard/incidents/{third.incident_id}/"
    incident.refresh_from_db()
    assert (incident.alert_count, incident.mechanisms) == (2, ["can"])


@pytest.mark.parametrize("alerts", [[], ["abc"], ["999999"]])
def test_a_bad_split_is_an_error_message(as_analyst, corroborated, alerts):
    incident = corroborated[0].incident
    response = as_analyst.post(
        f"/dashboard/incidents/{incident.pk}/split/", {"alerts": alerts}, follow=True
    )
    assert response.status_code == 200 and "msg-error" in response.content.decode()
    assert Incident.objects.count() == 1


def test_splitting_every_alert_is_refused(as_analyst, corroborated):
    incident = corroborated[0].incident
    response = as_analyst.post(
        f"/dashboard/incidents/{incident.pk}/split/",
        {"alerts": [a.pk for a in corroborated]},
        follow=True,
    )
    assert "Keep at least one alert" in response.content.decode()
    assert Incident.objects.count() == 1


def test_viewers_may_not_merge_or_split(as_viewer, corroborated, places):
    incident = corroborated[0].incident
    other = triaged_alert(location=places.mbau, categories=["hate_speech"]).incident
    base = f"/dashboard/incidents/{incident.pk}/"
    assert as_viewer.post(base + "merge/", {"other": other.reference}).status_code == 403
    assert as_viewer.post(base + "split/", {"alerts": [corroborated[2].pk]}).status_code == 403
    assert as_viewer.get(base + "merge/").status_code == 405
    assert Incident.objects.count() == 2
