"""The talking circle's rules: a pure state machine.

``apply(state, actor, command, now)`` takes an immutable ``RoomState`` and returns the
next state and the events to broadcast, or raises ``Refused``. Nothing here touches
Django, Channels, the network or the clock: ``now`` is passed in as an aware UTC
datetime, and timers are deadlines kept in the state. Whoever notices a deadline first
applies the idempotent ``Expire(turn_id)`` (see ``next_deadline``); a second try is a
no-op. No share text ever lives in the state: the rules only validate it.

Events are dicts ``{"type": ..., "seq": n, **payload}``; ``seq`` rises by exactly one per
event. ``meetings.room.frames`` declares every event type and its fields; the rules emit
them through ``_Change.emit``. The values live in ``meetings.room.values``, the commands in
``meetings.room.commands``, what people may see in ``meetings.room.public`` and the rules
every state keeps in ``meetings.room.invariants``.

Choices made where the brief was silent:

- The piece moves on after every command: whenever the room is live and nobody holds
  it, the first connected person in the queue receives it. So no state ever waits with
  a free piece and someone ready to take it.
- Pausing freezes the reconnect grace as well as the turn: while paused a holder has no
  grace deadline, and on resume a holder who is still away gets a fresh 30 seconds.
- ``Extend`` counts from now when the deadline has already passed (a timer that has not
  fired yet), so the speaker always gets the extra time they were given.
- ``End`` of an ended room and ``Expire`` in an ended room are no-ops, so a double click
  or a late timer never sees an error. ``Start`` of a paused or ended room is refused
  with ``bad_request`` (resume it, or it is over).
- ``Remove`` of someone already removed is a no-op, like a second ``Lock``.
- The system (``Actor(None)``) may ``End`` the room (its scheduled close), ``Hide`` a
  share (a report resolved elsewhere) and ``Remove`` someone (a ban from the circle);
  other moderator commands need a connected facilitator, host or staff member.
- ``Disconnect`` is accepted from the system or from the participant it names.
- A person needs a live connection to act; moderators too.
- A returning person's new display name or role is announced with
  ``participant_updated`` when they were already connected (a second tab), so that
  snapshot plus events always equals a fresh snapshot.
- ``StartRound(order="not_shared_first")`` queues those who have not shared yet in this
  meeting first (in seat order), then the others; "has shared" is read from the shares'
  metadata, so a hidden share still counts. ``not_shared_yet`` is for facilitators' eyes
  only: the store adds it to their snapshot, never to a member's.
- ``Nudge`` is checked by ``check_nudge`` and sent privately by the store: it never
  changes the state and has no seq. ``Remind`` emits ``agreement_reminder``; that the text
  is a line of the circle's agreements is checked by the store before ``apply``.
- Length limits count the text as sent; blank means empty after stripping. The
  content warning is stripped in the ``shared`` event.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from hearth.refusal import Refused
from meetings.room import frames
from meetings.room.commands import (
    AcknowledgeSupport,
    Actor,
    ClearAway,
    Command,
    Disconnect,
    End,
    EndTurn,
    Expire,
    Extend,
    Grant,
    Hide,
    Join,
    Lock,
    LowerHand,
    Move,
    Mute,
    OpenAlert,
    Pass,
    Pause,
    RaiseHand,
    React,
    Remind,
    Remove,
    Resume,
    SetMode,
    SetTurnSeconds,
    Share,
    Skip,
    Start,
    StartRound,
    SupportClosed,
    Sync,
    Unlock,
    Unmute,
)
from meetings.room.limits import (
    AWAY_QUEUE_SECONDS,
    GRACE_SECONDS,
    MAX_CONTENT_WARNING_CHARS,
    MAX_EXTEND_SECONDS,
    MAX_REMINDER_CHARS,
    MAX_SHARE_CHARS,
    MAX_TURN_SECONDS,
    MIN_TURN_SECONDS,
)
from meetings.room.public import holder_public, not_shared_yet, participant_public, room_public
from meetings.room.values import (
    ALERT_REASONS,
    MODES,
    REACTION_KINDS,
    ROLES,
    ROUND_ORDERS,
    Holder,
    Participant,
    RoomState,
    ShareMeta,
    SupportAlert,
    iso,
)


def next_deadline(state: RoomState) -> tuple[int, datetime] | None:
    """When to try ``Expire(turn_id)`` next, as (turn_id, moment); None if nothing is due.

    The moment is the earliest of the holder's deadline and grace (in a live room) and
    every participant's away deadlines (until the room ends). ``turn_id`` is the current
    turn's, or 0 when nobody holds the piece: ``Expire`` applies the participants'
    deadlines whatever turn it names.
    """
    if state.status == "ended":
        return None
    holder = state.holder
    moments = []
    if holder is not None and state.status == "live":
        moments += [m for m in (holder.deadline, holder.grace_deadline) if m is not None]
    for p in state.participants:
        if p.removed:
            continue
        if p.away_at is not None:
            moments.append(p.away_at)
        if p.leave_queue_at is not None and p.participant_id in state.queue:
            moments.append(p.leave_queue_at)
    if not moments:
        return None
    return (0 if holder is None else holder.turn_id), min(moments)


# --- Checks for commands the store handles ------------------------------------------------


def check_need_support(state: RoomState, actor: Actor) -> Participant:
    """Refuse a support request from anyone not connected to the room; return who asked."""
    return _connected_participant(state, actor)


def check_nudge(state: RoomState, actor: Actor) -> Participant:
    """Refuse a nudge from anyone but a connected moderator, or when nobody holds the
    piece; return the holder, who alone receives it."""
    me = _connected_participant(state, actor)
    if not me.can_moderate:
        raise Refused("forbidden", "Only a facilitator can do that.")
    if state.status == "ended" or state.holder is None:
        raise Refused("bad_request", "Nobody holds the talking piece right now.")
    return state.participant(state.holder.participant_id)


def check_report(state: RoomState, actor: Actor, share_id: object) -> ShareMeta:
    """Refuse a report from anyone not connected, or of a share they cannot see."""
    _connected_participant(state, actor)
    return _visible_share(state, share_id)


# --- apply ---------------------------------------------------------------------------------


def apply(
    state: RoomState, actor: Actor, command: Command, now: datetime
) -> tuple[RoomState, list[dict[str, Any]]]:
    """Apply ``command`` from ``actor`` at ``now``: return the new state and its events.

    A command that changes nothing returns the same state and no events. Anything not
    allowed raises ``Refused`` and leaves no trace.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("apply() needs an aware datetime for now.")
    rule = _RULES.get(type(command))
    if rule is None:
        raise Refused("bad_request", f"{type(command).__name__} is not a change to the room.")
    acting = _authorise(state, actor, command, rule.who)
    if state.status == "ended" and not rule.runs_when_ended:
        raise Refused("room_not_live", "This circle has ended.")
    change = _Change(state, now)
    rule.handler(change, acting, command)
    _advance(change)
    return change.state, change.events


