"""Broadcasts and the people they must not expose: focal points in discreet mode get a text
that names neither Kengele, alerts nor the mission (or are skipped), and focal points at risk
are skipped, each counted with the reason, until a supervisor clears them."""

import pytest
from django.core.exceptions import ValidationError

from alerts.discreet import revealing_words
from alerts.models import BroadcastRecipient
from alerts.selectors import broadcast_preview, broadcast_skip_counts
from alerts.services import (
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcast_send,
    broadcast_update,
)
from networks.models import FocalPoint
from networks.services import focal_point_clear_at_risk, focal_point_mark_at_risk
from tests.alerts.broadcast_support import TEXTS, draft, make_roster
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DISCREET = {"fr": "Prudence: mouvements signalés vers Mbau. Évitez la route."}


@pytest.fixture
def roster(db):
    return make_roster()


@pytest.fixture
def supervisor(db):
    return UserFactory(username="sup", role="supervisor")


def run(broadcast, by) -> dict[str, BroadcastRecipient]:
    """Send as the workers would; the recipients by focal point name's first word."""
    broadcast_send(broadcast=broadcast, by=by)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    for recipient in broadcast.recipients.filter(state="waiting"):
        broadcast_recipient_send(recipient_id=recipient.pk)
    recipients = broadcast.recipients.select_related("message", "focal_point")
    return {r.focal_point.name.split()[0].lower(): r for r in recipients}


def discreet(person: FocalPoint, value: bool | None = True) -> None:
    FocalPoint.objects.filter(pk=person.pk).update(discreet=value)


def test_a_discreet_focal_point_gets_the_discreet_version_in_place_of_the_revealing_text(
    roster, supervisor
):
    discreet(roster.people["bahati"])
    broadcast = draft(supervisor, networks=[roster.can_mbau])
    broadcast_update(
        broadcast=broadcast,
        title=broadcast.title,
        texts=dict(TEXTS),
        discreet_texts=DISCREET,
        network_ids=[roster.can_mbau.pk],
        location_ids=[],
        focal_point_ids=[],
    )
    sent = run(broadcast, supervisor)
    assert sent["bahati"].message.body == DISCREET["fr"]
    assert sent["amani"].message.body == TEXTS["sw"]  # standard: the text in their language


def test_without_a_discreet_version_a_text_that_reveals_nothing_still_reaches_them(
    roster, supervisor
):
    discreet(roster.people["amani"])  # Swahili: "Tahadhari: ..." reveals nothing
    discreet(roster.people["bahati"])  # French: "Alerte: ..." would expose her
    sent = run(draft(supervisor, networks=[roster.can_mbau]), supervisor)
    assert sent["amani"].message.body == TEXTS["sw"]
    assert sent["bahati"].state == "skipped" and sent["bahati"].skip_reason == "revealing"
    assert sent["bahati"].message is None
    assert all(
        not revealing_words(r.message.body)
        for r in sent.values()
        if r.message and r.focal_point.discreet
    )


def test_a_focal_point_at_risk_is_skipped_and_counted_until_a_supervisor_clears_it(
    roster, supervisor
):
    bahati = roster.people["bahati"]
    focal_point_mark_at_risk(focal_point=bahati, reason="alert A-2026-00042")
    sent = run(draft(supervisor, networks=[roster.can_mbau]), supervisor)
    assert sent["bahati"].state == "skipped" and sent["bahati"].skip_reason == "at_risk"
    assert sent["bahati"].message is None and sent["bahati"].sent_at is None
    assert sent["amani"].message is not None
    broadcast_id = sent["bahati"].broadcast_id
    assert broadcast_skip_counts(broadcast_ids=[broadcast_id]) == {broadcast_id: {"at_risk": 1}}
    focal_point_clear_at_risk(focal_point=bahati, by=supervisor)
    again = run(draft(supervisor, networks=[roster.can_mbau], title="Again"), supervisor)
    assert again["bahati"].message is not None


def test_someone_marked_at_risk_after_the_fan_out_is_skipped_at_their_turn(roster, supervisor):
    broadcast = draft(supervisor, networks=[roster.can_mbau])
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    bahati = roster.people["bahati"]
    focal_point_mark_at_risk(focal_point=bahati, reason="alert A-2026-00042")
    recipient = broadcast.recipients.get(focal_point=bahati)
    broadcast_recipient_send(recipient_id=recipient.pk)
    recipient.refresh_from_db()
    assert (recipient.state, recipient.skip_reason, recipient.message_id) == (
        "skipped",
        "at_risk",
        None,
    )


def test_the_preview_counts_those_at_risk_and_those_no_text_may_reach(roster, supervisor):
    discreet(roster.people["bahati"])
    focal_point_mark_at_risk(focal_point=roster.people["amani"], reason="by hand")
    preview = broadcast_preview(broadcast=draft(supervisor, networks=[roster.can_mbau]))
    assert preview.audience.at_risk == {roster.people["amani"].pk}
    assert preview.audience.discreet == {roster.people["bahati"].pk}
    assert preview.revealing == 1


def test_a_discreet_version_that_would_reveal_is_refused(roster, supervisor):
    broadcast = draft(supervisor, networks=[roster.can_mbau])
    with pytest.raises(ValidationError) as refused:
        broadcast_update(
            broadcast=broadcast,
            title=broadcast.title,
            texts=dict(TEXTS),
            discreet_texts={"fr": "La MONUSCO vous informe"},
            network_ids=[roster.can_mbau.pk],
            location_ids=[],
            focal_point_ids=[],
        )
    assert "discreet_text_fr" in refused.value.message_dict


def test_the_api_writes_and_shows_the_discreet_version_and_the_skips(client, roster, supervisor):
    client.force_login(supervisor)
    focal_point_mark_at_risk(focal_point=roster.people["bahati"], reason="by hand")
    body = {
        "title": "Prudence",
        "texts": dict(TEXTS),
        "discreet_texts": DISCREET,
        "networks": [roster.can_mbau.pk],
    }
    preview = client.post("/api/v1/broadcasts/preview/", body, content_type="application/json")
    assert preview.status_code == 200 and preview.json()["at_risk"] == 1
    created = client.post("/api/v1/broadcasts/", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["discreet_texts"]["fr"] == DISCREET["fr"]
    refused = client.post(
        "/api/v1/broadcasts/",
        {**body, "discreet_texts": {"en": "UN warning"}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "en" in refused.json()["discreet_texts"]
    from alerts.models import Broadcast

    sent = run(Broadcast.objects.get(pk=created.json()["id"]), supervisor)
    assert sent["bahati"].skip_reason == "at_risk"
    shown = client.get(f"/api/v1/broadcasts/{created.json()['id']}/").json()
    assert shown["skipped"] == {"at_risk": 1}


def test_the_pages_show_the_discreet_version_and_the_reasons(client, roster, supervisor):
    client.force_login(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert 'name="discreet_text_fr"' in client.get("/dashboard/broadcasts/new/").content.decode()
    focal_point_mark_at_risk(focal_point=roster.people["bahati"], reason="by hand")
    broadcast = draft(supervisor, networks=[roster.can_mbau])
    draft_page = client.get(f"/dashboard/broadcasts/{broadcast.pk}/").content.decode()
    assert "1 at risk: skipped, broadcasts to them are paused" in draft_page
    run(broadcast, supervisor)
    page = client.get(f"/dashboard/broadcasts/{broadcast.pk}/").content.decode()
    assert "At risk: broadcasts to them are paused" in page
