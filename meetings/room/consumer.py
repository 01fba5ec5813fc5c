"""The talking circle's WebSocket: a thin edge around ``meetings.room.store``.

It authenticates (the session, through ``AuthMiddlewareStack``; the origin is checked by
``AllowedHostsOriginValidator`` in ``hearth/asgi.py``), authorises entry, parses frames,
calls the store (in a thread: ``meetings.room.socket_work``) and relays what the store
broadcasts. The room's state lives in the database; a consumer keeps only its own
connection's: who it is, and its ``Sequencer`` (``meetings.room.sequencer``: the last
``seq`` it delivered, a few out-of-order batches waiting for a gap to fill). It offers
each deadline it sees to the process's turn timers (``meetings.room.turn_timers``).

Close codes: 4401 not logged in, 4403 not allowed in (or removed), 4404 no such meeting,
4409 room not open, ended or locked, 4412 a member who has not confirmed the circle's
agreements for this meeting yet, 4413 a frame over 64 KiB (1009 before: daphne refuses
that code from an application). An ``error`` frame never
closes the connection. See docs/protocol.md.

A consumer never dies of the channel layer: while Redis is away its receive waits and
tries again, its broadcasts reach at least this process's sockets, and the relay's
recovery joins its groups again (``meetings.room.relay``). Whatever ends a consumer, a
crash included, releases its place in the room: the person is shown gone and a holder's
reconnect grace starts (Channels itself calls ``disconnect`` only when the client
closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch

from hearth import groups
from hearth.refusal import REFUSAL_MESSAGES
from meetings.models import Meeting
from meetings.permissions import is_room_moderator
from meetings.room import (
    frames,
    limits,
    relay,
    snapshots,
    socket_work,
    turn_timers,
)
from meetings.room.entry import Entry, close_code_for_join, entry_for
from meetings.room.frames import Close
from meetings.room.protocol import error_frame
from meetings.room.rules import Refused
from meetings.room.sequencer import Sequencer, Verdict
from meetings.room.voice import edge as voice_edge

log = logging.getLogger("hearth.room")


GAP_WAIT_SECONDS = 1.0
LAYER_RETRY_SECONDS = 1.0  # a channel-layer receive that failed is tried again after this


class RoomConsumer(AsyncWebsocketConsumer):
    meeting_id: int | None = None
    participant_id: int | None = None
    user_id: int | None = None
    connection_id: int | None = None
    released = False

    # Needed: Channels' own ``__call__`` lets the consumer die with the channel layer's
    # receive while Redis is away, and calls ``disconnect`` only when the client closes.
    async def __call__(self, scope, receive, send):
        """Channels' ``AsyncConsumer.__call__`` (channels 4.3) with two changes: the
        channel layer's receive outlives Redis going away, and whatever ends the
        consumer, a crash included, releases its place in the room."""
        self.scope = scope
        self.joined_groups: list[str] = []
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = self._receive_from_layer
        self.base_send = send
        try:
            await await_many_dispatch([receive, self.channel_receive], self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self._release()

    async def _receive_from_layer(self) -> dict:
        while True:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except Exception as error:
                relay.raise_if_cancelled(error)
                if self.released:  # the socket is gone: nothing left to receive for
                    raise asyncio.CancelledError from error
                relay.layer_failed(error)
                await asyncio.sleep(LAYER_RETRY_SECONDS)

    # Needed for speed: Channels' ``dispatch`` hops to the database thread before every
    # message (``close_old_connections``), which the room's busiest messages never need.
    async def dispatch(self, message):
        """Frames from the client and private frames skip Channels' per-message
        ``close_old_connections``, a hop to the database thread: a frame's own work runs
        in ``database_sync_to_async``, which closes old connections itself, and relaying
        ready text touches no database. Connecting and disconnecting go the usual way."""
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        elif message["type"] == "room.private":
            await self.room_private(message)
        elif message["type"] == voice_edge.SIGNAL_MESSAGE:
            await self.voice_signal(message)
        else:
            await super().dispatch(message)

    # --- The socket: connect, disconnect, receive ------------------------------------------

    async def connect(self):
        self.order = Sequencer()
        self.gap_task: asyncio.Task | None = None
        self.delivery = asyncio.Lock()
        self.queued_deliveries: set[asyncio.Task] = set()
        await self.accept()
        user = self.scope.get("user")
        meeting_id = self.scope["url_route"]["kwargs"]["meeting_id"]
        entry = await database_sync_to_async(_admission)(user, meeting_id)
        if entry.close_code is not None:
            await self.close(entry.close_code)
            return
        self.user_id, role = user.pk, entry.role
        self.meeting_id = meeting_id
        await relay.attach(meeting_id, self)
        await self._join_group(groups.user_group(user.pk))
        if is_room_moderator(role):
            await self._join_group(groups.moderators_group(meeting_id))
        try:
            participant, frame, deadline, outbox, self.connection_id = await database_sync_to_async(
                socket_work.join
            )(meeting_id, user, role)
        except Refused as refusal:
            await self.close(close_code_for_join(refusal))
            return
        self.participant_id = participant.participant_id
        await self._broadcast(outbox)
        await self._join_group(groups.participant_group(meeting_id, participant.participant_id))
        await self._send_snapshot(frame, deadline)

    async def disconnect(self, code):
        await self._release()

    async def receive(self, text_data=None, bytes_data=None):
        if _too_big(text_data, bytes_data):
            await self.close(Close.TOO_BIG)
            return
        if self.participant_id is None:
            return
        voice_frame = voice_edge.voice_frame_of(text_data)
        if voice_frame is not None:  # signaling: forwarded to one addressee, never a command
            await voice_edge.receive(self, voice_frame)
            return
        try:
            frames, snapshot, outbox = await database_sync_to_async(socket_work.handle_frame)(
                self.meeting_id, self.participant_id, self.scope["user"], text_data
            )
        except Exception:  # the database or the cache is away: say so, keep the socket
            log.exception("room frame failed meeting=%s", self.meeting_id)
            frame = error_frame(
                "unavailable",
                REFUSAL_MESSAGES["unavailable"],
                socket_work.ref_of_text(text_data),
            )
            await self.send(text_data=snapshots.encode(frame))
            return
        await self._broadcast(outbox)
        for frame in frames:
            await self.send(text_data=snapshots.encode(frame))
        if snapshot is not None:
            await self._send_snapshot(*snapshot)

    # --- Messages from the channel layer: one handler per type ------------------------------

    async def room_events(self, message):
        """A batch of events from one command, already encoded: deliver them in seq order."""
        async with self.delivery:
            if self.order.seated and self.participant_id is None:  # removed: nothing more
                return
            verdict = self.order.offer(message)
            if verdict is Verdict.GAP:
                self._watch_gap()
            elif verdict is Verdict.NEXT:
                await self._deliver(message)
                await self._deliver_waiting()

    async def room_private(self, message):
        """Frames for this socket's eyes only (support alerts to moderators, a nudge to
        the holder)."""
        for frame in message["frames"]:
            await self.send(text_data=frame)

    async def voice_signal(self, message):
        """A voice frame addressed to this participant (``meetings.room.voice.edge``)."""
        await self.send(text_data=message["frame"])

    async def account_suspended(self, message):
        """Moderation suspended this account: the socket closes at once."""
        await self.send(text_data=snapshots.encode(frames.Removed("suspended").frame()))
        await self.close(Close.FORBIDDEN)

    # --- Calls from the process's relay (``meetings.room.relay``) --------------------------

    async def offer_events(self, message):
        """The process's relay hands over a batch: deliver it now or, while a resync holds
        the delivery lock, as soon as that is done, so the relay never waits on one
        socket. Batches that overtake each other on the way are put back in seq order by
        ``room_events``."""
        if not self.delivery.locked():
            await self.room_events(message)
            return
        queued = asyncio.create_task(self.room_events(message))
        self.queued_deliveries.add(queued)
        queued.add_done_callback(self.queued_deliveries.discard)

    async def resync_if_behind(self, seq: int) -> None:
        """The channel layer is back after an outage (``relay``): a socket short of the
        room's ``seq`` missed events on the way, and gets the whole state."""
        await self._resync_if_behind(seq, "recovery")

    async def rejoin_groups(self) -> None:
        """Redis came back (empty): join this socket's own groups again. Raises if Redis
        is still away, for the relay's recovery to try again."""
        for group in list(self.joined_groups):
            await self.channel_layer.group_add(group, self.channel_name)

    # --- Helpers ---------------------------------------------------------------------------

    async def _release(self) -> None:
        """Leave the room: on a close, and from ``__call__`` whatever ended the consumer.
        Done once. The relay forgets the socket first, so its presence record is no
        longer refreshed even if the database cannot be told now (the backstop
        ``release_lost_connections`` then releases it)."""
        if self.released:
            return
        self.released = True
        if getattr(self, "gap_task", None) is not None:
            self.gap_task.cancel()
        if self.meeting_id is not None:
            await relay.detach(self.meeting_id, self)
        for group in self.joined_groups:
            with contextlib.suppress(Exception):  # gone with Redis, or expiring
                await self.channel_layer.group_discard(group, self.channel_name)
        if self.participant_id is not None:
            participant_id, self.participant_id = self.participant_id, None
            try:
                outbox = await database_sync_to_async(socket_work.leave)(
                    self.meeting_id, participant_id, self.connection_id
                )
            except Exception:
                log.exception("room leave failed meeting=%s: left to the backstop", self.meeting_id)
                return
            await self._broadcast(outbox)

    async def _broadcast(self, outbox) -> None:
        """Send what the store's committed commands broadcast (see hearth.on_commit)."""
        await relay.broadcast(self.meeting_id, outbox)

    async def _join_group(self, group: str) -> None:
        self.joined_groups.append(group)
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as error:  # the recovery joins it once Redis is back
            relay.raise_if_cancelled(error)
            relay.layer_failed(error)

    async def _resync_if_behind(self, seq: int, why: str) -> None:
        if not self.order.behind(seq):
            return
        async with self.delivery:
            if self.participant_id is None or not self.order.behind(seq):
                return
            log.info("room %s meeting=%s after seq=%s", why, self.meeting_id, self.order.last_seq)
            frame, deadline = await database_sync_to_async(socket_work.snapshot)(
                self.meeting_id, self.participant_id
            )
            await self._send_snapshot(frame, deadline, locked=True)

    async def _deliver(self, message) -> None:
        for frame in self.order.take(message):
            await self.send(text_data=frame)
        if self.participant_id is not None and self.participant_id in message["removed"]:
            self.participant_id = None
            await self.send(text_data=snapshots.encode(frames.Removed("removed").frame()))
            await self.close(Close.FORBIDDEN)
            return
        _timers().offer(self.meeting_id, message["last_seq"], message["deadline"])

    async def _deliver_waiting(self) -> None:
        while self.participant_id is not None:
            message = self.order.next_waiting()
            if message is None:
                return
            await self._deliver(message)

    async def _close_gap(self) -> None:
        """A batch is missing: wait a moment for it, then resend the whole state instead."""
        await asyncio.sleep(GAP_WAIT_SECONDS)
        async with self.delivery:
            if not self.order.has_waiting or self.participant_id is None:
                return
            log.info(
                "room gap meeting=%s after seq=%s: resync", self.meeting_id, self.order.last_seq
            )
            frame, deadline = await database_sync_to_async(socket_work.snapshot)(
                self.meeting_id, self.participant_id
            )
            await self._send_snapshot(frame, deadline, locked=True)
            if self.order.has_waiting:  # batches beyond the fresh state still wait their turn
                self.gap_task = asyncio.create_task(self._close_gap())

    async def _send_snapshot(self, frame, deadline, locked: bool = False) -> None:
        if not locked:
            async with self.delivery:
                await self._send_snapshot(frame, deadline, locked=True)
            return
        self.order.seat(frame["seq"])
        await self.send(text_data=snapshots.encode(frame))
        await self._deliver_waiting()
        _timers().offer(self.meeting_id, frame["seq"], deadline)
        if self.order.has_waiting:
            self._watch_gap()

    def _watch_gap(self) -> None:
        if self.gap_task is None or self.gap_task.done():
            self.gap_task = asyncio.create_task(self._close_gap())


def _timers() -> turn_timers.TurnTimers:
    """This event loop's turn timers; each fires ``_expire`` (see ``turn_timers``)."""
    return turn_timers.of_running_loop(_expire)


async def _expire(meeting_id: int, turn_id: int) -> None:
    try:
        outbox = await database_sync_to_async(socket_work.expire)(meeting_id, turn_id)
    except Refused:
        return
    except Exception:  # the database is away: another process or the backstop fires it
        log.exception("room timer failed meeting=%s turn=%s", meeting_id, turn_id)
        return
    await relay.broadcast(meeting_id, outbox)


# --- Entry (in a thread) and frame size -------------------------------------------------


def _admission(user, meeting_id: int) -> Entry:
    return entry_for(user, Meeting.objects.select_related("circle").filter(pk=meeting_id).first())


def _too_big(text_data: str | None, bytes_data: bytes | None) -> bool:
    if bytes_data is not None:
        return len(bytes_data) > limits.MAX_FRAME_BYTES
    if text_data is None:
        return False
    if len(text_data) * 4 <= limits.MAX_FRAME_BYTES:
        return False
    return len(text_data.encode("utf-8", "surrogatepass")) > limits.MAX_FRAME_BYTES