class _Change:
    """A command being applied: the state so far and the events emitted, in order."""

    def __init__(self, state: RoomState, now: datetime) -> None:
        self.state = state
        self.now = now
        self.events: list[dict[str, Any]] = []

    def update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def put_participant(self, participant: Participant) -> None:
        self.update(
            participants=tuple(
                participant if p.participant_id == participant.participant_id else p
                for p in self.state.participants
            )
        )

    def put_share(self, share: ShareMeta) -> None:
        self.update(
            shares=tuple(share if s.share_id == share.share_id else s for s in self.state.shares)
        )

    def emit(self, event: frames.Event) -> None:
        seq = self.state.seq + 1
        self.update(seq=seq)
        self.events.append(event.frame(seq))

    def emit_rules_part(self, event_class: type[frames.Event], **payload: Any) -> None:
        """Emit an event whose ``FILLED_BY_STORE`` fields only the store knows."""
        seq = self.state.seq + 1
        self.update(seq=seq)
        self.events.append(frames.rules_part(event_class, seq, **payload))


class _Who(enum.Enum):
    ANYONE = "anyone"
    SERVER = "the server only"
    CONNECTION = "the server, or the participant named in the command"
    PRESENT = "a connected participant"
    MODERATOR = "a connected facilitator, host or staff member"
    MODERATOR_OR_SYSTEM = "a connected moderator, or the system"


_SYSTEM_MAY = frozenset({_Who.SERVER, _Who.CONNECTION, _Who.MODERATOR_OR_SYSTEM})


@dataclass(frozen=True)
class _Rule:
    handler: Callable[[_Change, Any, Any], None]
    who: _Who
    runs_when_ended: bool = False


