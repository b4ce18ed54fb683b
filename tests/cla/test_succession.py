"""Handing a CLA's work to a successor (cla.succession): everything they hold moves in one go,
nothing else does, the history and the audit trail say what moved, and wrong handovers are
refused."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cla.models import CLAHandover, CLAProfile
from cla.selectors import cla_work, follow_ups_open
from cla.succession import cla_handover_perform
from lpc.models import LPC
from networks.models import AuditEntry, Network
from tests.factories import CLAProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def hand_over(world, **overrides):
    """kavira's work to ngabo, by the supervisor, unless told otherwise."""
    arguments = {
        "from_cla": world["kavira"],
        "to_cla": world["ngabo"],
        "by": world["sup"],
        "note": "Kavira part à Bunia; Ngabo reprend Beni.",
    }
    arguments.update(overrides)
    return cla_handover_perform(**arguments)


def test_everything_the_outgoing_cla_holds_moves_to_the_successor(world, gazetteer):
    handover, created = hand_over(world)
    assert created
    kavira, ngabo = world["kavira"], world["ngabo"]
    assert set(LPC.objects.filter(cla=ngabo).values_list("name", flat=True)) == {
        "CLP Mbau",
        "CLP Oicha",
    }
    assert list(Network.objects.filter(cla=ngabo).values_list("code", flat=True)) == ["can-mbau"]
    successor = CLAProfile.objects.get(user=ngabo)
    assert set(successor.assigned_places.values_list("name", flat=True)) == {"Mbau", "Oicha"}
    assert successor.base == gazetteer["Beni"]  # ngabo had no base
    # The open follow-up is ngabo's to do now, and shows in his list, not in kavira's.
    world["open"].refresh_from_db()
    assert world["open"].assigned_to == ngabo
    assert list(follow_ups_open(user=ngabo)) == [world["open"]]
    assert list(follow_ups_open(user=kavira)) == []
    # Kavira holds nothing any more, and no longer covers the places.
    assert cla_work(user=kavira).empty
    assert not CLAProfile.objects.get(user=kavira).assigned_places.exists()


def test_history_is_not_rewritten_and_nothing_else_moves(world):
    hand_over(world)
    kavira, bahati = world["kavira"], world["bahati"]
    world["visit"].refresh_from_db()
    assert world["visit"].cla == kavira  # the visit stays the work of whoever made it
    world["done"].refresh_from_db()
    assert world["done"].assigned_to is None and world["done"].done_by == kavira
    assert LPC.objects.get(name="CLP Kirumba").cla == bahati
    assert Network.objects.get(code="can-kirumba").cla == bahati
    assert Network.objects.get(code="can-butembo").cla is None
    world["bahati_open"].refresh_from_db()
    assert world["bahati_open"].assigned_to is None
    assert list(follow_ups_open(user=bahati)) == [world["bahati_open"]]
    theirs = CLAProfile.objects.get(user=bahati).assigned_places
    assert list(theirs.values_list("name", flat=True)) == ["Kirumba"]


def test_the_handover_is_recorded_with_what_moved(world, gazetteer):
    handover, _created = hand_over(world)
    stored = CLAHandover.objects.get()
    assert stored == handover
    assert (stored.from_cla, stored.to_cla, stored.by) == (
        world["kavira"],
        world["ngabo"],
        world["sup"],
    )
    assert stored.note == "Kavira part à Bunia; Ngabo reprend Beni."
    assert (stored.lpc_count, stored.network_count, stored.place_count) == (2, 1, 2)
    assert stored.follow_up_count == 1
    assert stored.moved == {
        "lpcs": sorted([world["lpc_mbau"].pk, world["lpc_oicha"].pk]),
        "networks": [world["can_mbau"].pk],
        "places": sorted([gazetteer["Mbau"].pk, gazetteer["Oicha"].pk]),
        "follow_ups": [world["open"].pk],
        "base": gazetteer["Beni"].pk,
    }


