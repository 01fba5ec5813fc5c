"""What a room socket asks of the database and the cache: the work the consumer runs in
a thread (``database_sync_to_async``), one function per job. Each returns what the
consumer must send, and the broadcasts its commands committed
(``hearth.on_commit.collecting_sends``), for the consumer to send on its event loop."""

from __future__ import annotations

import json
import logging

from django.conf import settings

from hearth import on_commit
from hearth.cache import count_in_window
from hearth.refusal import REFUSAL_MESSAGES
from meetings.room import limits, presence, snapshots, store
from meetings.room.commands import Actor, Sync
from meetings.room.protocol import ack_frame, error_frame, parse_client_frame, ref_of
from meetings.room.rules import Refused
from meetings.room.values import RoomState

log = logging.getLogger("hearth.room")


def join(meeting_id: int, user, role: str):
    with on_commit.collecting_sends() as outbox:
        participant, frame, outcome = store.join(meeting_id, user, role)
    connection_id = presence.opened(meeting_id, participant.participant_id)
    return participant, frame, snapshots.timer_of(outcome.state), outbox, connection_id


def leave(meeting_id: int, participant_id: int, connection_id: int):
    """The socket closed: tell the room, unless the backstop already did (it found this
    process's heartbeat late and took the socket for lost)."""
    with on_commit.collecting_sends() as outbox:
        if presence.closed(connection_id):
            store.leave(meeting_id, participant_id)
    return outbox


def snapshot(meeting_id: int, participant_id: int):
    state = store.load_state(meeting_id) or RoomState()
    return snapshots.snapshot(meeting_id, state, participant_id), snapshots.timer_of(state)


def handle_frame(meeting_id: int, participant_id: int, user, text: str | None):
    """Check the rate, parse the frame and run its command.

    Returns the frames to send back, for ``sync`` a fresh snapshot with its timer, and
    the broadcasts the command committed (for the caller to send). A command sent with a
    ref is applied at most once (the store keeps its answer) and, once applied, answered
    with an ``ack`` after its own replies; every refusal echoes the ref, if it is valid.
    """
    data = None
    try:
        data = json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        bad_json = True
    else:
        bad_json = False
    if not within_rate(user.pk):
        message = REFUSAL_MESSAGES["rate_limited"]
        return [error_frame("rate_limited", message, ref_of(data))], None, []
    if bad_json:
        return [error_frame("bad_request", "A frame must be a JSON object.")], None, []
    try:
        command, ref = parse_client_frame(data)
    except Refused as refusal:
        return [error_frame(refusal.code, refusal.message, ref_of(data))], None, []
    if isinstance(command, Sync):
        return [], snapshot(meeting_id, participant_id), []
    with on_commit.collecting_sends() as outbox:
        try:
            outcome = store.execute(meeting_id, Actor(participant_id), command, user=user, ref=ref)
        except Refused as refusal:
            return [error_frame(refusal.code, refusal.message, ref)], None, outbox
    if ref is None:
        return outcome.replies, None, outbox
    replies = [{**reply, "ref": ref} for reply in outcome.replies]
    return [*replies, ack_frame(ref, outcome.seq, outcome.repeat)], None, outbox


def within_rate(user_id: int) -> bool:
    """At most 20 frames in 10 seconds per account, counted in the shared cache so that
    more tabs or reconnecting (to any server process) never buys a bigger budget. While
    the cache (Redis) is away nobody is limited: the room goes on on the database."""
    try:
        count = count_in_window(f"room:rate:{user_id}", limits.RATE_LIMIT_SECONDS)
    except Exception as error:
        log.warning("room rate limit not counted: %s", type(error).__name__)
        return True
    return count <= settings.ROOM_RATE_LIMIT_FRAMES


def ref_of_text(text: str | None):
    try:
        return ref_of(json.loads(text)) if text is not None else None
    except (ValueError, RecursionError):
        return None


def expire(meeting_id: int, turn_id: int):
    with on_commit.collecting_sends() as outbox:
        store.expire(meeting_id, turn_id)
    return outbox