def _authorise(state: RoomState, actor: Actor, command: Command, who: _Who) -> Participant | None:
    """Refuse an actor who may not issue the command; return the acting participant if any."""
    if who is _Who.ANYONE:
        return None
    if actor.is_system:
        if who in _SYSTEM_MAY:
            return None
        raise Refused("forbidden", "Only someone in the circle can do that.")
    if who is _Who.SERVER:
        raise Refused("forbidden", "Only the server can do that.")
    if who is _Who.CONNECTION:
        if actor.participant_id != getattr(command, "participant_id", None):
            raise Refused("forbidden", "You can only close your own connection.")
        return None
    participant = _connected_participant(state, actor)
    if who is not _Who.PRESENT and not participant.can_moderate:
        raise Refused("forbidden", "Only a facilitator can do that.")
    return participant


def _connected_participant(state: RoomState, actor: Actor) -> Participant:
    participant = None if actor.is_system else state.participant(actor.participant_id)
    if participant is None or participant.removed:
        raise Refused("forbidden", "You're not part of this circle.")
    if not participant.present:
        raise Refused("forbidden", "You need to be connected to the circle to do that.")
    return participant


def _target(state: RoomState, participant_id: object) -> Participant:
    participant = state.participant(participant_id)
    if participant is None or participant.removed:
        raise Refused("not_found", "That person isn't in this circle.")
    return participant


def _visible_share(state: RoomState, share_id: object) -> ShareMeta:
    share = state.share(share_id)
    if share is None or share.hidden:
        raise Refused("not_found", "That share isn't available.")
    return share


def _require_live(state: RoomState) -> None:
    if state.status == "open":
        raise Refused("room_not_live", "The circle hasn't started yet.")
    if state.status == "paused":
        raise Refused("room_not_live", "The circle is paused for a moment.")


def _require_int(value: object, name: str, low: int, high: int | None = None) -> None:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and value >= low and (high is None or value <= high):
        return
    if high is None:
        raise Refused("bad_request", f"{name} must be a whole number, {low} or more.")
    raise Refused("bad_request", f"{name} must be a whole number from {low} to {high}.")


def _without(queue: tuple[int, ...], participant_id: int) -> tuple[int, ...]:
    return tuple(pid for pid in queue if pid != participant_id)


def _holds(state: RoomState, participant_id: int) -> bool:
    return state.holder is not None and state.holder.participant_id == participant_id


# --- Turns and the queue -------------------------------------------------------------------


def _advance(change: _Change) -> None:
    """Give a free piece in a live room to the first connected person in the queue."""
    state = change.state
    if state.status != "live" or state.holder is not None:
        return
    ready = (pid for pid in state.queue if state.may_hold(pid))
    next_holder = next(ready, None)
    if next_holder is not None:
        _start_turn(change, next_holder)


def _is_present(state: RoomState, participant_id: int) -> bool:
    participant = state.participant(participant_id)
    return participant is not None and participant.present


def _start_turn(change: _Change, participant_id: int) -> None:
    state = change.state
    turn_id = state.next_turn_id
    deadline = change.now + timedelta(seconds=state.turn_seconds)
    queue = _without(state.queue, participant_id)
    change.update(
        holder=Holder(participant_id, turn_id, deadline, None, None),
        next_turn_id=turn_id + 1,
        queue=queue,
    )
    change.emit(
        frames.TurnStarted(
            participant_id=participant_id,
            turn_id=turn_id,
            deadline=iso(deadline),
            queue=list(queue),
        )
    )


def _end_turn(change: _Change, reason: str) -> None:
    holder = change.state.holder
    if holder is None:
        return
    change.update(holder=None)
    change.emit(
        frames.TurnEnded(
            participant_id=holder.participant_id, turn_id=holder.turn_id, reason=reason
        )
    )


def _end_turn_of(change: _Change, participant_id: int, reason: str) -> None:
    if _holds(change.state, participant_id):
        _end_turn(change, reason)


def _set_queue(change: _Change, queue: tuple[int, ...]) -> None:
    if queue != change.state.queue:
        change.update(queue=queue)
        change.emit(frames.Queue(queue=list(queue)))


def _start_round(change: _Change, order: str = "seating") -> None:
    """Queue everyone who can hold the piece, in seat order (or those who have not shared
    yet first, each group in seat order), replacing the queue."""
    state = change.state
    queue = tuple(
        p.participant_id
        for p in state.seated()
        if p.can_hold_piece and not _holds(state, p.participant_id)
    )
    if order == "not_shared_first":
        waiting = set(not_shared_yet(state))
        queue = tuple(sorted(queue, key=lambda pid: pid not in waiting))
    _set_queue(change, queue)


def _emit_room(change: _Change) -> None:
    change.emit(frames.RoomChanged(**room_public(change.state)))


def _emit_holder(change: _Change, event_class: type[frames.Event]) -> None:
    holder = change.state.holder
    if holder is not None:
        change.emit(event_class(**holder_public(holder)))


