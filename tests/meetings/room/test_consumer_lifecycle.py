"""A consumer never dies of the services under it, and one that dies anyway leaves the
room: the person is shown gone at once, and their presence record goes with them."""

import json

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.core.cache.backends.redis import RedisCache
from django.db import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from meetings.room import socket_work
from meetings.room.models import RoomConnection, Share
from moderation import safety
from tests.meetings.room.conftest import run
from tests.servers_faults import CRASH_FRAME
from tests.servers_faults import application as dying_application

MILO = 2
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_a_consumer_that_dies_is_shown_gone_and_its_record_is_deleted(
    meeting, facilitator, member, open_socket, cookies
):
    @database_sync_to_async
    def records():
        return sorted(RoomConnection.objects.values_list("participant_id", flat=True))

    async def scenario():
        host = await open_socket(facilitator, meeting)
        cookie = await database_sync_to_async(cookies)(member)
        milo = WebsocketCommunicator(
            dying_application,
            f"/ws/meetings/{meeting.pk}/room/",
            headers=[(b"origin", b"http://testserver"), (b"cookie", cookie.encode())],
        )
        await milo.connect()
        await milo.receive_json_from()  # his state
        await host.receive_type("joined")
        while_there = await records()
        await milo.send_to(text_data=CRASH_FRAME)
        left = await host.receive_type("left")
        after = await records()
        await host.close()
        return while_there, left, after

    while_there, left, after = run(scenario())
    assert while_there == [1, MILO]
    assert left["participant_id"] == MILO
    assert after == [1]


def test_a_frame_the_server_cannot_handle_gets_an_error_and_the_socket_stays(
    meeting, member, open_socket, monkeypatch
):
    def database_away(*args):
        raise OperationalError("the database is away")

    async def scenario():
        milo = await open_socket(member, meeting)
        monkeypatch.setattr(socket_work, "handle_frame", database_away)
        await milo.send("raise_hand", ref="r1")
        error = await milo.receive()
        monkeypatch.undo()
        await milo.send("sync")
        state = await milo.receive_type("state")
        await milo.close()
        return error, state

    error, state = run(scenario())
    assert error["type"] == "error"
    assert error["code"] == "unavailable"
    assert error["ref"] == "r1"
    assert state["type"] == "state"


def test_a_share_goes_through_while_the_cache_is_away(
    meeting, facilitator, member, open_socket, monkeypatch
):
    def cache_away(*args):
        raise RedisConnectionError("the cache is away")

    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        await host.receive_type("joined")
        await milo.send("raise_hand")
        await host.send("start")
        await milo.receive_type("turn_started")
        monkeypatch.setattr(socket_work, "count_in_window", cache_away)
        monkeypatch.setattr(safety, "cache", RedisCache(DEAD_REDIS, {}))
        safety._in_process.clear()
        await milo.send("share", text="Said while the cache was away.")
        shared = await host.receive_type("shared")
        await host.close()
        await milo.close()
        return shared

    shared = run(scenario())
    assert shared["text"] == "Said while the cache was away."
    assert Share.objects.get().text == "Said while the cache was away."


def test_a_broadcast_the_layer_refuses_still_reaches_the_sockets_of_its_process(
    meeting, facilitator, member, open_socket, monkeypatch
):
    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        await host.receive_type("joined")
        layer = get_channel_layer()

        async def refused(group, message):
            raise RedisConnectionError("Redis is away")

        monkeypatch.setattr(layer, "group_send", refused)
        await milo.send("raise_hand")
        seen = [await host.receive_type("hand_raised"), await milo.receive_type("hand_raised")]
        monkeypatch.undo()
        await host.close()
        await milo.close()
        return seen

    seen = run(scenario())
    assert [frame["participant_id"] for frame in seen] == [MILO, MILO]
    assert json.dumps(seen[0]) == json.dumps(seen[1])
