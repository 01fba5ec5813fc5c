"""Builders for the talking-circle tests: an open meeting, and sockets into its room.

Consumer tests talk to the real ASGI application (origin check, session auth, routing)
through ``WebsocketCommunicator``. There is no asyncio plugin: a test builds its data
synchronously, then runs one coroutine with ``run(...)``. The consumer does its database
work in a thread, so these tests need ``transactional_db`` (the ``meeting`` fixture asks
for it).
"""

import asyncio
import contextlib
import json
from contextlib import ExitStack
from datetime import timedelta
from typing import ClassVar

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client
from django.utils import timezone

from hearth.asgi import application
from meetings.models import RSVP, Meeting
from meetings.wellbeing.actions import confirm_meeting_agreement
from tests.servers import daphne, database_url_for_tests, require_real_services

RECEIVE_TIMEOUT = 3


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two real daphne processes on the test database; yields their ports."""
    require_real_services()
    database_url = database_url_for_tests()
    with ExitStack() as stack:
        urls = [
            stack.enter_context(daphne(tmp_path / f"server-{name}.log", database_url))
            for name in ("a", "b")
        ]
        yield [int(url.rsplit(":", 1)[1]) for url in urls]


@pytest.fixture
def meeting(transactional_db, circle, facilitator, member, other_member):
    """A meeting of ``circle`` whose room is open now: ``facilitator`` runs it, ``member``
    and ``other_member`` are going."""
    return make_meeting(circle, facilitators=[facilitator], going=[member, other_member])


def make_meeting(circle, *, facilitators=(), going=(), agreed=True, **fields):
    """A meeting whose ``going`` members have confirmed the circle's agreements for it
    (unless ``agreed=False``), so the room lets them in."""
    fields = {
        "title": "Tuesday evening circle",
        "starts_at": timezone.now() - timedelta(minutes=5),
        "duration_minutes": 60,
        "turn_seconds": 120,
        "room_mode": Meeting.RoomMode.QUEUE,
        **fields,
    }
    meeting = Meeting.objects.create(circle=circle, **fields)
    meeting.facilitators.set(facilitators)
    for user in going:
        RSVP.objects.create(meeting=meeting, user=user, response=RSVP.Response.GOING)
    Meeting.objects.filter(pk=meeting.pk).update(going_count=len(going))
    meeting.refresh_from_db()
    if agreed:
        for user in going:
            agree(user, meeting)
    return meeting


def agree(user, meeting):
    """``user`` confirms the circle's current agreements for ``meeting`` (if it has any)."""
    version = meeting.circle.agreements_version
    if version and meeting.circle.agreement_versions.filter(version=version).exists():
        confirm_meeting_agreement(user, meeting.pk, version)


@pytest.fixture
def cookies():
    """``cookies(user)``: the session cookie header of a logged-in browser for ``user``."""

    def cookie_for(user):
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    return cookie_for


def run(coroutine):
    """Run one test scenario in a fresh event loop, then close the database connections
    the consumer's threads opened (so the test database can be flushed)."""

    async def scenario():
        channel_layers.backends.clear()  # the layer's locks and pools belong to one loop
        Socket.opened = []
        try:
            return await coroutine
        finally:
            # Every socket the scenario opened is disconnected, on every path: a failed
            # assertion half-way must not leave a consumer running into the next test.
            for socket in Socket.opened:
                with contextlib.suppress(Exception):
                    await socket.close()
            Socket.opened = []
            await _end_what_is_left()
            layer = get_channel_layer()
            if hasattr(layer, "close_pools"):
                await layer.close_pools()
            channel_layers.backends.clear()
            await database_sync_to_async(connections.close_all)()

    return asyncio.run(scenario())


async def _end_what_is_left() -> None:
    """Cancel the tasks the scenario left (consumers still receiving, relays, timers),
    and cancel again those still running a moment later: on Python 3.11,
    ``asyncio.wait_for`` (which redis-py wraps around each send) swallows a cancel that
    lands as its inner task finishes, and ``asyncio.run`` cancels only once."""
    for _ in range(3):
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if not left:
            return
        for task in left:
            task.cancel()
        await asyncio.wait(left, timeout=1)


class Socket:
    """A WebsocketCommunicator speaking the room's JSON frames. ``run`` disconnects every
    one still open when its scenario ends, however it ends."""

    opened: ClassVar[list["Socket"]] = []

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator
        self.connected = False
        self.state = None
        Socket.opened.append(self)

    async def send(self, frame_type: str, **fields) -> None:
        await self.communicator.send_to(text_data=json.dumps({"type": frame_type, **fields}))

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = RECEIVE_TIMEOUT) -> dict:
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            raise AssertionError(f"the socket closed with {output.get('code')}")
        return json.loads(output["text"])

    async def receive_type(self, frame_type: str, timeout: float = RECEIVE_TIMEOUT) -> dict:
        """The next frame of ``frame_type``, skipping others."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == frame_type:
                return frame

    async def receive_events(self, count: int) -> list[dict]:
        return [await self.receive() for _ in range(count)]

    async def receive_close(self, timeout: float = RECEIVE_TIMEOUT) -> int:
        """Skip frames until the server closes the socket; return the close code."""
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                self.connected = False
                return output.get("code")

    async def nothing_more(self) -> bool:
        return await self.communicator.receive_nothing(timeout=0.3)

    async def close(self) -> None:
        if self.connected:
            await self.communicator.disconnect()
            self.connected = False


@pytest.fixture
def open_socket(cookies):
    """``await open_socket(user, meeting)``: a connected socket past its ``state`` frame
    (kept in ``socket.state``). ``expect_state=False`` returns it right after the
    handshake; ``user=None`` connects without a session."""

    async def connect(user, meeting, *, expect_state=True, origin="http://testserver", path=None):
        headers = [(b"origin", origin.encode())]
        if user is not None:
            cookie = await database_sync_to_async(cookies)(user)
            headers.append((b"cookie", cookie.encode()))
        path = path or f"/ws/meetings/{meeting.pk}/room/"
        communicator = WebsocketCommunicator(application, path, headers=headers)
        socket = Socket(communicator)
        connected, _ = await communicator.connect(timeout=RECEIVE_TIMEOUT)
        socket.connected = connected
        if connected and expect_state:
            socket.state = await socket.receive()
            assert socket.state["type"] == "state"
        return socket

    return connect