# --- Connections ---------------------------------------------------------------------------


def _join(change: _Change, _acting: None, command: Join) -> None:
    if command.role not in ROLES:
        raise Refused("bad_request", f"role must be one of {', '.join(ROLES)}.")
    if not isinstance(command.display_name, str) or not command.display_name.strip():
        raise Refused("bad_request", "A display name is needed to join.")
    state = change.state
    known = state.participant_for_user(command.user_id)
    if known is not None and known.removed:
        raise Refused("removed")
    if state.status == "ended":
        raise Refused("closed")
    if known is None and state.locked:
        raise Refused("locked")
    if known is None:
        _seat_newcomer(change, command)
    else:
        _reconnect(change, known, command)


def _seat_newcomer(change: _Change, command: Join) -> None:
    state = change.state
    newcomer = Participant(
        participant_id=state.next_participant_id,
        user_id=command.user_id,
        display_name=command.display_name,
        role=command.role,
        seat=len(state.participants),
        connections=1,
    )
    change.update(
        participants=(*state.participants, newcomer),
        next_participant_id=newcomer.participant_id + 1,
    )
    change.emit(frames.Joined(participant=participant_public(newcomer)))


def _reconnect(change: _Change, known: Participant, command: Join) -> None:
    returning = replace(
        known,
        connections=known.connections + 1,
        display_name=command.display_name,
        role=command.role,
        away=False,
        away_at=None,
        leave_queue_at=None,
    )
    change.put_participant(returning)
    if not known.present:
        change.emit(frames.Joined(participant=participant_public(returning)))
    elif participant_public(returning) != participant_public(known):
        change.emit(frames.ParticipantUpdated(participant=participant_public(returning)))
    holder = change.state.holder
    if holder is not None and holder.participant_id == known.participant_id:
        change.update(holder=replace(holder, grace_deadline=None))


def _disconnect(change: _Change, _acting: None, command: Disconnect) -> None:
    state = change.state
    leaving = state.participant(command.participant_id)
    if leaving is None:
        raise Refused("not_found", "That person isn't in this circle.")
    if leaving.connections == 0:
        return
    if leaving.connections > 1:
        change.put_participant(replace(leaving, connections=leaving.connections - 1))
        return
    change.put_participant(
        replace(
            leaving,
            connections=0,
            away_at=change.now + timedelta(seconds=GRACE_SECONDS),
            leave_queue_at=change.now + timedelta(seconds=AWAY_QUEUE_SECONDS),
        )
    )
    change.emit(frames.Left(participant_id=leaving.participant_id))
    holder = change.state.holder
    if (
        state.status == "live"
        and holder is not None
        and holder.participant_id == leaving.participant_id
    ):
        grace_deadline = change.now + timedelta(seconds=GRACE_SECONDS)
        change.update(holder=replace(holder, grace_deadline=grace_deadline))


def _expire(change: _Change, _acting: None, command: Expire) -> None:
    """End the turn ``command.turn_id`` if its grace or its time has run out, then apply
    every participant's away deadline that is due (whatever turn the command names)."""
    state = change.state
    if state.status == "ended":
        return
    holder = state.holder
    if state.status == "live" and holder is not None and holder.turn_id == command.turn_id:
        if holder.grace_deadline is not None and change.now >= holder.grace_deadline:
            _end_turn(change, "disconnected")
        elif holder.deadline is not None and change.now >= holder.deadline:
            _end_turn(change, "timeout")
    _apply_away_deadlines(change)


def _apply_away_deadlines(change: _Change) -> None:
    """Mark away whoever has been gone past the grace; take out of the queue whoever has
    been gone five minutes. Each deadline is cleared once applied, so a repeat is a no-op."""
    leaving_queue = set()
    for p in sorted(change.state.participants, key=lambda p: p.seat):
        if p.removed or p.present:
            continue
        now_away = p.away_at is not None and change.now >= p.away_at
        queue_due = p.leave_queue_at is not None and change.now >= p.leave_queue_at
        if not (now_away or queue_due):
            continue
        change.put_participant(
            replace(
                p,
                away=p.away or now_away,
                away_at=None if now_away else p.away_at,
                leave_queue_at=None if queue_due else p.leave_queue_at,
            )
        )
        if now_away:
            change.emit(frames.ParticipantAway(participant_id=p.participant_id))
        if queue_due:
            leaving_queue.add(p.participant_id)
    if leaving_queue:
        _set_queue(change, tuple(pid for pid in change.state.queue if pid not in leaving_queue))


