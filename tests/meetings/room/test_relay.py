"""The relay: one channel-layer subscription per room per process, however many sockets."""

import asyncio

from channels.db import database_sync_to_async

from hearth import groups, on_commit
from meetings.room import presence, relay, store
from meetings.room.commands import Actor, RaiseHand
from tests.meetings.room.conftest import make_meeting, run


def relays_here():
    return relay._relays_of_this_loop()


def test_a_process_listens_to_a_room_once_however_many_sockets_it_has(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        olive = await open_socket(other_member, meeting)
        room_relay = relays_here()[meeting.pk]
        listening = (len(room_relay.listeners), room_relay.channel is not None)
        await milo.close()
        await olive.close()
        after_two_left = len(room_relay.listeners), room_relay.channel is not None
        await host.close()
        return listening, after_two_left, meeting.pk in relays_here(), room_relay.channel

    listening, after_two_left, still_there, channel = run(scenario())
    assert listening == (3, True)
    assert after_two_left == (1, True)
    assert not still_there
    assert channel is None


def test_one_broadcast_reaches_every_socket_of_the_process(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = [
            await open_socket(person, meeting) for person in (facilitator, member, other_member)
        ]
        for socket in sockets[:-1]:  # each earlier socket sees the later ones arrive
            while (await socket.receive())["seq"] < sockets[-1].state["seq"]:
                pass
        await sockets[1].send("raise_hand")
        frames = await asyncio.gather(*(socket.receive() for socket in sockets))
        for socket in sockets:
            await socket.close()
        return frames

    frames = run(scenario())
    assert [frame["type"] for frame in frames] == ["hand_raised"] * 3
    assert len({frame["seq"] for frame in frames}) == 1


def test_a_socket_that_fails_does_not_stop_the_others(meeting, facilitator, member, open_socket):
    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        await host.receive()  # Milo's arrival
        room_relay = relays_here()[meeting.pk]

        class Broken:
            async def offer_events(self, message):
                raise RuntimeError("this socket is broken")

        broken = Broken()
        room_relay.listeners.add(broken)
        await milo.send("raise_hand")
        seen = await host.receive()
        room_relay.listeners.discard(broken)
        await milo.close()
        await host.close()
        return seen

    assert run(scenario())["type"] == "hand_raised"


def test_an_event_the_layer_lost_is_caught_up_with_a_fresh_state(
    meeting, facilitator, member, open_socket, monkeypatch
):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.2)
    monkeypatch.setattr(relay, "SUSPICION_SECONDS", 0.2)

    @database_sync_to_async
    def raise_hand_unheard(participant_id):
        with on_commit.collecting_sends():  # what it would broadcast is dropped
            store.execute(meeting.pk, Actor(participant_id), RaiseHand())

    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        await host.receive()  # Milo's arrival
        await raise_hand_unheard(milo.state["you"]["participant_id"])
        caught_up = await host.receive()
        quiet = await host.nothing_more()
        await milo.close()
        await host.close()
        return caught_up, quiet

    caught_up, quiet = run(scenario())
    assert caught_up["type"] == "state"
    assert caught_up["queue"] == [2]
    assert quiet, "a socket that has caught up is not sent the state again"


def test_an_event_lost_with_the_rooms_group_is_caught_up_and_the_group_joined_again(
    meeting, facilitator, member, open_socket, monkeypatch
):
    """Redis lost the room's group without anyone noticing (a restart, a flush): the
    broadcast reaches nobody, the database shows the room ahead, and the relay joins the
    group again, so the next event arrives as an event."""
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.2)
    monkeypatch.setattr(relay, "SUSPICION_SECONDS", 0.2)

    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        await host.receive()  # Milo's arrival
        room_relay = relays_here()[meeting.pk]
        await room_relay.layer.group_discard(groups.room_group(meeting.pk), room_relay.channel)
        await milo.send("raise_hand")
        caught_up = await host.receive_type("state")
        await milo.send("lower_hand")
        next_event = await host.receive()
        await milo.close()
        await host.close()
        return caught_up, next_event

    caught_up, next_event = run(scenario())
    assert caught_up["queue"] == [2]
    assert next_event["type"] == "hand_lowered"
    assert next_event["seq"] == caught_up["seq"] + 1


def test_a_relay_that_received_every_event_never_joins_its_group_again(
    meeting, facilitator, member, open_socket, monkeypatch
):
    """It learns the room's seq from the events themselves: a look that finds the room
    ahead while an event is still on its way changes nothing once the event arrives."""
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(relay, "SUSPICION_SECONDS", 0.1)

    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        await host.receive()  # Milo's arrival
        await asyncio.sleep(0.5)  # the relay has looked at the room
        room_relay = relays_here()[meeting.pk]
        joins = []
        original_group_add = room_relay.layer.group_add

        async def group_add(group, channel):
            joins.append(group)
            await original_group_add(group, channel)

        room_relay.layer.group_add = group_add
        await milo.send("raise_hand")
        await host.receive()
        await asyncio.sleep(1.0)  # ten beats at rest
        quiet = await host.nothing_more()
        room_relay.layer.group_add = original_group_add
        await milo.close()
        await host.close()
        return joins, quiet

    joins, quiet = run(scenario())
    assert joins == []
    assert quiet, "no socket was sent a fresh state"


def test_one_beat_is_two_statements_however_many_rooms_the_process_serves(
    db, circle, facilitator, django_assert_num_queries
):
    meetings = [make_meeting(circle, facilitators=[facilitator]) for _ in range(5)]
    for each in meetings:
        store.join(each.pk, facilitator, "facilitator")
    with django_assert_num_queries(2):
        seqs = relay._beat_and_look([0], [each.pk for each in meetings])
    assert seqs == {each.pk: store.current_seq(each.pk) for each in meetings}
