"""The per-process cache of decoded room states: the last committed state this process
read or wrote of each room, keyed by the row's revision, so the store skips fetching and
decoding a state it already holds. Only ever a copy: the store checks the row's revision
on every read."""

from __future__ import annotations

from django.db import transaction

from meetings.room.rules import RoomState

# Each process remembers the last committed state it read or wrote of each room, with the
# row's revision: while the revision is unchanged, the state need not travel from the
# database or be decoded again. Only ever a copy: the row is checked on every read.
_decoded: dict[int, tuple[int, RoomState]] = {}
_DECODED_ROOMS = 500


def cached(meeting_id: int) -> tuple[int, RoomState | None]:
    """``(revision, state)`` this process last saw committed, or ``(-1, None)``."""
    return _decoded.get(meeting_id, (-1, None))


def remember_after_commit(meeting_id: int, revision: int, state: RoomState) -> None:
    """Remember a state once it is committed (a rolled-back revision number is reused)."""

    def remember():
        if len(_decoded) >= _DECODED_ROOMS:
            _decoded.clear()
        _decoded[meeting_id] = (revision, state)

    transaction.on_commit(remember)