def _sync(_change: _Change, _acting: None, _command: Sync) -> None:
    """A snapshot request changes nothing."""


# --- Anyone connected ----------------------------------------------------------------------


def _raise_hand(change: _Change, me: Participant, _command: RaiseHand) -> None:
    if me.muted:
        raise Refused("muted")
    state = change.state
    if _holds(state, me.participant_id) or me.participant_id in state.queue:
        return
    queue = (*state.queue, me.participant_id)
    change.update(queue=queue)
    change.emit(frames.HandRaised(participant_id=me.participant_id, queue=list(queue)))


def _lower_hand(change: _Change, me: Participant, _command: LowerHand) -> None:
    state = change.state
    if me.participant_id not in state.queue:
        return
    queue = _without(state.queue, me.participant_id)
    change.update(queue=queue)
    change.emit(frames.HandLowered(participant_id=me.participant_id, queue=list(queue)))


def _share(change: _Change, me: Participant, command: Share) -> None:
    state = change.state
    _require_live(state)
    if me.muted:
        raise Refused("muted")
    if state.holder is None or state.holder.participant_id != me.participant_id:
        raise Refused("not_your_turn", "You can share when you hold the talking piece.")
    _check_share_text(command)
    share = ShareMeta(state.next_share_id, me.participant_id, state.holder.turn_id)
    change.update(shares=(*state.shares, share), next_share_id=share.share_id + 1)
    change.emit_rules_part(
        frames.Shared,
        share_id=share.share_id,
        participant_id=share.participant_id,
        turn_id=share.turn_id,
        content_warning=command.content_warning.strip(),
    )


def _check_share_text(command: Share) -> None:
    if not isinstance(command.text, str) or not command.text.strip():
        raise Refused("bad_request", "There's nothing to share yet.")
    if not isinstance(command.content_warning, str):
        raise Refused("bad_request", "The content warning must be text.")
    if len(command.text) > MAX_SHARE_CHARS:
        raise Refused("too_long", f"A share can be up to {MAX_SHARE_CHARS} characters.")
    if len(command.content_warning) > MAX_CONTENT_WARNING_CHARS:
        raise Refused(
            "too_long",
            f"A content warning can be up to {MAX_CONTENT_WARNING_CHARS} characters.",
        )


def _end_own_turn(change: _Change, me: Participant, _command: EndTurn) -> None:
    _hand_back(change, me, "ended")


def _pass(change: _Change, me: Participant, _command: Pass) -> None:
    _hand_back(change, me, "passed")


def _hand_back(change: _Change, me: Participant, reason: str) -> None:
    if not _holds(change.state, me.participant_id):
        raise Refused("not_your_turn", "Only the person holding the talking piece can do that.")
    _end_turn(change, reason)


def _react(change: _Change, me: Participant, command: React) -> None:
    if command.kind not in REACTION_KINDS:
        raise Refused("bad_request", f"A reaction is one of {', '.join(REACTION_KINDS)}.")
    share = _visible_share(change.state, command.share_id)
    if me.muted:
        raise Refused("muted")
    reaction = (me.participant_id, command.kind)
    if reaction in share.reactions:
        return
    share = replace(share, reactions=share.reactions | {reaction})
    change.put_share(share)
    count = sum(1 for _, kind in share.reactions if kind == command.kind)
    change.emit_rules_part(frames.Reaction, share_id=share.share_id, kind=command.kind, count=count)


# --- The room, run by moderators -----------------------------------------------------------


def _start(change: _Change, _acting: Participant, _command: Start) -> None:
    status = change.state.status
    if status == "live":
        return
    if status == "paused":
        raise Refused("bad_request", "The circle is paused; resume it instead.")
    if status == "ended":
        raise Refused("bad_request", "This circle has ended and can't start again.")
    change.update(status="live")
    _emit_room(change)
    if change.state.mode == "round":
        _start_round(change)


def _start_round_command(change: _Change, _acting: Participant, command: StartRound) -> None:
    if command.order not in ROUND_ORDERS:
        raise Refused("bad_request", f"order must be one of {', '.join(ROUND_ORDERS)}.")
    _require_live(change.state)
    _start_round(change, command.order)


