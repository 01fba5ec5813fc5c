"""What can be asked of the talking circle: one immutable command per request, and who asks.

Clients send commands as frames (``meetings.room.frames`` declares each frame and the
command it becomes); the server issues the connection and timer commands itself.
``meetings.room.rules.apply`` applies the ones that change the room; ``NeedSupport``,
``Nudge`` and ``Report`` are checked by the rules and carried out by the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from meetings.room.limits import DEFAULT_EXTEND_SECONDS


@dataclass(frozen=True)
class Actor:
    """Who issues a command: a participant, or the system (timers, the server) when None."""

    participant_id: int | None

    @property
    def is_system(self) -> bool:
        return self.participant_id is None


SYSTEM = Actor(None)

# --- Anyone connected ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sync:
    """Ask for a fresh snapshot; changes nothing."""


@dataclass(frozen=True)
class RaiseHand:
    pass


@dataclass(frozen=True)
class LowerHand:
    pass


@dataclass(frozen=True)
class Share:
    text: str
    content_warning: str = ""


@dataclass(frozen=True)
class EndTurn:
    pass


@dataclass(frozen=True)
class Pass:
    pass


@dataclass(frozen=True)
class React:
    share_id: int
    kind: str


@dataclass(frozen=True)
class NeedSupport:
    """Validated by ``check_need_support`` and handled by the store, which then applies
    ``OpenAlert``; ``apply`` refuses it."""

    note: str = ""


@dataclass(frozen=True)
class SupportClosed:
    """The person closed the support dialog: a clock held for their request runs again."""


# --- Facilitators, hosts and staff ---------------------------------------------------------


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class End:
    pass


@dataclass(frozen=True)
class StartRound:
    order: str = "seating"


@dataclass(frozen=True)
class SetMode:
    mode: str


@dataclass(frozen=True)
class SetTurnSeconds:
    seconds: int


@dataclass(frozen=True)
class Extend:
    seconds: int = DEFAULT_EXTEND_SECONDS


@dataclass(frozen=True)
class Grant:
    participant_id: int


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Move:
    participant_id: int
    position: int


@dataclass(frozen=True)
class Mute:
    participant_id: int


@dataclass(frozen=True)
class Unmute:
    participant_id: int


@dataclass(frozen=True)
class Remove:
    participant_id: int


@dataclass(frozen=True)
class Lock:
    pass


@dataclass(frozen=True)
class Unlock:
    pass


@dataclass(frozen=True)
class Hide:
    share_id: int


@dataclass(frozen=True)
class Nudge:
    """A private word to the holder: checked by ``check_nudge``, sent by the store;
    ``apply`` refuses it."""

    text_id: str


@dataclass(frozen=True)
class AcknowledgeSupport:
    """A facilitator has seen a support alert; every facilitator is told who did."""

    alert_id: int


@dataclass(frozen=True)
class ClearAway:
    """Take someone who is not connected out of the queue now."""

    participant_id: int


@dataclass(frozen=True)
class Remind:
    """Remind the room of one line of the group agreements (checked by the store first)."""

    text: str


@dataclass(frozen=True)
class Report:
    """A participant reports a share to the moderators; the store files it, not ``apply``."""

    share_id: int
    reason: str
    note: str = ""


# --- Connection lifecycle and timers, issued by the server --------------------------------


@dataclass(frozen=True)
class Join:
    user_id: int
    display_name: str
    role: str


@dataclass(frozen=True)
class Disconnect:
    participant_id: int


@dataclass(frozen=True)
class Expire:
    turn_id: int


@dataclass(frozen=True)
class OpenAlert:
    """The server opens a support alert (a support request, over the socket or HTTP, or a
    crisis share). ``participant_id`` is None for someone never seated in the room. A
    request from the holder of a live turn holds their clock (``hold``)."""

    reason: str
    display_name: str
    participant_id: int | None = None
    note: str = ""
    share_id: int | None = None
    user_id: int | None = None


Command = (
    Sync
    | RaiseHand
    | LowerHand
    | Share
    | EndTurn
    | Pass
    | React
    | NeedSupport
    | SupportClosed
    | Start
    | Pause
    | Resume
    | End
    | StartRound
    | SetMode
    | SetTurnSeconds
    | Extend
    | Grant
    | Skip
    | Move
    | Mute
    | Unmute
    | Remove
    | Lock
    | Unlock
    | Hide
    | Nudge
    | Remind
    | AcknowledgeSupport
    | ClearAway
    | Join
    | Disconnect
    | Expire
    | OpenAlert
)


ClientCommand = Command | Report
