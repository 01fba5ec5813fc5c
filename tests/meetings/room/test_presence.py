"""A server process that stops without closing its sockets: the backstop disconnects them
in their rooms, so a holder's reconnect grace starts as if they had dropped."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from meetings.room import presence, store
from meetings.room.commands import Actor, RaiseHand, Start
from meetings.room.limits import GRACE_SECONDS
from meetings.room.models import RoomConnection
from meetings.room.tasks import release_lost_connections
from tests.meetings.room.conftest import make_meeting, run

HOST, MILO = 1, 2


@pytest.fixture
def milo_holding(db, circle, facilitator, member):
    """A live room where Milo holds the piece, his socket on a process that went away."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.execute(meeting.pk, Actor(MILO), RaiseHand())
    store.execute(meeting.pk, Actor(HOST), Start())
    return meeting


def lost_socket(meeting, participant_id, seconds_ago):
    return RoomConnection.objects.create(
        meeting=meeting,
        participant_id=participant_id,
        server="gone:1234:abcd",
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_a_socket_whose_process_stopped_is_disconnected_and_the_grace_starts(milo_holding):
    lost_socket(milo_holding, MILO, seconds_ago=120)
    now = timezone.now()
    assert presence.release_lost_connections(now) == 1
    state = store.load_state(milo_holding.pk)
    assert not state.participant(MILO).present
    assert state.holder.participant_id == MILO
    assert state.holder.grace_deadline == now + timedelta(seconds=GRACE_SECONDS)
    assert not RoomConnection.objects.exists()
    assert release_lost_connections() == 0


def test_a_process_that_beats_keeps_its_sockets(milo_holding):
    row = lost_socket(milo_holding, MILO, seconds_ago=120)
    RoomConnection.objects.filter(pk=row.pk).update(server=presence.SERVER)
    presence.beat([row.pk])
    assert presence.release_lost_connections() == 0
    assert store.load_state(milo_holding.pk).participant(MILO).present


def test_a_beat_refreshes_only_the_sockets_named_alive(milo_holding):
    """A consumer that died without deleting its record: its process still beats, but
    not for it, so the backstop releases it."""
    alive = lost_socket(milo_holding, HOST, seconds_ago=120)
    dead = lost_socket(milo_holding, MILO, seconds_ago=120)
    RoomConnection.objects.update(server=presence.SERVER)
    assert presence.beat([alive.pk]) == 1
    assert presence.release_lost_connections() == 1
    assert list(RoomConnection.objects.values_list("pk", flat=True)) == [alive.pk]
    assert not store.load_state(milo_holding.pk).participant(MILO).present
    assert dead.pk != alive.pk


def test_a_heartbeat_a_little_late_is_not_taken_for_a_lost_process(milo_holding):
    lost_socket(milo_holding, MILO, seconds_ago=presence.HEARTBEAT_SECONDS * 2)
    assert presence.release_lost_connections() == 0
    assert store.load_state(milo_holding.pk).participant(MILO).present


def test_a_socket_records_its_process_while_it_is_open(meeting, facilitator, member, open_socket):
    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        while_open = await rows()
        await milo.close()
        await host.receive_type("left")
        after_milo_left = await rows()
        await host.close()
        return while_open, after_milo_left

    @database_sync_to_async
    def rows():
        return sorted(
            RoomConnection.objects.filter(meeting=meeting).values_list("participant_id", "server")
        )

    while_open, after_milo_left = run(scenario())
    assert while_open == [(HOST, presence.SERVER), (MILO, presence.SERVER)]
    assert after_milo_left == [(HOST, presence.SERVER)]


def test_a_socket_the_backstop_already_released_does_not_leave_twice(
    meeting, facilitator, member, open_socket
):
    """Milo has two tabs; the process of one was taken for lost while it still ran. When
    that tab closes, Milo (still there in his other tab) must stay present."""

    @database_sync_to_async
    def release_the_first_tab():
        first = RoomConnection.objects.filter(participant_id=MILO).order_by("pk").first()
        RoomConnection.objects.filter(pk=first.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=5)
        )
        return presence.release_lost_connections()

    async def scenario():
        host = await open_socket(facilitator, meeting)
        first_tab = await open_socket(member, meeting)
        second_tab = await open_socket(member, meeting)
        released = await release_the_first_tab()
        await first_tab.close()
        await host.send("sync")
        state = await host.receive_type("state")
        await second_tab.close()
        await host.close()
        return released, state

    released, state = run(scenario())
    assert released == 1
    milo = next(p for p in state["participants"] if p["participant_id"] == MILO)
    assert milo["present"] is True


def test_a_process_with_sockets_keeps_beating(meeting, member, open_socket, monkeypatch):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.1)
    long_ago = timezone.now() - timedelta(minutes=5)

    @database_sync_to_async
    def age_the_heartbeat():
        RoomConnection.objects.update(heartbeat_at=long_ago)

    @database_sync_to_async
    def heartbeat():
        return RoomConnection.objects.get().heartbeat_at

    async def scenario():
        milo = await open_socket(member, meeting)
        await age_the_heartbeat()
        await asyncio.sleep(0.5)
        beaten = await heartbeat()
        await milo.close()
        return beaten

    assert run(scenario()) > long_ago + timedelta(minutes=4)
