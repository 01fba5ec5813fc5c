"""Queuing a room's broadcasts after commit (``hearth.on_commit.send_on_commit``): the
messages a committed command sends to the room's groups (named in ``hearth.groups``).

Events are JSON-encoded once, here, and travel over the channel layer as ready text: a
consumer only sends the strings it receives. A broadcast is one channel-layer message per
command, ``{"type": "room.events", "frames": [...], "first_seq", "last_seq", "deadline",
"removed"}``; the extra keys let consumers order batches, arm their timer and close a
removed person's socket without decoding a frame. Private frames (no seq) go to one group
each as ``{"type": "room.private", "frames": [...]}``, after the events.
"""

from __future__ import annotations

from typing import Any

from hearth.groups import room_group
from hearth.on_commit import send_on_commit
from meetings.room import snapshots
from meetings.room.outcome import Outcome


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
    send_on_commit(room_group(meeting_id), message)


def _send_after_commit(group: str, frames: list[dict[str, Any]]) -> None:
    message = {"type": "room.private", "frames": [snapshots.encode(frame) for frame in frames]}
    send_on_commit(group, message)
