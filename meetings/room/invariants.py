"""What every reachable state of the talking circle keeps: checked by the tests after
every command (``tests/meetings/room/test_rules_stateful.py``), never by the server."""

from __future__ import annotations

from meetings.room.limits import MAX_TURN_SECONDS, MIN_TURN_SECONDS
from meetings.room.values import ALERT_REASONS, MODES, REACTION_KINDS, ROLES, STATUSES, RoomState


class InvariantViolation(Exception):
    """The state breaks a rule that every reachable state keeps: a bug, never a user error."""


def check_invariants(state: RoomState) -> None:
    """Raise ``InvariantViolation`` if ``state`` breaks a rule every reachable state keeps.

    That ``seq`` counts every event ever emitted is for the caller to check: only it sees
    the events.
    """
    _check_room(state)
    _check_participants(state)
    _check_queue(state)
    _check_holder(state)
    _check_shares(state)
    _check_alerts(state)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise InvariantViolation(message)


def _check_room(state: RoomState) -> None:
    _expect(state.status in STATUSES, f"unknown status {state.status!r}")
    _expect(state.mode in MODES, f"unknown mode {state.mode!r}")
    _expect(
        MIN_TURN_SECONDS <= state.turn_seconds <= MAX_TURN_SECONDS,
        f"turn_seconds {state.turn_seconds} out of range",
    )
    _expect(state.seq >= 0, "seq is negative")


def _check_participants(state: RoomState) -> None:
    ids = [p.participant_id for p in state.participants]
    _expect(len(set(ids)) == len(ids), "participant ids repeat")
    _expect(all(0 < pid < state.next_participant_id for pid in ids), "participant id unallocated")
    users = [p.user_id for p in state.participants]
    _expect(len(set(users)) == len(users), "a user has two participants")
    seats = [p.seat for p in state.participants]
    _expect(len(set(seats)) == len(seats), "two participants share a seat")
    for p in state.participants:
        _expect(p.role in ROLES, f"participant {p.participant_id} has unknown role")
        _expect(p.connections >= 0, f"participant {p.participant_id} has negative connections")
        _expect(not p.removed or p.connections == 0, f"removed {p.participant_id} is connected")
        if p.present:
            _expect(
                not p.away and p.away_at is None and p.leave_queue_at is None,
                f"participant {p.participant_id} is here and away",
            )


def _check_queue(state: RoomState) -> None:
    _expect(len(set(state.queue)) == len(state.queue), "someone is twice in the queue")
    for pid in state.queue:
        participant = state.participant(pid)
        _expect(participant is not None, f"unknown participant {pid} in the queue")
        _expect(not participant.removed, f"removed participant {pid} in the queue")
        _expect(not participant.muted, f"muted participant {pid} in the queue")
    if state.status == "live" and state.holder is None:
        waiting = [pid for pid in state.queue if state.may_hold(pid)]
        _expect(not waiting, f"the piece is free while {waiting} wait for it")


def _check_holder(state: RoomState) -> None:
    holder = state.holder
    if holder is None:
        return
    _expect(state.status in ("live", "paused"), f"a holder in a {state.status} room")
    _expect(holder.participant_id not in state.queue, "the holder is in the queue")
    _expect(holder.turn_id < state.next_turn_id, "the turn id was never allocated")
    participant = state.participant(holder.participant_id)
    _expect(participant is not None, "the holder is unknown")
    _expect(not participant.removed, "a removed participant holds the piece")
    _expect(not participant.muted, "a muted participant holds the piece")
    if state.status == "live" and holder.held:
        _expect(holder.deadline is None, "a held turn has a deadline")
        _expect(holder.remaining is not None, "a held turn has no remaining time")
        _expect(
            (holder.grace_deadline is None) == participant.present,
            "grace is set exactly while a live holder is away",
        )
    elif state.status == "live":
        _expect(holder.deadline is not None, "a live turn has no deadline")
        _expect(holder.remaining is None, "a live turn has frozen time")
        _expect(
            (holder.grace_deadline is None) == participant.present,
            "grace is set exactly while a live holder is away",
        )
    else:
        _expect(holder.deadline is None, "a paused turn has a deadline")
        _expect(holder.remaining is not None, "a paused turn has no remaining time")
        _expect(holder.grace_deadline is None, "a paused turn has a grace deadline")


def _check_alerts(state: RoomState) -> None:
    ids = [a.alert_id for a in state.alerts]
    _expect(len(set(ids)) == len(ids), "alert ids repeat")
    _expect(all(0 < aid < state.next_alert_id for aid in ids), "alert id unallocated")
    for alert in state.alerts:
        _expect(alert.reason in ALERT_REASONS, f"alert {alert.alert_id} has unknown reason")
        _expect(
            alert.acknowledged_by is None or not alert.note,
            f"acknowledged alert {alert.alert_id} kept its note",
        )


def _check_shares(state: RoomState) -> None:
    ids = [s.share_id for s in state.shares]
    _expect(len(set(ids)) == len(ids), "share ids repeat")
    _expect(all(0 < sid < state.next_share_id for sid in ids), "share id unallocated")
    for share in state.shares:
        kinds = {kind for _, kind in share.reactions}
        _expect(kinds <= set(REACTION_KINDS), f"share {share.share_id} has unknown reactions")
