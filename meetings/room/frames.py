"""Every frame of the room's socket, declared once: what a client may send, every frame the
server sends, the error codes and the close codes.

- ``CLIENT_FRAMES``: each client frame type and the command (``meetings.room.commands``)
  it becomes. A frame's fields are its command's fields, with their types and defaults;
  ``meetings.room.protocol`` parses and checks frames from these declarations.
- ``EVENTS``: the broadcasts, in ``seq`` order, that bring a snapshot up to date. Each
  event is a class whose fields are exactly what a client receives besides ``type`` and
  ``seq``; ``Event.frame(seq)`` makes the frame. The rules emit them; the two whose
  fields only the store knows (``shared``'s text, ``reaction``'s author) are emitted by
  the rules without those (``FILLED_BY_STORE``) and completed by ``complete_shared`` /
  ``complete_reaction``, the one place each full event is built.
- ``PRIVATE_FRAMES``: frames to one person or to the facilitators, without a seq. A frame
  that answers a command also carries the command's ``ref`` when it had one
  (``ANSWERS_A_COMMAND``).
- ``State``: the snapshot, with the values it is made of (``ParticipantView``, …);
  ``meetings.room.public`` and ``meetings.room.snapshots`` build it, and the tests check it
  against these declarations.
- ``ERROR_CODES`` and ``Close``.

``docs/protocol.md`` describes the same frames; ``tests/meetings/room/test_frames.py``
fails when the two disagree, and runs the browser's reducer (``static/js/room/state.js``)
on one example of every declared frame. Adding a frame is adding one class here (and its
row in the doc).
"""

from __future__ import annotations

import typing
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

from meetings.room import commands

# --- Client -> server -----------------------------------------------------------------------

CLIENT_COMMANDS: dict[str, type] = {
    "sync": commands.Sync,
    "raise_hand": commands.RaiseHand,
    "lower_hand": commands.LowerHand,
    "share": commands.Share,
    "end_turn": commands.EndTurn,
    "pass": commands.Pass,
    "react": commands.React,
    "report": commands.Report,
    "need_support": commands.NeedSupport,
    "support_closed": commands.SupportClosed,
    "start": commands.Start,
    "pause": commands.Pause,
    "resume": commands.Resume,
    "end": commands.End,
    "start_round": commands.StartRound,
    "set_mode": commands.SetMode,
    "set_turn_seconds": commands.SetTurnSeconds,
    "extend": commands.Extend,
    "grant": commands.Grant,
    "skip": commands.Skip,
    "move": commands.Move,
    "mute": commands.Mute,
    "unmute": commands.Unmute,
    "remove": commands.Remove,
    "lock": commands.Lock,
    "unlock": commands.Unlock,
    "hide": commands.Hide,
    "nudge": commands.Nudge,
    "remind": commands.Remind,
    "acknowledge_support": commands.AcknowledgeSupport,
    "clear_away": commands.ClearAway,
}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a client frame: its name, its JSON type (int or str) and whether it
    must be given. An optional field left out takes the command's default."""

    name: str
    kind: type
    required: bool = True


def _field_specs(command: type) -> tuple[FieldSpec, ...]:
    hints = typing.get_type_hints(command)
    return tuple(
        FieldSpec(
            f.name,
            hints[f.name],
            required=f.default is MISSING and f.default_factory is MISSING,
        )
        for f in fields(command)
    )


# Each client frame type: the command it becomes and its fields, derived from the command.
CLIENT_FRAMES: dict[str, tuple[type, tuple[FieldSpec, ...]]] = {
    frame_type: (command, _field_specs(command)) for frame_type, command in CLIENT_COMMANDS.items()
}


# --- Server -> client: the values frames are made of ------------------------------------------


@dataclass(slots=True)
class ParticipantView:
    """What everyone in the room may see of a participant (never their user id)."""

    participant_id: int
    display_name: str
    role: str
    present: bool
    muted: bool
    away: bool


@dataclass(slots=True)
class RoomView:
    status: str
    mode: str
    locked: bool
    turn_seconds: int


