"""One channel-layer message per server process for each of a room's broadcasts.

Every event of a room goes to every socket in it. Sent to each socket's own channel, as
the Channels tutorial does, that is one Redis message per socket, each received, decoded
and dispatched by Channels once per socket. Instead each server process (each event
loop) keeps one ``RoomRelay`` per room it has sockets for: the relay joins the room's
group with a channel of its own while at least one of the room's sockets is connected to
this process, and hands every batch it receives to those sockets directly. So a room of
200 people on four processes costs four Redis messages per event, not 200.

Nothing that matters lives only here: the room is in the database, a relay is just the
process's list of its own open sockets. Frames for one person (support alerts, nudges, a
suspension) still go to the sockets' own channels: they are rare and go to a few sockets.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from meetings.room import presence
from meetings.room.store import current_seq, room_group

log = logging.getLogger("hearth.room")


CATCH_UP_SECONDS = 10.0


class Listener(Protocol):
    async def offer_events(self, message: dict) -> None: ...

    async def catch_up(self, seq: int) -> None: ...


class RoomRelay:
    """The sockets of one room on this process, and the channel their events arrive on."""

    def __init__(self, layer, meeting_id: int):
        self.layer = layer
        self.meeting_id = meeting_id
        self.listeners: set[Listener] = set()
        self.channel: str | None = None
        self.receiving: asyncio.Task | None = None
        self.watching: asyncio.Task | None = None
        self.membership = asyncio.Lock()

    async def sync_membership(self) -> None:
        """Be in the room's group exactly while some socket listens. Changes are made one
        at a time, so a socket leaving and another arriving can never cross in Redis."""
        async with self.membership:
            if self.listeners and self.channel is None:
                channel = await self.layer.new_channel()
                await self.layer.group_add(room_group(self.meeting_id), channel)
                self.channel = channel
                self.receiving = asyncio.create_task(self._receive(channel))
                self.watching = asyncio.create_task(self._watch())
            elif not self.listeners and self.channel is not None:
                channel, self.channel = self.channel, None
                self.receiving.cancel()
                self.watching.cancel()
                self.receiving = self.watching = None
                await self.layer.group_discard(room_group(self.meeting_id), channel)

    async def _receive(self, channel: str) -> None:
        while True:
            message = await self.layer.receive(channel)
            for listener in list(self.listeners):
                try:
                    await listener.offer_events(message)
                except Exception:
                    log.exception("room relay meeting=%s: a socket failed", self.meeting_id)

    async def _watch(self) -> None:
        """Every few seconds, tell the sockets the room's seq. An event the layer dropped
        (channels-redis drops messages to a full channel) shows as a gap at the next event;
        this also catches one no later event follows (``RoomConsumer.catch_up``)."""
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            seq = await database_sync_to_async(current_seq)(self.meeting_id)
            if seq is None:
                continue
            for listener in list(self.listeners):
                try:
                    await listener.catch_up(seq)
                except Exception:
                    log.exception("room relay meeting=%s: a catch-up failed", self.meeting_id)


_relays: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _relays_of_this_loop() -> dict[int, RoomRelay]:
    return _relays.setdefault(asyncio.get_running_loop(), {})


_heartbeats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _beat() -> None:
    """While this process has sockets in any room, tell the database it is alive
    (``meetings.room.presence``)."""
    while _relays_of_this_loop():
        await database_sync_to_async(presence.beat)()
        await asyncio.sleep(presence.HEARTBEAT_SECONDS)


async def attach(meeting_id: int, listener: Listener) -> None:
    """Start relaying the room's broadcasts to ``listener``; when this returns, every
    batch sent to the room from now on reaches it."""
    relays = _relays_of_this_loop()
    relay = relays.get(meeting_id)
    if relay is None:
        relay = relays[meeting_id] = RoomRelay(get_channel_layer(), meeting_id)
    relay.listeners.add(listener)
    heartbeat = _heartbeats.get(asyncio.get_running_loop())
    if heartbeat is None or heartbeat.done():
        _heartbeats[asyncio.get_running_loop()] = asyncio.create_task(_beat())
    await relay.sync_membership()


async def detach(meeting_id: int, listener: Listener) -> None:
    """Stop relaying to ``listener``; the process leaves the room's group with its last."""
    relays = _relays_of_this_loop()
    relay = relays.get(meeting_id)
    if relay is None:
        return
    relay.listeners.discard(listener)
    await relay.sync_membership()
    if not relay.listeners and relays.get(meeting_id) is relay:
        del relays[meeting_id]
