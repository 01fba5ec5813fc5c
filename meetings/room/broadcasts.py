"""Queuing a room's broadcasts after commit: the channel groups a room talks to, and the
messages a committed command sends them.

Events are JSON-encoded once, here, and travel over the channel layer as ready text: a
consumer only sends the strings it receives. A broadcast is one channel-layer message per
command, ``{"type": "room.events", "frames": [...], "first_seq", "last_seq", "deadline",
"removed"}``; the extra keys let consumers order batches, arm their timer and close a
removed person's socket without decoding a frame. Private frames (no seq) go to one group
each as ``{"type": "room.private", "frames": [...]}``, after the events.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from meetings.room import snapshots
from meetings.room.outcome import Outcome


def room_group(meeting_id: int) -> str:
    """Everyone connected to the meeting's room, on every server process."""
    return f"room.{meeting_id}"


def moderators_group(meeting_id: int) -> str:
    """The connected facilitators, hosts and staff: private support alerts go here."""
    return f"room.{meeting_id}.moderators"


def participant_group(meeting_id: int, participant_id: int) -> str:
    """Every socket of one participant of the room (a nudge goes to the holder alone)."""
    return f"room.{meeting_id}.participant.{participant_id}"


def user_group(user_id: int) -> str:
    """Every socket of one account (moderation tells it about a suspension)."""
    return f"user.{user_id}"


def after_commit(meeting_id: int, outcome: Outcome) -> None:
    """After commit: the events to the room, then each private frame to its group."""
    _events_after_commit(meeting_id, outcome)
    for group, frames in outcome.private:
        _send_after_commit(group, frames)


def _events_after_commit(meeting_id: int, outcome: Outcome) -> None:
    if not outcome.events:
        return
    message = {
        "type": "room.events",
        "frames": [snapshots.encode(event) for event in outcome.events],
        "first_seq": outcome.events[0]["seq"],
        "last_seq": outcome.events[-1]["seq"],
        "deadline": snapshots.timer_of(outcome.state),
        "removed": [
            event["participant_id"]
            for event in outcome.events
            if event["type"] == "participant_removed"
        ],
    }
    transaction.on_commit(lambda: _group_send(room_group(meeting_id), message))


def _send_after_commit(group: str, frames: list[dict[str, Any]]) -> None:
    message = {"type": "room.private", "frames": [snapshots.encode(frame) for frame in frames]}
    transaction.on_commit(lambda: _group_send(group, message))


def _group_send(group: str, message: dict[str, Any]) -> None:
    """Send now, or hand the message to the consumer that is collecting (see
    ``collecting_broadcasts``). Only ever called from ``transaction.on_commit``."""
    outbox = getattr(_collecting, "outbox", None)
    if outbox is not None:
        outbox.append((group, message))
        return
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


_collecting = threading.local()


@contextmanager
def collecting_broadcasts():
    """Collect what commits inside the block would broadcast, instead of sending it from
    this (database) thread: the consumer then awaits the sends on its event loop, so the
    process's one database thread never waits on Redis. Yields the list of
    ``(group, message)``; whatever did not commit is never in it."""
    outer = getattr(_collecting, "outbox", None)
    _collecting.outbox = []
    try:
        yield _collecting.outbox
    finally:
        _collecting.outbox = outer