def _pause(change: _Change, _acting: Participant, _command: Pause) -> None:
    """Stop the clock: the holder's time left (and any reconnect grace) waits for resume."""
    state = change.state
    if state.status == "paused":
        return
    _require_live(state)
    change.update(status="paused")
    _emit_room(change)
    holder = state.holder
    if holder is not None and holder.deadline is not None:
        remaining = max(0.0, (holder.deadline - change.now).total_seconds())
        change.update(
            holder=replace(holder, deadline=None, remaining=remaining, grace_deadline=None)
        )
        _emit_holder(change, frames.TurnPaused)
    elif holder is not None and holder.held:
        # Already stopped for a support request: only the grace waits for resume too.
        change.update(holder=replace(holder, grace_deadline=None))


def _resume(change: _Change, _acting: Participant, _command: Resume) -> None:
    """Restart the clock; a holder who is still away gets a fresh grace period."""
    state = change.state
    if state.status == "live":
        return
    if state.status != "paused":
        raise Refused("room_not_live", "The circle hasn't started yet.")
    change.update(status="live")
    _emit_room(change)
    holder = state.holder
    if holder is not None and holder.remaining is not None:
        away = not _is_present(state, holder.participant_id)
        grace = change.now + timedelta(seconds=GRACE_SECONDS) if away else None
        if holder.held:
            # Still held for a support request: the clock waits for ``SupportClosed``.
            change.update(holder=replace(holder, grace_deadline=grace))
            return
        change.update(
            holder=replace(
                holder,
                deadline=change.now + timedelta(seconds=holder.remaining),
                remaining=None,
                grace_deadline=grace,
            )
        )
        _emit_holder(change, frames.TurnResumed)


def _end(change: _Change, _acting: Participant | None, _command: End) -> None:
    if change.state.status == "ended":
        return
    _end_turn(change, "room_ended")
    _set_queue(change, ())
    change.update(status="ended")
    _emit_room(change)


def _set_mode(change: _Change, _acting: Participant, command: SetMode) -> None:
    if command.mode not in MODES:
        raise Refused("bad_request", f"mode must be one of {', '.join(MODES)}.")
    if command.mode != change.state.mode:
        change.update(mode=command.mode)
        _emit_room(change)


def _set_turn_seconds(change: _Change, _acting: Participant, command: SetTurnSeconds) -> None:
    """Set the length of the turns that start from now on; the current one keeps its time."""
    _require_int(command.seconds, "seconds", MIN_TURN_SECONDS, MAX_TURN_SECONDS)
    if command.seconds != change.state.turn_seconds:
        change.update(turn_seconds=command.seconds)
        _emit_room(change)


def _extend(change: _Change, _acting: Participant, command: Extend) -> None:
    """Give the holder more time, counted from now if their deadline has already passed."""
    _require_int(command.seconds, "seconds", 1, MAX_EXTEND_SECONDS)
    holder = change.state.holder
    if holder is None:
        raise Refused("bad_request", "Nobody holds the talking piece right now.")
    extra = timedelta(seconds=command.seconds)
    if holder.deadline is not None:
        holder = replace(holder, deadline=max(holder.deadline, change.now) + extra)
    elif holder.remaining is not None:
        holder = replace(holder, remaining=holder.remaining + command.seconds)
    change.update(holder=holder)
    _emit_holder(change, frames.TurnExtended)


def _set_locked(change: _Change, locked: bool) -> None:
    if change.state.locked != locked:
        change.update(locked=locked)
        _emit_room(change)


def _lock(change: _Change, _acting: Participant, _command: Lock) -> None:
    _set_locked(change, True)


def _unlock(change: _Change, _acting: Participant, _command: Unlock) -> None:
    _set_locked(change, False)


# --- The piece and the queue, moved by moderators -------------------------------------------


def _grant(change: _Change, _acting: Participant, command: Grant) -> None:
    state = change.state
    _require_live(state)
    target = _target(state, command.participant_id)
    if _holds(state, target.participant_id):
        return
    if not target.present:
        raise Refused("bad_request", f"{target.display_name} isn't connected right now.")
    if target.muted:
        raise Refused("bad_request", f"{target.display_name} is muted; unmute them first.")
    _end_turn(change, "granted_away")
    _start_turn(change, target.participant_id)


def _skip(change: _Change, _acting: Participant, _command: Skip) -> None:
    _end_turn(change, "skipped")


def _move(change: _Change, _acting: Participant, command: Move) -> None:
    """Move someone within the queue if they are in it, otherwise in the seating order."""
    _require_int(command.position, "position", 0)
    target = _target(change.state, command.participant_id)
    if target.participant_id in change.state.queue:
        queue = _moved(change.state.queue, target.participant_id, command.position)
        _set_queue(change, queue)
    else:
        _move_seat(change, target.participant_id, command.position)


