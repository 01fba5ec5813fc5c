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

Redis may go away (a restart, a failover) and come back empty: channels-redis keeps group
membership in Redis, so after a restart nobody is in any group and every broadcast
reaches nobody. Whatever on this process fails to talk to the channel layer calls
``layer_failed``; one recovery per process then waits for Redis to answer, joins every
room group and every socket's own groups again, and sends a fresh ``state`` to each
socket that missed events meanwhile. A broadcast that fails is still handed to this
process's own sockets, so the author of a share sees it even while Redis is away.

A room at rest costs nothing here. Each relay remembers the last ``seq`` it received;
once every ``presence.HEARTBEAT_SECONDS`` the process makes one trip to the database
that refreshes its sockets' heartbeats and reads the ``seq`` of every room it serves (two
small statements, however many rooms). Only a room the database shows ahead of its
relay is suspected: an event lost on the way with no later one to show the gap (the
channel layer drops messages to a full channel), or a Redis restart nobody noticed (the
room's group went with it). A second later, if no batch has come that far, the relay
joins its group again and each socket still short gets a fresh state.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from hearth.groups import room_group
from meetings.room import presence
from meetings.room.models import Room
from meetings.room.store import current_seq

log = logging.getLogger("hearth.room")


SUSPICION_SECONDS = 1.0  # a room the database shows ahead is looked at again after this
RETRY_SECONDS = 0.5  # a receive that failed is tried again after this
RECOVERY_FIRST_DELAY = 0.2  # the recovery asks Redis again after this, doubling...
RECOVERY_MAX_DELAY = 1.0  # ...up to this


class Listener(Protocol):
    connection_id: int | None

    async def offer_events(self, message: dict) -> None: ...

    async def resync_if_behind(self, seq: int) -> None: ...

    async def rejoin_groups(self) -> None: ...


class RoomRelay:
    """The sockets of one room on this process, and the channel their events arrive on."""

    def __init__(self, layer, meeting_id: int):
        self.layer = layer
        self.meeting_id = meeting_id
        self.listeners: set[Listener] = set()
        self.channel: str | None = None
        self.receiving: asyncio.Task | None = None
        self.checking: asyncio.Task | None = None
        self.membership = asyncio.Lock()
        self.seq = 0  # the last seq of the batches this relay has received

    async def sync_membership(self) -> None:
        """Be in the room's group exactly while some socket listens. Changes are made one
        at a time, so a socket leaving and another arriving can never cross in Redis.
        Never raises for the channel layer: while Redis is away the relay counts as in
        the group, and the recovery joins it for real."""
        async with self.membership:
            if self.listeners and self.channel is None:
                channel = await self.layer.new_channel()
                self.channel = channel
                self.receiving = asyncio.create_task(self._receive(channel))
                await self.join_group()
            elif not self.listeners and self.channel is not None:
                channel, self.channel = self.channel, None
                self.receiving.cancel()
                if self.checking is not None:
                    self.checking.cancel()
                self.receiving = self.checking = None
                try:
                    await self.layer.group_discard(room_group(self.meeting_id), channel)
                except Exception as error:  # the group went with Redis, or expires
                    layer_failed(error)

    async def join_group(self, *, strict: bool = False) -> None:
        """Join the room's group (again: a repeat changes nothing). ``strict`` lets the
        recovery see a failure; otherwise it starts one."""
        if self.channel is None:
            return
        try:
            await self.layer.group_add(room_group(self.meeting_id), self.channel)
        except Exception as error:
            raise_if_cancelled(error)
            if strict:
                raise
            layer_failed(error)

    async def offer(self, message: dict) -> None:
        """Hand a batch to every socket of the room on this process."""
        self.seq = max(self.seq, message["last_seq"])
        for listener in list(self.listeners):
            try:
                await listener.offer_events(message)
            except Exception:
                log.exception("room relay meeting=%s: a socket failed", self.meeting_id)

    async def resync(self) -> None:
        """After an outage: a fresh state to each socket that missed an event."""
        seq = await database_sync_to_async(current_seq)(self.meeting_id)
        if seq is None:
            return
        for listener in list(self.listeners):
            try:
                await listener.resync_if_behind(seq)
            except Exception:
                log.exception("room relay meeting=%s: a resync failed", self.meeting_id)

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis went away: keep trying, never die of it
                raise_if_cancelled(error)
                if self.channel != channel:  # the room's last socket left meanwhile
                    return
                layer_failed(error)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await self.offer(message)

    def suspect(self, seq: int) -> None:
        """The database shows the room at ``seq``, beyond the last batch received here."""
        if self.channel is not None and (self.checking is None or self.checking.done()):
            self.checking = asyncio.create_task(self._check(seq))

    async def _check(self, seq: int) -> None:
        """Events take milliseconds on the way: wait a moment. A batch that still has not
        come was lost (or Redis restarted unnoticed and took the group with it): join the
        room's group again, and give each socket still short of ``seq`` a fresh state
        (``RoomConsumer.resync_if_behind`` does nothing for a socket that is not)."""
        await asyncio.sleep(SUSPICION_SECONDS)
        if self.seq >= seq:
            return
        await self.join_group()
        for listener in list(self.listeners):
            try:
                await listener.resync_if_behind(seq)
            except Exception:
                log.exception("room relay meeting=%s: a catch-up failed", self.meeting_id)
        self.seq = max(self.seq, seq)


_relays: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _relays_of_this_loop() -> dict[int, RoomRelay]:
    return _relays.setdefault(asyncio.get_running_loop(), {})


_heartbeats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def live_connections() -> list[int]:
    """The presence records of the sockets this process really serves: those attached to
    a relay. A consumer leaves its relay however it ends, a crash included, so a record
    it could not delete is no longer refreshed and the backstop releases it."""
    return [
        listener.connection_id
        for room_relay in _relays_of_this_loop().values()
        for listener in room_relay.listeners
        if listener.connection_id is not None
    ]


async def _keep_watch() -> None:
    """While this process has sockets in any room: tell the database they are alive
    (``meetings.room.presence``) and let each relay the database shows behind check for a
    lost event (``RoomRelay.suspect``), in one trip every ``presence.HEARTBEAT_SECONDS``."""
    relays = _relays_of_this_loop()
    while relays:
        try:
            seqs = await database_sync_to_async(_beat_and_look)(live_connections(), list(relays))
        except Exception as error:  # the database is away: try again at the next beat
            raise_if_cancelled(error)
            log.exception("room heartbeat failed")
            seqs = {}
        for meeting_id, seq in seqs.items():
            room_relay = relays.get(meeting_id)
            if room_relay is not None and seq > room_relay.seq:
                room_relay.suspect(seq)
        await asyncio.sleep(presence.HEARTBEAT_SECONDS)


def _beat_and_look(connection_ids: list[int], meeting_ids: list[int]) -> dict[int, int]:
    """Refresh the heartbeats of this process's sockets; the seq of each of its rooms."""
    presence.beat(connection_ids)
    return dict(Room.objects.filter(pk__in=meeting_ids).values_list("pk", "seq"))


class _Recovery:
    """This process's way back after the channel layer failed (one per event loop)."""

    def __init__(self):
        self.task: asyncio.Task | None = None
        self.failed_again = False

    def failed(self, error: BaseException) -> None:
        self.failed_again = True
        if self.task is None or self.task.done():
            log.warning("room channel layer failed (%s): recovering", type(error).__name__)
            self.task = asyncio.create_task(self._recover())

    async def _recover(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while self.failed_again:
            self.failed_again = False
            delay = RECOVERY_FIRST_DELAY
            while True:
                await asyncio.sleep(delay)
                try:
                    await _join_everything_again()
                except Exception as error:
                    raise_if_cancelled(error)
                    delay = min(delay * 2, RECOVERY_MAX_DELAY)
                    continue
                break
            log.info(
                "room channel layer answers after %.1f s: groups joined again",
                loop.time() - started,
            )
            for room_relay in list(_relays_of_this_loop().values()):
                try:
                    await room_relay.resync()
                except Exception:
                    log.exception("room relay meeting=%s: a resync failed", room_relay.meeting_id)


async def _join_everything_again() -> None:
    for room_relay in list(_relays_of_this_loop().values()):
        await room_relay.join_group(strict=True)
        for listener in list(room_relay.listeners):
            await listener.rejoin_groups()


_recoveries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def raise_if_cancelled(error: BaseException) -> None:
    """redis-py may answer a cancelled read with a ``ConnectionError`` (the connection is
    torn down under it): a loop that retries on errors must still end when cancelled."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from error


def layer_failed(error: BaseException) -> None:
    """Something on this process could not talk to the channel layer: make sure a
    recovery runs (once per process, however many report it)."""
    loop = asyncio.get_running_loop()
    recovery = _recoveries.get(loop)
    if recovery is None:
        recovery = _recoveries[loop] = _Recovery()
    recovery.failed(error)


async def broadcast(meeting_id: int | None, outbox) -> None:
    """Send what the store's committed commands broadcast (see
    ``hearth.on_commit.collecting_sends``). A send that fails starts the recovery; a batch of
    the room's events then still reaches this process's own sockets, and the others get
    a fresh state once Redis is back."""
    layer = get_channel_layer()
    for group, message in outbox:
        try:
            await layer.group_send(group, message)
        except Exception as error:
            layer_failed(error)
            room_relay = _relays_of_this_loop().get(meeting_id)
            if room_relay is not None and group == room_group(meeting_id):
                await room_relay.offer(message)


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
        _heartbeats[asyncio.get_running_loop()] = asyncio.create_task(_keep_watch())
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