@dataclass(slots=True)
class HolderView:
    """While paused (or held for support) ``deadline`` is None and ``remaining`` is set."""

    participant_id: int
    turn_id: int
    deadline: str | None
    remaining: float | None


@dataclass(slots=True)
class MuteView:
    """How one is muted: ``scope`` meeting (until unmuted) or circle (until ``until``)."""

    scope: str
    until: str | None


@dataclass(slots=True)
class YouView:
    participant_id: int
    display_name: str
    role: str
    muted: bool
    can_moderate: bool
    mute: MuteView | None


@dataclass(slots=True)
class ShareView:
    share_id: int
    participant_id: int
    display_name: str
    text: str
    content_warning: str
    created_at: str
    reactions: dict[str, int]
    my_reactions: list[str]


@dataclass(slots=True)
class AcknowledgedBy:
    participant_id: int
    display_name: str


@dataclass(slots=True)
class ResourceSegment:
    """A piece of a line of crisis resources; ``href`` (tel: or https:) when it is a link."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"href"})

    text: str
    href: str | None = None


# --- Server -> client: frames -----------------------------------------------------------------


class ServerFrame:
    """A frame the server sends: ``TYPE`` and the declared fields, in order. ``frame()``
    is written for each class when it is declared (as ``dataclass`` writes ``__init__``),
    so making a frame costs what a dict literal costs."""

    TYPE: ClassVar[str]
    FIELDS: ClassVar[tuple[str, ...]]
    # Fields that may be left out (never null): facilitators-only parts of the snapshot.
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def frame(self) -> dict[str, Any]:
        raise NotImplementedError  # written by ``_declare``


class Event(ServerFrame):
    """A broadcast: every connection in the room receives it, in ``seq`` order.
    ``frame(seq)`` makes it."""

    FILLED_BY_STORE: ClassVar[tuple[str, ...]] = ()
    FROM_RULES: ClassVar[tuple[str, ...]]  # FIELDS without FILLED_BY_STORE


class PrivateFrame(ServerFrame):
    """A frame to one person's sockets (or the facilitators'), without a seq."""

    ANSWERS_A_COMMAND: ClassVar[bool] = False


def _frame_method(cls) -> Any:
    """``frame()`` (``frame(seq)`` for an event) as one dict display of the fields."""
    envelope = '"type": TYPE, "seq": seq' if issubclass(cls, Event) else '"type": TYPE'
    items = "".join(f", {name!r}: self.{name}" for name in cls.FIELDS)
    arguments = "self, seq" if issubclass(cls, Event) else "self"
    source = f"def frame({arguments}):\n    return {{{envelope}{items}}}\n"
    namespace: dict[str, Any] = {}
    exec(source, {"TYPE": cls.TYPE}, namespace)  # noqa: S102 - names from a declaration
    return namespace["frame"]


EVENTS: dict[str, type[Event]] = {}
PRIVATE_FRAMES: dict[str, type[PrivateFrame]] = {}


def _declare(registry: dict, frame_type: str):
    def declare(cls):
        cls = dataclass(slots=True)(cls)
        cls.TYPE = frame_type
        cls.FIELDS = tuple(f.name for f in fields(cls))
        cls.frame = _frame_method(cls)
        if issubclass(cls, Event):
            cls.FROM_RULES = tuple(n for n in cls.FIELDS if n not in cls.FILLED_BY_STORE)
        registry[frame_type] = cls
        return cls

    return declare


def event(frame_type: str):
    """Declare a broadcast event class (see ``EVENTS``)."""
    return _declare(EVENTS, frame_type)


def private(frame_type: str):
    """Declare a private frame class (see ``PRIVATE_FRAMES``)."""
    return _declare(PRIVATE_FRAMES, frame_type)


@_declare({}, "state")
class State(ServerFrame):
    """The snapshot, on every connection and in answer to ``sync``."""

    OPTIONAL = frozenset({"not_shared_yet", "support_alerts"})

    seq: int
    room: RoomView
    holder: HolderView | None
    queue: list[int]
    participants: list[ParticipantView]
    you: YouView | None
    shares: list[ShareView]
    not_shared_yet: list[int] | None = None  # facilitators, hosts and staff only
    support_alerts: list[SupportAlert] | None = None  # facilitators, hosts and staff only


# Events ----------------------------------------------------------------------------------


@event("room")
class RoomChanged(Event):
    status: str
    mode: str
    locked: bool
    turn_seconds: int


@event("joined")
class Joined(Event):
    participant: ParticipantView


@event("participant_updated")
class ParticipantUpdated(Event):
    participant: ParticipantView


@event("left")
class Left(Event):
    participant_id: int


@event("seating")
class Seating(Event):
    participants: list[int]


@event("hand_raised")
class HandRaised(Event):
    participant_id: int
    queue: list[int]


@event("hand_lowered")
class HandLowered(Event):
    participant_id: int
    queue: list[int]


@event("queue")
class Queue(Event):
    queue: list[int]


@event("turn_started")
class TurnStarted(Event):
    participant_id: int
    turn_id: int
    deadline: str
    queue: list[int]


TURN_ENDED_REASONS = (
    "ended",
    "passed",
    "skipped",
    "granted_away",
    "muted",
    "removed",
    "timeout",
    "disconnected",
    "room_ended",
)


@event("turn_ended")
class TurnEnded(Event):
    participant_id: int
    turn_id: int
    reason: str  # one of TURN_ENDED_REASONS


@event("turn_paused")
class TurnPaused(Event):
    participant_id: int
    turn_id: int
    deadline: str | None
    remaining: float | None


@event("turn_resumed")
class TurnResumed(Event):
    participant_id: int
    turn_id: int
    deadline: str | None
    remaining: float | None


@event("turn_extended")
class TurnExtended(Event):
    participant_id: int
    turn_id: int
    deadline: str | None
    remaining: float | None


@event("shared")
class Shared(Event):
    FILLED_BY_STORE = ("display_name", "text", "created_at")

    share_id: int
    participant_id: int
    turn_id: int
    display_name: str
    text: str
    content_warning: str
    created_at: str


@event("reaction")
class Reaction(Event):
    FILLED_BY_STORE = ("participant_id",)

    share_id: int
    kind: str
    count: int
    participant_id: int  # who reacted, so their own client can mark it


@event("share_hidden")
class ShareHidden(Event):
    share_id: int


@event("participant_muted")
class ParticipantMuted(Event):
    participant_id: int


@event("participant_unmuted")
class ParticipantUnmuted(Event):
    participant_id: int


@event("participant_removed")
class ParticipantRemoved(Event):
    participant_id: int


@event("participant_away")
class ParticipantAway(Event):
    participant_id: int


@event("agreement_reminder")
class AgreementReminder(Event):
    text: str


def rules_part(event_class: type[Event], seq: int, **values: Any) -> dict[str, Any]:
    """The event as the rules emit it: every field but the ones the store fills in."""
    if tuple(values) != event_class.FROM_RULES:
        raise TypeError(f"{event_class.TYPE} from the rules takes {event_class.FROM_RULES}")
    return {"type": event_class.TYPE, "seq": seq, **values}


def complete_shared(
    rules_event: dict[str, Any], display_name: str, text: str, created_at: str
) -> dict[str, Any]:
    """The full ``shared`` event, from the rules' one and what the store kept."""
    return Shared(
        share_id=rules_event["share_id"],
        participant_id=rules_event["participant_id"],
        turn_id=rules_event["turn_id"],
        display_name=display_name,
        text=text,
        content_warning=rules_event["content_warning"],
        created_at=created_at,
    ).frame(rules_event["seq"])


