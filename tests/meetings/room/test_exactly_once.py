"""Exactly once: a command a participant sends with a ref is applied at most once, and a
re-send (a page that reconnected and sends its outbox again) gets the first answer."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone

from hearth import groups, on_commit
from meetings.room import commands, store
from meetings.room.commands import (
    Actor,
    End,
    Grant,
    LowerHand,
    NeedSupport,
    RaiseHand,
    React,
    Report,
    Start,
)
from meetings.room.models import CommandRecord, Room, Share
from meetings.room.rules import Refused
from meetings.room.tasks import purge_expired_shares
from moderation.models import Report as ReportRow
from moderation.models import SafetyEvent
from tests.meetings.room.conftest import make_meeting, run
from tests.meetings.room.test_consumer_commands import everyone_receives, leave, sit

FERN, MILO, OLIVE = Actor(1), Actor(2), Actor(3)


@pytest.fixture
def live_room(circle, facilitator, member, other_member):
    """Fern facilitates, Milo holds the piece, Olive listens."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.join(meeting.pk, other_member, "member")
    store.execute(meeting.pk, MILO, RaiseHand())
    store.execute(meeting.pk, FERN, Start())
    return meeting


def room_seq(meeting):
    return Room.objects.get(pk=meeting.pk).seq


def test_a_share_sent_twice_with_the_same_ref_is_kept_once(live_room, member):
    first = store.execute(live_room.pk, MILO, commands.Share("Once."), user=member, ref="s1")
    seq = room_seq(live_room)
    again = store.execute(live_room.pk, MILO, commands.Share("Once."), user=member, ref="s1")
    assert (first.repeat, first.seq) == (False, seq)
    assert (again.repeat, again.seq, again.events) == (True, seq, [])
    assert room_seq(live_room) == seq
    store.execute(live_room.pk, OLIVE, RaiseHand())
    later = store.execute(live_room.pk, MILO, commands.Share("Once."), user=member, ref="s1")
    assert later.repeat
    assert later.seq == room_seq(live_room) > seq  # the room's seq now, past the share's
    assert Share.objects.filter(meeting=live_room).count() == 1


def test_the_same_share_without_a_ref_is_two_shares(live_room, member):
    store.execute(live_room.pk, MILO, commands.Share("Twice."), user=member)
    store.execute(live_room.pk, MILO, commands.Share("Twice."), user=member)
    assert Share.objects.filter(meeting=live_room).count() == 2
    assert not CommandRecord.objects.exists()


def test_a_re_sent_refusal_is_refused_again_even_when_it_would_now_pass(
    live_room, member, other_member
):
    with pytest.raises(Refused) as first:
        store.execute(live_room.pk, OLIVE, commands.Share("Too soon."), user=other_member, ref="o1")
    store.execute(live_room.pk, FERN, Grant(3))  # now Olive holds the piece
    with pytest.raises(Refused) as again:
        store.execute(live_room.pk, OLIVE, commands.Share("Too soon."), user=other_member, ref="o1")
    assert first.value.code == again.value.code == "not_your_turn"
    assert again.value.message == first.value.message
    assert not Share.objects.filter(meeting=live_room).exists()
    store.execute(live_room.pk, OLIVE, commands.Share("Now."), user=other_member, ref="o2")
    assert Share.objects.filter(meeting=live_room).count() == 1


def test_a_ref_belongs_to_one_participant(live_room, member, facilitator):
    store.execute(live_room.pk, MILO, commands.Share("Mine."), user=member, ref="same")
    outcome = store.execute(live_room.pk, FERN, React(1, "heard"), ref="same")
    assert not outcome.repeat
    assert outcome.events[0]["type"] == "reaction"


def test_a_ref_used_again_for_another_command_is_refused_and_changes_nothing(live_room):
    store.execute(live_room.pk, OLIVE, RaiseHand(), ref="h1")
    seq = room_seq(live_room)
    with pytest.raises(Refused) as refusal:
        store.execute(live_room.pk, OLIVE, LowerHand(), ref="h1")
    assert refusal.value.code == "bad_request"
    assert room_seq(live_room) == seq
    assert 3 in store.load_state(live_room.pk).queue


def test_a_command_that_changed_nothing_is_still_answered_as_applied(live_room):
    store.execute(live_room.pk, OLIVE, RaiseHand(), ref="h1")
    quiet = store.execute(live_room.pk, OLIVE, RaiseHand(), ref="h2")  # safe to repeat
    again = store.execute(live_room.pk, OLIVE, RaiseHand(), ref="h2")
    assert (quiet.repeat, quiet.seq) == (False, None)
    assert (again.repeat, again.seq) == (True, room_seq(live_room))


def test_a_re_sent_report_files_one_report(live_room, member, other_member):
    store.execute(live_room.pk, MILO, commands.Share("Something."), user=member)
    for _ in range(2):
        outcome = store.execute(
            live_room.pk, OLIVE, Report(1, "harassment"), user=other_member, ref="r1"
        )
        assert outcome.replies == [{"type": "reported", "share_id": 1}]
    assert outcome.repeat
    assert ReportRow.objects.count() == 1


