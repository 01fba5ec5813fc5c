"""What one command did to a room (``Outcome``): the store returns it, the room's own
commands and their side effects fill it in, and the broadcasts are made from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meetings.room.rules import RoomState


@dataclass
class Outcome:
    """What a command did: the room after it, its events, and frames for the sender only.

    ``repeat`` is true when the command (same participant, same ref) had been applied
    already and nothing was done now: ``events`` is empty and ``seq`` the room's seq at
    this answer, which covers the original's events.
    """

    state: RoomState
    events: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    repeat: bool = False
    repeat_seq: int | None = None
    private: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)

    @property
    def seq(self) -> int | None:
        """The seq of the command's last event (None when it made none)."""
        if self.repeat:
            return self.repeat_seq
        return self.events[-1]["seq"] if self.events else None

    def send_privately(self, group: str, frames: list[dict[str, Any]]) -> None:
        """Frames for one group only (no seq), sent after commit, after the events."""
        self.private.append((group, frames))