def complete_reaction(rules_event: dict[str, Any], participant_id: int) -> dict[str, Any]:
    """The full ``reaction`` event: the rules' one and who reacted."""
    return Reaction(
        share_id=rules_event["share_id"],
        kind=rules_event["kind"],
        count=rules_event["count"],
        participant_id=participant_id,
    ).frame(rules_event["seq"])


# Private frames ----------------------------------------------------------------------------

# The codes an ``error`` frame carries; their words are ``REFUSAL_MESSAGES``. (The
# rules' ``removed``, ``locked`` and ``closed`` refuse a connection: a close code, never
# an error frame.)
ERROR_CODES = (
    "bad_request",
    "forbidden",
    "not_your_turn",
    "muted",
    "room_not_live",
    "too_long",
    "not_found",
    "rate_limited",
    "unavailable",
    "voice_off",
    "voice_full",
)


@private("error")
class Error(PrivateFrame):
    """A command refused; it never closes the socket. ``message`` is for people."""

    code: str  # one of ERROR_CODES
    message: str
    ref: str | None


@private("ack")
class Ack(PrivateFrame):
    """The command sent with ``ref`` was applied; ``seq`` is its last event's (or None)."""

    ref: str
    seq: int | None
    repeat: bool


@private("resources")
class Resources(PrivateFrame):
    ANSWERS_A_COMMAND = True

    reason: str
    text: str
    links: list[list[ResourceSegment]]
    alert_id: int | None