def test_a_re_sent_call_for_support_alerts_once_and_shows_the_resources_again(
    live_room, other_member, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(on_commit, "_send", lambda group, message: sent.append(group))
    replies = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = store.execute(
                live_room.pk, OLIVE, NeedSupport("Help"), user=other_member, ref="n1"
            )
        replies.append(outcome.replies)
    assert SafetyEvent.objects.filter(kind=SafetyEvent.Kind.NEED_SUPPORT).count() == 1
    assert sent == [groups.moderators_group(live_room.pk)]
    assert [reply["type"] for reply in replies[1]] == ["resources"]
    assert replies[1] == replies[0]


def test_a_record_keeps_no_words_and_goes_with_the_purge(circle, facilitator, member):
    circle.retention_hours = 1
    circle.save()
    secret = "The words only the room may hear."
    starts = timezone.now()
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member], starts_at=starts)
    store.join(meeting.pk, facilitator, "facilitator", now=starts)
    store.join(meeting.pk, member, "member", now=starts)
    store.execute(meeting.pk, MILO, RaiseHand(), now=starts)
    store.execute(meeting.pk, FERN, Start(), now=starts)
    store.execute(meeting.pk, MILO, commands.Share(secret, "cw"), user=member, now=starts, ref="s1")
    with pytest.raises(Refused):
        store.execute(
            meeting.pk, MILO, commands.Share("x" * 5000), user=member, now=starts, ref="s2"
        )
    records = list(CommandRecord.objects.values())
    assert len(records) == 2
    for word in secret.split():
        assert not any(word in str(value) for record in records for value in record.values())
    with time_machine.travel(meeting.ends_at + timedelta(hours=1, seconds=1)):
        purge_expired_shares()
    assert not CommandRecord.objects.exists()
    assert not Share.objects.exists()


def test_an_ended_rooms_records_are_deleted_by_the_purge(live_room, member, facilitator):
    store.execute(live_room.pk, MILO, commands.Share("Hello."), user=member, ref="s1")
    purge_expired_shares()
    assert CommandRecord.objects.count() == 1  # the room is still open
    store.execute(live_room.pk, FERN, End(), user=facilitator, ref="e1")
    purge_expired_shares()
    assert not CommandRecord.objects.exists()
    assert Share.objects.count() == 1  # the shares keep to the circle's retention


# --- Two re-sends at once (PostgreSQL, real threads) ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_share_sent_at_once_are_kept_once(circle, facilitator, member):
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL: run with make test")
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.execute(meeting.pk, MILO, RaiseHand())
    store.execute(meeting.pk, FERN, Start())
    barrier = threading.Barrier(4)
    outcomes = []

    def send():
        try:
            barrier.wait()
            with transaction.atomic():
                outcomes.append(
                    store.execute(meeting.pk, MILO, commands.Share("Once."), user=member, ref="s1")
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Share.objects.filter(meeting=meeting).count() == 1
    assert sorted(outcome.repeat for outcome in outcomes) == [False, True, True, True]
    assert {outcome.seq for outcome in outcomes} == {room_seq(meeting)}


# --- Over the socket -----------------------------------------------------------------------------


def test_a_share_re_sent_on_a_new_socket_is_acknowledged_as_a_repeat_and_shared_once(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = fern, milo = await sit(open_socket, meeting, facilitator, member)
        await milo.send("raise_hand")
        await everyone_receives(sockets, 1)
        await fern.send("start")
        await everyone_receives(sockets, 2)
        await milo.send("share", text="Said once.", ref="s-1")
        first = [await milo.receive(), await milo.receive()]
        await fern.receive_type("shared")
        await milo.close()
        await fern.receive_type("left")
        milo = await open_socket(member, meeting)
        await fern.receive_type("joined")
        await milo.send("share", text="Said once.", ref="s-1")
        again = await milo.receive()
        quiet = await fern.nothing_more()
        await leave(fern, milo)
        return first, again, quiet

    first, again, quiet = run(scenario())
    shared = next(frame for frame in first if frame["type"] == "shared")
    ack = next(frame for frame in first if frame["type"] == "ack")
    assert ack == {"type": "ack", "ref": "s-1", "seq": shared["seq"], "repeat": False}
    # Milo left and came back since: the repeat names the room's seq now, past the share.
    assert again == {"type": "ack", "ref": "s-1", "seq": shared["seq"] + 2, "repeat": True}
    assert quiet, "the room is not told twice"
    assert Share.objects.filter(meeting=meeting).count() == 1


def test_a_refused_share_re_sent_gets_the_same_error_with_its_ref(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = _fern, milo = await sit(open_socket, meeting, facilitator, member)
        answers = []
        for _ in range(2):
            await milo.send("share", text="Not yet.", ref="early")
            answers.append(await milo.receive())
        await leave(*sockets)
        return answers

    first, again = run(scenario())
    assert first["type"] == "error"
    assert again == first
    assert first["ref"] == "early"
