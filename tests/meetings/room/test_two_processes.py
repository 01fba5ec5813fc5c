"""Two ASGI server processes, one PostgreSQL, one Redis: every client on either process
sees the same events in the same seq order, and a turn's deadline fires even when nobody
from the holder's process is still connected."""

import asyncio
import contextlib
import json
from datetime import timedelta

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import Client
from django.utils import timezone

from meetings.room.models import Room
from tests.meetings.room.conftest import make_meeting

pytestmark = pytest.mark.services


def run_closing_sockets(steps):
    """Run ``steps(opened)`` (a coroutine function that appends every client it opens to
    ``opened``) and close every socket on every path, a failed wait included."""

    async def scenario():
        opened = []
        try:
            return await steps(opened)
        finally:
            for client in opened:
                with contextlib.suppress(Exception):
                    await client.close()
            await sync_to_async(connections.close_all)()

    return asyncio.run(scenario())


class RoomClient:
    """A websocket client that records every frame it receives."""

    def __init__(self, name, port, cookie, meeting_id):
        self.name = name
        self.port = port
        self.cookie = cookie
        self.meeting_id = meeting_id
        self.frames = []
        self.arrived = asyncio.Event()

    async def connect(self):
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/ws/meetings/{self.meeting_id}/room/",
            origin=f"http://127.0.0.1:{self.port}",
            additional_headers={"Cookie": self.cookie},
        )
        self.reader = asyncio.create_task(self._read())
        await self.wait_for(lambda f: f["type"] == "state")
        return self

    async def _read(self):
        try:
            async for text in self.ws:
                self.frames.append(json.loads(text))
                self.arrived.set()
        except websockets.ConnectionClosed:
            pass

    async def send(self, frame_type, **fields):
        await self.ws.send(json.dumps({"type": frame_type, **fields}))

    async def wait_for(self, predicate, timeout=10):
        async def waiting():
            while not any(predicate(frame) for frame in self.frames):
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(waiting(), timeout)

    async def wait_for_seq(self, seq, timeout=10):
        await self.wait_for(lambda f: f.get("seq", 0) >= seq and f["type"] != "state", timeout)

    async def close(self):
        await self.ws.close()
        await self.reader

    @property
    def events(self):
        return [frame for frame in self.frames if "seq" in frame and frame["type"] != "state"]

    @property
    def first_seq(self):
        return self.frames[0]["seq"]


def _check_in_order(clients):
    """Each client saw every event after its snapshot exactly once, in seq order, and any
    two clients that saw the same seq saw the same event."""
    by_seq = {}
    for client in clients:
        seqs = [event["seq"] for event in client.events]
        expected = list(range(client.first_seq + 1, client.first_seq + 1 + len(seqs)))
        assert seqs == expected, f"{client.name} saw {seqs}"
        for event in client.events:
            assert by_seq.setdefault(event["seq"], event) == event, f"{client.name} differs"
    return by_seq


def test_clients_on_two_processes_see_the_same_events_in_the_same_order(
    two_servers, circle, facilitator, member, other_member, user_factory
):
    from circles.models import Membership
    from tests.factories import MembershipFactory

    third = user_factory(display_name="Theo Third")
    MembershipFactory(circle=circle, user=third, role=Membership.Role.MEMBER)
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member, third])
    cookies = {}
    for user in (facilitator, member, other_member, third):
        client = Client()
        client.force_login(user)
        cookies[user.pk] = f"sessionid={client.cookies['sessionid'].value}"
    port_a, port_b = two_servers

    async def steps(opened):
        fern = await RoomClient("fern@a", port_a, cookies[facilitator.pk], meeting.pk).connect()
        opened.append(fern)
        milo = await RoomClient("milo@a", port_a, cookies[member.pk], meeting.pk).connect()
        opened.append(milo)
        olive = await RoomClient("olive@b", port_b, cookies[other_member.pk], meeting.pk).connect()
        opened.append(olive)
        theo = await RoomClient("theo@b", port_b, cookies[third.pk], meeting.pk).connect()
        opened.append(theo)
        everyone = [fern, milo, olive, theo]
        await milo.send("raise_hand")
        await olive.wait_for(lambda f: f["type"] == "hand_raised")
        await fern.send("start")
        await theo.wait_for(lambda f: f["type"] == "turn_started")
        await milo.send("share", text="Said on process A.")
        await olive.wait_for(lambda f: f["type"] == "shared")

        # Everyone at once, from both processes: the row lock orders them.
        burst = []
        for client in everyone:
            for kind in ("heard", "thanks", "me_too", "strength"):
                burst.append(client.send("react", share_id=1, kind=kind))
        burst += [olive.send("raise_hand"), theo.send("raise_hand"), fern.send("extend")]
        await asyncio.gather(*burst)
        # After Theo joined: a hand, the start (room, turn), the share, then 16 reactions,
        # two hands and an extension.
        last = theo.first_seq + 4 + 16 + 2 + 1
        for client in everyone:
            await client.wait_for_seq(last)
        _check_in_order(everyone)

        # Nobody from process A is left: the holder (Milo) and Fern leave.
        await milo.close()
        await fern.close()
        await olive.wait_for(lambda f: f["type"] == "left" and f["participant_id"] == 1)

        # Milo's reconnect grace is made short; the next event carries the deadline to
        # the consumers on process B, whose timers end the turn.
        @sync_to_async
        def shorten_grace():
            room = Room.objects.get(pk=meeting.pk)
            soon = timezone.now() + timedelta(seconds=1)
            room.state["holder"]["grace_deadline"] = soon.isoformat()
            room.next_deadline = soon
            room.save()

        await shorten_grace()
        await theo.send("lower_hand")
        await olive.wait_for(lambda f: f["type"] == "turn_ended", timeout=15)
        await theo.wait_for(lambda f: f["type"] == "turn_started" and f["participant_id"] == 3)
        by_seq = _check_in_order(everyone)
        return by_seq

    by_seq = run_closing_sockets(steps)
    ended = [event for event in by_seq.values() if event["type"] == "turn_ended"]
    assert [(event["participant_id"], event["reason"]) for event in ended] == [(2, "disconnected")]
    reactions = [event for event in by_seq.values() if event["type"] == "reaction"]
    assert sorted(event["count"] for event in reactions) == [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4
