"""The factories make valid, saved rows, the way the services would."""

import pytest
from django.core.exceptions import ValidationError

from alerts.channels.base import InboundSMS
from alerts.models import Alert, Message
from alerts.services import inbound_receive
from core.crypto import lookup_hash
from core.roles import ROLES, can, roles_of
from networks.selectors import focal_point_by_phone
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    CLAProfileFactory,
    EquipmentFactory,
    FieldVisitFactory,
    FocalPointFactory,
    IncidentFactory,
    LocationFactory,
    LPCFactory,
    LPCMeetingFactory,
    LPCMemberFactory,
    MembershipFactory,
    MessageFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
    next_phone,
)

pytestmark = pytest.mark.django_db

FACTORIES = [
    AlertFactory,
    AnalystProfileFactory,
    CLAProfileFactory,
    EquipmentFactory,
    FieldVisitFactory,
    FocalPointFactory,
    IncidentFactory,
    LocationFactory,
    LPCFactory,
    LPCMeetingFactory,
    LPCMemberFactory,
    MembershipFactory,
    MessageFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_saves_a_valid_row(factory):
    made = factory()
    stored = type(made).objects.get(pk=made.pk)
    stored.full_clean()


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_two_of_each_can_live_side_by_side(factory):
    first, second = factory(), factory()
    assert first.pk != second.pk


def test_a_village_sits_in_a_territory_of_a_province():
    village = VillageFactory()
    assert village.ancestor("territory").kind == "territory"
    assert village.ancestor("province").parent is None


def test_intake_finds_the_focal_point_by_its_number():
    person = FocalPointFactory(phone_alt=next_phone())
    assert person.phone_hash == lookup_hash(person.phone)
    assert focal_point_by_phone(person.phone) == person
    assert focal_point_by_phone(person.phone_alt) == person
    received = inbound_receive(
        sms=InboundSMS(
            provider_sid="SM-factories-1", sender=person.phone, recipient="", body="Tirs à Mbau"
        )
    )
    assert received.alert.reporter_id == person.pk
    assert received.message.focal_point_id == person.pk


def test_a_focal_point_number_given_in_national_form_is_stored_in_e164():
    person = FocalPointFactory(phone="0991234000")
    assert person.phone == "+243991234000"
    assert focal_point_by_phone("+243 99 123 4000") == person


@pytest.mark.parametrize("role", ROLES)
def test_a_role_user_holds_that_role_and_no_other(role):
    user = UserFactory(role=role)
    assert roles_of(user) == {role}
    assert can(user, "use")


def test_a_user_without_a_role_can_do_nothing():
    user = UserFactory()
    assert roles_of(user) == frozenset()
    assert not can(user, "use")


def test_with_role_names_the_user_after_the_role():
    user = UserFactory.with_role("supervisor")
    assert user.username == "supervisor" and roles_of(user) == {"supervisor"}
    assert user.check_password("pw-kengele-test")


def test_an_sms_alert_from_a_focal_point_carries_their_number():
    person = FocalPointFactory()
    alert = AlertFactory(reporter=person)
    assert (alert.sender, alert.sender_hash) == (person.phone, person.phone_hash)
    assert alert.sender_known


def test_sms_alerts_from_unknown_senders_each_have_their_own_number():
    first, second = AlertFactory(), AlertFactory()
    assert not first.sender_known and first.reporter is None
    assert first.sender_hash == lookup_hash(first.sender)
    assert first.sender_hash != second.sender_hash


def test_alerts_raised_by_hand_have_no_sender_number():
    alert = AlertFactory(source=Alert.Source.LPC)
    assert (alert.sender, alert.sender_hash) == ("", "")


def test_a_triaged_alert_has_triage_status_priority_and_time():
    alert = AlertFactory(triaged=True)
    assert (alert.status, alert.priority) == (Alert.Status.TRIAGED, 2)
    assert alert.triaged_at > alert.received_at
    assert AlertFactory().status == Alert.Status.NEW


def test_a_message_on_an_alert_comes_from_its_sender_and_a_reply_goes_back():
    alert = AlertFactory(reporter=FocalPointFactory())
    received = MessageFactory(alert=alert)
    assert (received.direction, received.body) == (Message.Direction.INBOUND, alert.text)
    assert (received.peer_hash, received.focal_point) == (alert.sender_hash, alert.reporter)
    reply = MessageFactory(alert=alert, reply=True)
    assert (reply.direction, reply.kind) == (Message.Direction.OUTBOUND, Message.Kind.REPLY)
    assert reply.peer == alert.sender
    alert.refresh_from_db()
    assert alert.first_reply_at == reply.created_at


def test_a_membership_overlapping_another_of_the_same_network_is_refused():
    first = MembershipFactory()
    with pytest.raises(ValidationError):
        MembershipFactory(focal_point=first.focal_point, network=first.network)


def test_an_incident_and_an_analyst_profile_as_assignment_reads_them():
    beni = TerritoryFactory(name="Beni")
    profile = AnalystProfileFactory(areas=[beni])
    assert list(profile.areas.all()) == [beni] and profile.on_duty
    assert roles_of(profile.user) == {"analyst"}
    assert IncidentFactory(location=VillageFactory(parent=beni)).location.parent == beni


def test_a_meeting_records_its_head_counts_and_members_present():
    member = LPCMemberFactory()
    meeting = LPCMeetingFactory(lpc=member.lpc, members_present=[member])
    assert meeting.attendance_total == 9
    assert list(meeting.members_present.all()) == [member]
    assert meeting.place in member.lpc.places.all()


def test_a_meeting_with_a_stranger_present_is_refused():
    with pytest.raises(ValidationError):
        LPCMeetingFactory(members_present=[LPCMemberFactory()])


def test_a_field_visit_belongs_to_a_cla_and_names_its_places():
    visit = FieldVisitFactory()
    assert roles_of(visit.cla) == {"cla"}
    assert visit.places.count() == 1 and visit.people_met == 10


def test_a_cla_profile_covers_its_assigned_places():
    beni = TerritoryFactory()
    profile = CLAProfileFactory(assigned_places=[beni])
    assert list(profile.assigned_places.all()) == [beni]
    assert roles_of(profile.user) == {"cla"}