@private("support_alert")
class SupportAlert(PrivateFrame):
    """To the facilitators: someone asked for support (or a share matched a crisis phrase)."""

    alert_id: int
    reason: str
    participant_id: int | None
    display_name: str
    note: str
    share_id: int | None
    created_at: str
    holds_piece: bool


@private("support_acknowledged")
class SupportAcknowledged(PrivateFrame):
    alert_id: int
    by: AcknowledgedBy


@private("reported")
class Reported(PrivateFrame):
    ANSWERS_A_COMMAND = True

    share_id: int


@private("your_share_hidden")
class YourShareHidden(PrivateFrame):
    share_id: int


@private("mute")
class Mute(PrivateFrame):
    scope: str
    until: str | None


REMOVED_REASONS = ("removed", "suspended")


@private("removed")
class Removed(PrivateFrame):
    """Sent just before the socket closes with ``Close.FORBIDDEN``."""

    reason: str  # one of REMOVED_REASONS


@private("nudge")
class Nudge(PrivateFrame):
    text_id: str
    text: str


@private("nudged")
class Nudged(PrivateFrame):
    ANSWERS_A_COMMAND = True

    participant_id: int


SERVER_FRAMES: dict[str, type[ServerFrame]] = {"state": State, **EVENTS, **PRIVATE_FRAMES}


# --- Voice signaling (docs/voice.md) -----------------------------------------------------------
# Each voice frame type and its fields besides the address. A page sends it with ``to`` (a
# participant id); only that participant's sockets receive it, with ``from`` instead: never
# broadcast, never stored, no seq, no ack. ``meetings.room.voice.signaling`` checks and
# forwards them under voice's own rate budget; its refusals are ``error`` frames.

VOICE_FRAMES: dict[str, tuple[str, ...]] = {
    "voice_offer": ("sdp",),
    "voice_answer": ("sdp",),
    "voice_ice": ("candidate",),  # {candidate, sdpMid, sdpMLineIndex, usernameFragment} or null
    "voice_hangup": (),
}


# --- Close codes ------------------------------------------------------------------------------


class Close:
    """Why the server closes a room socket (see docs/protocol.md, "Connecting"). Plain
    ints, not an ``IntEnum``: the WebSocket server (autobahn, under daphne) accepts only
    an ``int`` itself as a close code."""

    NOT_LOGGED_IN = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    NOT_OPEN = 4409
    AGREEMENT_NEEDED = 4412
    TOO_BIG = 4413  # 1009 in the first protocol; daphne refuses it from an application

    @classmethod
    def codes(cls) -> dict[str, int]:
        return {name: value for name, value in vars(cls).items() if name.isupper()}


def field_types(frame_class: type) -> dict[str, Any]:
    """Each declared field's type (for the tests that check frames and write examples)."""
    return typing.get_type_hints(frame_class)