def _moved(ids: tuple[int, ...], participant_id: int, position: int) -> tuple[int, ...]:
    """``ids`` with ``participant_id`` at ``position``, clamped to the end."""
    others = list(_without(ids, participant_id))
    others.insert(min(position, len(others)), participant_id)
    return tuple(others)


def _move_seat(change: _Change, participant_id: int, position: int) -> None:
    """Reseat the circle with the person at ``position``; seats stay 0..n-1, removed last."""
    state = change.state
    seated = tuple(p.participant_id for p in state.seated())
    order = _moved(seated, participant_id, position)
    if order == seated:
        return
    removed = sorted((p for p in state.participants if p.removed), key=lambda p: p.seat)
    seats = {pid: seat for seat, pid in enumerate((*order, *(p.participant_id for p in removed)))}
    change.update(
        participants=tuple(replace(p, seat=seats[p.participant_id]) for p in state.participants)
    )
    change.emit(frames.Seating(participants=list(order)))


# --- People, moderated --------------------------------------------------------------------


def _mute(change: _Change, _acting: Participant, command: Mute) -> None:
    target = _target(change.state, command.participant_id)
    if target.can_moderate:
        raise Refused("forbidden", "Facilitators can't be muted.")
    if target.muted:
        return
    change.put_participant(replace(target, muted=True))
    change.emit(frames.ParticipantMuted(participant_id=target.participant_id))
    _set_queue(change, _without(change.state.queue, target.participant_id))
    _end_turn_of(change, target.participant_id, "muted")


def _unmute(change: _Change, _acting: Participant, command: Unmute) -> None:
    target = _target(change.state, command.participant_id)
    if target.muted:
        change.put_participant(replace(target, muted=False))
        change.emit(frames.ParticipantUnmuted(participant_id=target.participant_id))


def _remove(change: _Change, acting: Participant | None, command: Remove) -> None:
    target = change.state.participant(command.participant_id)
    if target is None:
        raise Refused("not_found", "That person isn't in this circle.")
    if acting is not None and acting.participant_id == target.participant_id:
        raise Refused("bad_request", "You can't remove yourself; leaving is always fine.")
    if target.removed:
        return
    if target.can_moderate and acting is not None:
        # Only the system (a ban or removal from the circle) takes out a facilitator.
        raise Refused("forbidden", "Facilitators can't be removed from the circle.")
    change.put_participant(
        replace(target, removed=True, connections=0, away=False, away_at=None, leave_queue_at=None)
    )
    change.emit(frames.ParticipantRemoved(participant_id=target.participant_id))
    _set_queue(change, _without(change.state.queue, target.participant_id))
    _end_turn_of(change, target.participant_id, "removed")


def _hide(change: _Change, _acting: Participant | None, command: Hide) -> None:
    share = change.state.share(command.share_id)
    if share is None:
        raise Refused("not_found", "That share isn't in this circle.")
    if not share.hidden:
        change.put_share(replace(share, hidden=True))
        change.emit(frames.ShareHidden(share_id=share.share_id))


def _remind(change: _Change, _acting: Participant, command: Remind) -> None:
    if not isinstance(command.text, str) or not command.text.strip():
        raise Refused("bad_request", "Choose one of the group agreements to remind the room of.")
    if len(command.text) > MAX_REMINDER_CHARS:
        raise Refused("too_long", f"A reminder can be up to {MAX_REMINDER_CHARS} characters.")
    change.emit(frames.AgreementReminder(text=command.text.strip()))


def _acknowledge_support(change: _Change, acting: Participant, command: AcknowledgeSupport) -> None:
    """Mark an alert seen by ``acting``; a second acknowledgement changes nothing (the
    store tells its sender who acknowledged it first)."""
    _require_int(command.alert_id, "alert_id", 1)
    alert = change.state.alert(command.alert_id)
    if alert is None:
        raise Refused("not_found", "That support request isn't in this circle.")
    if alert.acknowledged_by is not None:
        return
    seen = replace(alert, acknowledged_by=(acting.participant_id, acting.display_name), note="")
    change.update(alerts=tuple(seen if a is alert else a for a in change.state.alerts))


def _clear_away(change: _Change, _acting: Participant, command: ClearAway) -> None:
    """Take someone who is not connected out of the queue now."""
    target = _target(change.state, command.participant_id)
    if target.present:
        raise Refused("bad_request", f"{target.display_name} is here.")
    if target.leave_queue_at is not None:
        change.put_participant(replace(target, leave_queue_at=None))
    _set_queue(change, _without(change.state.queue, target.participant_id))