def test_the_note_is_stored_encrypted(world):
    handover, _created = hand_over(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM cla_clahandover WHERE id = %s", [handover.pk])
        raw = cursor.fetchone()[0]
    assert "Bunia" not in raw


def test_the_audit_trail_names_both_clas_and_each_thing_that_moved(world, gazetteer):
    handover, _created = hand_over(world)
    entries = AuditEntry.objects.filter(action="cla_handover")
    main = entries.get(target_type="auth.user")
    assert main.actor == world["sup"]
    assert main.target_ids == f",{world['kavira'].pk},{world['ngabo'].pk},"
    assert main.details["handover"] == handover.pk
    assert main.details["lpcs"] == sorted([world["lpc_mbau"].pk, world["lpc_oicha"].pk])
    assert main.details["follow_ups"] == [world["open"].pk]
    assert "note" not in main.details  # free text stays in the encrypted row
    by_kind = {e.target_type: e.target_ids for e in entries.exclude(pk=main.pk)}
    assert by_kind == {
        "lpc.lpc": ",{},{},".format(*sorted([world["lpc_mbau"].pk, world["lpc_oicha"].pk])),
        "networks.network": f",{world['can_mbau'].pk},",
        "networks.location": ",{},{},".format(
            *sorted([gazetteer["Mbau"].pk, gazetteer["Oicha"].pk])
        ),
        "cla.followup": f",{world['open'].pk},",
    }


def test_a_successor_keeps_their_own_base_and_places(world, gazetteer):
    CLAProfileFactory(
        user=world["ngabo"], base=gazetteer["Lubero"], assigned_places=[gazetteer["Butembo"]]
    )
    handover, _created = hand_over(world)
    successor = CLAProfile.objects.get(user=world["ngabo"])
    assert successor.base == gazetteer["Lubero"]
    assert set(successor.assigned_places.values_list("name", flat=True)) == {
        "Butembo",
        "Mbau",
        "Oicha",
    }
    assert handover.moved["base"] is None


def test_a_second_handover_moves_what_was_handed_on_too(world, today):
    hand_over(world)
    ngabo, bahati = world["ngabo"], world["bahati"]
    # ngabo then leaves as well: kavira's follow-up, now his, goes on to bahati.
    handover, _created = hand_over(world, from_cla=ngabo, to_cla=bahati, note="")
    world["open"].refresh_from_db()
    assert world["open"].assigned_to == bahati
    assert handover.follow_up_count == 1 and handover.lpc_count == 2
    assert world["open"] in follow_ups_open(user=bahati)


@pytest.mark.parametrize("key", ["same", "none"])
def test_sending_it_twice_records_one_handover(world, key):
    first_key = uuid.uuid4()
    first, created = hand_over(world, idempotency_key=first_key)
    assert created
    audit_count = AuditEntry.objects.count()
    if key == "same":
        again, created = hand_over(world, idempotency_key=first_key)
        assert (again, created) == (first, False)
    else:  # without a key, nothing is left to move: refused, not duplicated
        with pytest.raises(ValidationError) as refused:
            hand_over(world)
        assert refused.value.error_list[0].code == "nothing"
    assert CLAHandover.objects.count() == 1
    assert AuditEntry.objects.count() == audit_count


def test_a_key_used_for_another_handover_is_refused(world):
    key = uuid.uuid4()
    hand_over(world, idempotency_key=key)
    with pytest.raises(ValidationError) as refused:
        hand_over(world, to_cla=world["bahati"], idempotency_key=key)
    assert refused.value.error_dict["idempotency_key"][0].code == "key_taken"


def refusal(world, **overrides) -> str:
    with pytest.raises(ValidationError) as refused:
        hand_over(world, **overrides)
    (field, errors), *_rest = refused.value.error_dict.items()
    return f"{field}:{errors[0].code}"


def test_handing_to_oneself_is_refused(world):
    assert refusal(world, to_cla=world["kavira"]) == "to_cla:oneself"


def test_handing_to_someone_who_is_not_a_cla_is_refused(world):
    for role in ("supervisor", "analyst", "viewer", "admin", "conduct"):
        assert refusal(world, to_cla=UserFactory(role=role)) == "to_cla:not_cla"


def test_handing_to_a_closed_account_is_refused(world):
    ngabo = world["ngabo"]
    ngabo.is_active = False
    ngabo.save()
    assert refusal(world) == "to_cla:inactive"


def test_a_note_too_long_is_refused(world):
    assert refusal(world, note="x" * 2001) == "note:max_length"


def test_a_refused_handover_moves_nothing(world):
    refusal(world, to_cla=world["kavira"])
    refusal(world, to_cla=UserFactory(role="analyst"))
    assert LPC.objects.filter(cla=world["kavira"]).count() == 2
    world["open"].refresh_from_db()
    assert world["open"].assigned_to is None
    assert not CLAHandover.objects.exists()
    assert not AuditEntry.objects.filter(action="cla_handover").exists()


def test_a_cla_who_left_the_role_can_still_hand_over(world):
    """The usual case: the account is closed and the role taken away before anyone thinks of
    the committees still under that name."""
    kavira = world["kavira"]
    kavira.groups.clear()
    kavira.is_active = False
    kavira.save()
    _handover, created = hand_over(world)
    assert created and LPC.objects.filter(cla=world["ngabo"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_handovers_sent_at_once_move_the_work_once(world):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send(key):
        try:
            barrier.wait(5)
            results.append(hand_over(world, idempotency_key=key))
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    # The same form sent twice (one key), and two supervisors at once (two keys).
    same = uuid.uuid4()
    for keys in ((same, same), (uuid.uuid4(), uuid.uuid4())):
        threads = [threading.Thread(target=send, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        if keys[0] == same:
            assert sorted(created for _handover, created in results) == [False, True]
            assert errors == []
            # Undo, to hand over again with two keys.
            LPC.objects.update(cla=world["kavira"])
            results.clear()
        else:
            assert len(results) == 1 and [e.error_list[0].code for e in errors] == ["nothing"]
    assert CLAHandover.objects.count() == 2
