"""Deadlines fire by themselves: a consumer's timer, the Celery backstop, the reconnect
grace. No test sleeps: deadlines are moved in the database or passed as a later ``now``."""

import json
from datetime import timedelta

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from hearth import groups
from meetings.room import store
from meetings.room.models import Room
from meetings.room.tasks import expire_due_turns
from tests.meetings.room.conftest import run


async def live_room(open_socket, meeting, facilitator, member):
    host = await open_socket(facilitator, meeting)
    milo = await open_socket(member, meeting)
    await host.receive()
    await milo.send("raise_hand")
    await host.send("start")
    for socket in (host, milo):
        await socket.receive_events(3)
    return host, milo


@database_sync_to_async
def move_deadline(meeting_id, seconds_from_now):
    """Make the current turn end ``seconds_from_now`` (as if it had started long ago)."""
    state = store.load_state(meeting_id)
    room = Room.objects.get(pk=meeting_id)
    deadline = timezone.now() + timedelta(seconds=seconds_from_now)
    room.state["holder"]["deadline"] = deadline.isoformat()
    room.next_deadline = deadline
    room.save()
    return state.holder.turn_id


def test_a_consumers_timer_ends_the_turn_when_its_time_is_up(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        await move_deadline(meeting.pk, 0.2)
        # Any event carries the new deadline to every consumer, which arms its timer.
        olive = await open_socket(other_member, meeting)
        await host.receive_type("joined")
        ended = await host.receive_type("turn_ended")
        seen_by_olive = await olive.receive_type("turn_ended")
        for socket in (olive, milo, host):
            await socket.close()
        return ended, seen_by_olive

    ended, seen_by_olive = run(scenario())
    assert ended["reason"] == "timeout"
    assert ended["turn_id"] == 1
    assert seen_by_olive == ended


def test_the_celery_backstop_ends_a_turn_nobody_is_timing(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        await move_deadline(meeting.pk, -1)
        fired = await sync_to_async(expire_due_turns.delay)()
        ended = await host.receive_type("turn_ended")
        again = await sync_to_async(expire_due_turns)()
        await milo.close()
        await host.close()
        return fired.result, ended, again

    fired, ended, again = run(scenario())
    assert fired == 1
    assert ended["reason"] == "timeout"
    assert again == 0


def test_a_holder_who_drops_loses_the_piece_after_the_grace_period(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        await milo.close()
        left = await host.receive()
        later = timezone.now() + timedelta(seconds=31)
        await database_sync_to_async(store.expire)(meeting.pk, 1, later)
        ended = await host.receive()
        await host.close()
        return left, ended

    left, ended = run(scenario())
    assert left["type"] == "left"
    assert ended["type"] == "turn_ended"
    assert ended["reason"] == "disconnected"


def test_a_holder_who_comes_back_in_time_keeps_the_piece(meeting, facilitator, member, open_socket):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        await milo.close()
        await host.receive()
        back = await open_socket(member, meeting)
        rejoined = await host.receive()
        fired = await database_sync_to_async(store.expire_due)(
            timezone.now() + timedelta(seconds=31)
        )
        await back.close()
        await host.close()
        return back.state, rejoined, fired

    state, rejoined, fired = run(scenario())
    assert rejoined["type"] == "joined"
    assert state["holder"]["participant_id"] == state["you"]["participant_id"] == 2
    assert fired == 0


def test_someone_in_the_queue_who_drops_and_returns_keeps_their_place(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        olive = await open_socket(other_member, meeting)
        await olive.send("raise_hand")
        await olive.receive_type("hand_raised")
        await olive.close()
        back = await open_socket(other_member, meeting)
        for socket in (back, milo, host):
            await socket.close()
        return back.state

    state = run(scenario())
    assert state["queue"] == [3]
    assert state["holder"]["participant_id"] == 2


def test_a_suspended_account_is_told_and_its_socket_closes(meeting, member, open_socket):
    async def scenario():
        milo = await open_socket(member, meeting)
        await get_channel_layer().group_send(
            groups.user_group(member.pk), {"type": "account.suspended"}
        )
        goodbye = await milo.receive()
        code = await milo.receive_close()
        return goodbye, code

    goodbye, code = run(scenario())
    assert goodbye == {"type": "removed", "reason": "suspended"}
    assert code == 4403


def batch(first_seq, *frames):
    return {
        "type": "room.events",
        "frames": [json.dumps(frame) for frame in frames],
        "first_seq": first_seq,
        "last_seq": first_seq + len(frames) - 1,
        "deadline": None,
        "removed": [],
    }


def test_a_consumer_delivers_batches_in_seq_order_even_when_they_arrive_out_of_order(
    meeting, member, open_socket
):
    async def scenario():
        milo = await open_socket(member, meeting)
        seq = milo.state["seq"]
        layer, group = get_channel_layer(), f"room.{meeting.pk}"
        await layer.group_send(group, batch(seq + 2, {"type": "queue", "seq": seq + 2}))
        await layer.group_send(group, batch(seq + 1, {"type": "queue", "seq": seq + 1}))
        await layer.group_send(group, batch(seq + 1, {"type": "queue", "seq": seq + 1}))
        frames = await milo.receive_events(2)
        quiet = await milo.nothing_more()
        await milo.close()
        return seq, frames, quiet

    seq, frames, quiet = run(scenario())
    assert [frame["seq"] for frame in frames] == [seq + 1, seq + 2]
    assert quiet, "a batch already delivered is never sent twice"


def test_a_gap_that_does_not_fill_is_closed_with_a_fresh_state(meeting, member, open_socket):
    async def scenario():
        milo = await open_socket(member, meeting)
        seq = milo.state["seq"]
        await get_channel_layer().group_send(
            f"room.{meeting.pk}", batch(seq + 5, {"type": "queue", "seq": seq + 5})
        )
        state = await milo.receive()
        await milo.close()
        return state

    state = run(scenario())
    assert state["type"] == "state"