def _open_alert(change: _Change, _acting: None, command: OpenAlert) -> None:
    """Number a support alert for the facilitators; a support request from the holder of
    the piece holds their clock until they close the dialog."""
    if command.reason not in ALERT_REASONS:
        raise Refused("bad_request", f"reason must be one of {', '.join(ALERT_REASONS)}.")
    state = change.state
    alert = SupportAlert(
        alert_id=state.next_alert_id,
        reason=command.reason,
        participant_id=command.participant_id,
        display_name=command.display_name,
        created_at=change.now,
        note=command.note,
        share_id=command.share_id,
        user_id=command.user_id,
    )
    change.update(alerts=(*state.alerts, alert), next_alert_id=alert.alert_id + 1)
    if command.reason == "need_support" and command.participant_id is not None:
        _hold_clock(change, command.participant_id)


def _hold_clock(change: _Change, participant_id: int) -> None:
    holder = change.state.holder
    if holder is None or holder.participant_id != participant_id or holder.held:
        return
    if holder.deadline is None:  # a paused room: the clock is already stopped
        change.update(holder=replace(holder, held=True))
        return
    remaining = max(0.0, (holder.deadline - change.now).total_seconds())
    change.update(holder=replace(holder, held=True, deadline=None, remaining=remaining))
    _emit_holder(change, frames.TurnPaused)


def _support_closed(change: _Change, me: Participant, _command: SupportClosed) -> None:
    """The support dialog closed: a clock held for it runs again (in a live room)."""
    holder = change.state.holder
    if holder is None or holder.participant_id != me.participant_id or not holder.held:
        return
    if change.state.status != "live":
        change.update(holder=replace(holder, held=False))
        return
    change.update(
        holder=replace(
            holder,
            held=False,
            deadline=change.now + timedelta(seconds=holder.remaining or 0.0),
            remaining=None,
        )
    )
    _emit_holder(change, frames.TurnResumed)


_RULES: dict[type, _Rule] = {
    Sync: _Rule(_sync, _Who.ANYONE, runs_when_ended=True),
    RaiseHand: _Rule(_raise_hand, _Who.PRESENT),
    LowerHand: _Rule(_lower_hand, _Who.PRESENT),
    Share: _Rule(_share, _Who.PRESENT),
    EndTurn: _Rule(_end_own_turn, _Who.PRESENT),
    Pass: _Rule(_pass, _Who.PRESENT),
    React: _Rule(_react, _Who.PRESENT),
    Start: _Rule(_start, _Who.MODERATOR, runs_when_ended=True),
    Pause: _Rule(_pause, _Who.MODERATOR),
    Resume: _Rule(_resume, _Who.MODERATOR),
    End: _Rule(_end, _Who.MODERATOR_OR_SYSTEM, runs_when_ended=True),
    StartRound: _Rule(_start_round_command, _Who.MODERATOR),
    SetMode: _Rule(_set_mode, _Who.MODERATOR),
    SetTurnSeconds: _Rule(_set_turn_seconds, _Who.MODERATOR),
    Extend: _Rule(_extend, _Who.MODERATOR),
    Grant: _Rule(_grant, _Who.MODERATOR),
    Skip: _Rule(_skip, _Who.MODERATOR),
    Move: _Rule(_move, _Who.MODERATOR),
    Mute: _Rule(_mute, _Who.MODERATOR_OR_SYSTEM),
    Unmute: _Rule(_unmute, _Who.MODERATOR_OR_SYSTEM),
    Remove: _Rule(_remove, _Who.MODERATOR_OR_SYSTEM),
    Lock: _Rule(_lock, _Who.MODERATOR),
    Unlock: _Rule(_unlock, _Who.MODERATOR),
    Hide: _Rule(_hide, _Who.MODERATOR_OR_SYSTEM),
    Join: _Rule(_join, _Who.SERVER, runs_when_ended=True),
    Disconnect: _Rule(_disconnect, _Who.CONNECTION, runs_when_ended=True),
    Expire: _Rule(_expire, _Who.ANYONE, runs_when_ended=True),
    Remind: _Rule(_remind, _Who.MODERATOR),
    SupportClosed: _Rule(_support_closed, _Who.PRESENT, runs_when_ended=True),
    AcknowledgeSupport: _Rule(_acknowledge_support, _Who.MODERATOR, runs_when_ended=True),
    ClearAway: _Rule(_clear_away, _Who.MODERATOR),
    OpenAlert: _Rule(_open_alert, _Who.SERVER, runs_when_ended=True),
}
