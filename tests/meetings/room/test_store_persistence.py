"""How the store keeps a room's state: the shares column written a share at a time, and a
process's remembered state never outliving the row it was read from.

These tests commit (``transaction=True``): the store remembers states only once they are
committed, so inside a test's usual rolled-back transaction nothing would be remembered.
"""

import pytest
from django.db import transaction

from meetings.room import rules, state_cache, store
from meetings.room.models import Room
from meetings.room.rules import Actor
from tests.meetings.room.conftest import make_meeting

pytestmark = pytest.mark.django_db(transaction=True)

HOST, MILO = 1, 2


@pytest.fixture
def live_meeting(circle, facilitator, member):
    """A live room in which Milo holds the talking piece."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.execute(meeting.pk, Actor(MILO), rules.RaiseHand(), user=member)
    store.execute(meeting.pk, Actor(HOST), rules.Start(), user=facilitator)
    return meeting


def decoded_afresh(meeting_id):
    """The room as a process that has remembered nothing would read it."""
    state_cache._decoded.pop(meeting_id, None)
    return store.load_state(meeting_id)


def test_shares_reactions_and_hides_are_written_into_the_shares_column(
    live_meeting, member, facilitator
):
    for text in ("One.", "Two.", "Three."):
        store.execute(live_meeting.pk, Actor(MILO), rules.Share(text), user=member)
    store.execute(live_meeting.pk, Actor(HOST), rules.React(2, "heard"), user=facilitator)
    store.execute(live_meeting.pk, Actor(HOST), rules.React(2, "thanks"), user=facilitator)
    store.execute(live_meeting.pk, Actor(HOST), rules.Hide(3), user=facilitator)

    remembered = store.load_state(live_meeting.pk)
    room = Room.objects.get(pk=live_meeting.pk)
    assert room.shares == [rules.share_to_json(share) for share in remembered.shares]
    assert [share["share_id"] for share in room.shares] == [1, 2, 3]
    assert room.shares[1]["reactions"] == [[HOST, "heard"], [HOST, "thanks"]]
    assert room.shares[2]["hidden"] is True
    assert "shares" not in room.state
    assert decoded_afresh(live_meeting.pk) == remembered


def test_a_change_to_the_row_from_elsewhere_is_seen_at_once(live_meeting, member, other_member):
    store.execute(live_meeting.pk, Actor(MILO), rules.Share("Before."), user=member)
    assert store.load_state(live_meeting.pk).locked is False
    room = Room.objects.get(pk=live_meeting.pk)
    room.state["locked"] = True
    room.save()
    with pytest.raises(rules.Refused) as refusal:
        store.join(live_meeting.pk, other_member, "member")
    assert refusal.value.code == "locked"
    assert store.load_state(live_meeting.pk) == decoded_afresh(live_meeting.pk)


def test_a_command_rolled_back_is_never_remembered(live_meeting, member, facilitator):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        store.execute(live_meeting.pk, Actor(MILO), rules.Share("Never said."), user=member)
        raise Undo
    Room.objects.get(pk=live_meeting.pk).save()  # another process's write: the same revision
    assert store.load_state(live_meeting.pk).shares == ()
    store.execute(live_meeting.pk, Actor(MILO), rules.Share("Said."), user=member)
    state = store.load_state(live_meeting.pk)
    assert [share.share_id for share in state.shares] == [1]
    assert state == decoded_afresh(live_meeting.pk)


def test_a_room_made_again_for_the_same_meeting_is_read_from_its_own_row(
    live_meeting, member, facilitator
):
    store.execute(live_meeting.pk, Actor(MILO), rules.Share("First room."), user=member)
    assert store.load_state(live_meeting.pk).status == "live"
    Room.objects.filter(pk=live_meeting.pk).delete()
    store.join(live_meeting.pk, facilitator, "facilitator")
    state = store.load_state(live_meeting.pk)
    assert state.status == "open"
    assert state.shares == ()
