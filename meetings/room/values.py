"""What the talking circle remembers: the room's state and the people, turns, shares and
support alerts in it, as immutable values.

``RoomState`` is everything the rules read and return; ``meetings.room.state_json`` is its
JSON form for the database, ``meetings.room.public`` what each person may see of it. No
share text ever lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from meetings.room import state_json
from meetings.room.limits import DEFAULT_TURN_SECONDS

REACTION_KINDS = ("heard", "thanks", "me_too", "strength")
MODES = ("round", "queue")
STATUSES = ("open", "live", "paused", "ended")
ROLES = ("member", "facilitator", "host", "staff")
ALERT_REASONS = ("need_support", "crisis_share")
ROUND_ORDERS = ("seating", "not_shared_first")


def iso(moment: datetime | None) -> str | None:
    """A moment as the ISO 8601 text every JSON form of the room uses (None stays None)."""
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True)
class Participant:
    """A person in the room: ``seat`` orders the circle, ``connections`` counts open sockets."""

    participant_id: int
    user_id: int
    display_name: str
    role: str
    seat: int
    connections: int = 0
    muted: bool = False
    removed: bool = False
    away: bool = False
    away_at: datetime | None = None
    leave_queue_at: datetime | None = None

    @property
    def present(self) -> bool:
        return self.connections > 0 and not self.removed

    @property
    def can_moderate(self) -> bool:
        return self.role != "member"

    @property
    def can_hold_piece(self) -> bool:
        return self.present and not self.muted


@dataclass(frozen=True)
class Holder:
    """Who holds the talking piece, and until when.

    While live ``deadline`` is set; while paused it is None and ``remaining`` holds the
    seconds left. ``grace_deadline`` is set while the room is live and the holder has no
    connection. ``held``: the holder asked for support and their dialog is open, so their
    clock is stopped (no ``deadline``, ``remaining`` kept) even in a live room.
    """

    participant_id: int
    turn_id: int
    deadline: datetime | None
    remaining: float | None
    grace_deadline: datetime | None
    held: bool = False


@dataclass(frozen=True)
class SupportAlert:
    """A support request (or a crisis share) the facilitators must acknowledge.

    ``participant_id`` is None for someone who asked without ever being seated. Once
    acknowledged, ``acknowledged_by`` names the facilitator (participant id, name) and the
    note is dropped: the safety event moderation recorded keeps it.
    """

    alert_id: int
    reason: str
    participant_id: int | None
    display_name: str
    created_at: datetime
    note: str = ""
    share_id: int | None = None
    acknowledged_by: tuple[int, str] | None = None
    user_id: int | None = None  # never shown: only so a deleted account's alerts are forgotten


@dataclass(frozen=True)
class ShareMeta:
    """What the room knows about a share: never its text. ``reactions`` holds (pid, kind)."""

    share_id: int
    participant_id: int
    turn_id: int
    hidden: bool = False
    reactions: frozenset[tuple[int, str]] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RoomState:
    """All the room remembers between commands; the store keeps it as JSON (``to_json``)."""

    status: str = "open"
    mode: str = "round"
    locked: bool = False
    turn_seconds: int = DEFAULT_TURN_SECONDS
    seq: int = 0
    participants: tuple[Participant, ...] = ()
    queue: tuple[int, ...] = ()
    holder: Holder | None = None
    shares: tuple[ShareMeta, ...] = ()
    alerts: tuple[SupportAlert, ...] = ()
    next_participant_id: int = 1
    next_turn_id: int = 1
    next_share_id: int = 1
    next_alert_id: int = 1

    def participant(self, participant_id: object) -> Participant | None:
        return next((p for p in self.participants if p.participant_id == participant_id), None)

    def participant_for_user(self, user_id: int) -> Participant | None:
        return next((p for p in self.participants if p.user_id == user_id), None)

    def share(self, share_id: object) -> ShareMeta | None:
        return next((s for s in self.shares if s.share_id == share_id), None)

    def alert(self, alert_id: object) -> SupportAlert | None:
        return next((a for a in self.alerts if a.alert_id == alert_id), None)

    def seated(self) -> list[Participant]:
        """Everyone not removed, in seat order."""
        return sorted((p for p in self.participants if not p.removed), key=lambda p: p.seat)

    def may_hold(self, participant_id: int) -> bool:
        """Whether the participant could take the piece now (connected, not muted)."""
        participant = self.participant(participant_id)
        return participant is not None and participant.can_hold_piece

    def to_json(self) -> dict[str, Any]:
        """The state as JSON-safe values, for a database JSON column."""
        return state_json.to_json(self)

    def core_to_json(self) -> dict[str, Any]:
        """``to_json`` without the shares (see ``state_json.core_to_json``)."""
        return state_json.core_to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoomState:
        """The state ``to_json`` wrote, exactly."""
        return state_json.from_json(data)
