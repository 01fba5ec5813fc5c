"""The room's transaction: lock, read, execute, save. The only writer of ``Room`` rows.

Every change to a room goes through ``execute`` (or ``join``, ``leave``, ``expire``, which
call it): one transaction that locks the meeting's ``Room`` row, reads the rules'
``RoomState`` from it, runs the command (``commands.run``: ``rules.apply`` and the side
effects), saves the new state, and queues the broadcast after commit
(``broadcasts.after_commit``). The database is the single source of truth, so any number
of server processes can serve one room; ``seq`` is assigned by the rules under the lock,
so it rises by exactly one per event across all of them.

**Exactly once.** A participant's command that carries a ``ref`` is applied at most once:
under the room's lock the store inserts a ``CommandRecord`` of (participant, ref), one
statement that commits or rolls back with the command; if the record was there already,
the command is a re-send and gets the first answer again (the same refusal, or an
``Outcome`` marked ``repeat``) and changes nothing. A refusal rolls the command back, so
it is recorded right after, in a short transaction of its own under the same lock.

Nothing here logs the text of a share.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from meetings.models import Meeting
from meetings.room import broadcasts, commands, effects, rules, safety, snapshots, state_cache
from meetings.room.models import CommandRecord, Room, Share
from meetings.room.outcome import Outcome
from meetings.room.protocol import ClientCommand, Report
from meetings.room.rules import Actor, Refused, RoomState

log = logging.getLogger("hearth.room")

# --- Reading --------------------------------------------------------------------------------


def initial_state(meeting: Meeting) -> RoomState:
    return RoomState(mode=meeting.room_mode, turn_seconds=meeting.turn_seconds)


def _lock_room(meeting_id: int) -> tuple[Room, RoomState]:
    """The meeting's room row, created on first use and locked until the transaction ends,
    with its state. Expects to run inside ``transaction.atomic()``.

    The ``Room`` returned carries only its key and revision: the meeting and its circle
    load on first use, by the few commands that need them (a crisis share, a report, a
    nudge, the audit log).
    """
    found = _read(meeting_id, lock=True)
    if found is None:
        meeting = Meeting.objects.get(pk=meeting_id)
        Room.objects.get_or_create(
            meeting=meeting, defaults={"state": initial_state(meeting).core_to_json()}
        )
        found = _read(meeting_id, lock=True)
    revision, state = found
    return Room(meeting_id=meeting_id, revision=revision), state


def load_state(meeting_id: int) -> RoomState | None:
    """The room's current state without locking it (None before anyone entered)."""
    found = _read(meeting_id, lock=False)
    return None if found is None else found[1]


def current_seq(meeting_id: int) -> int | None:
    """The room's latest seq, without locking or decoding anything."""
    return Room.objects.filter(pk=meeting_id).values_list("seq", flat=True).first()


def _read(meeting_id: int, *, lock: bool) -> tuple[int, RoomState] | None:
    """``(revision, state)`` of the room's row, or None when it has none yet. The state's
    columns are only fetched when this process has not decoded that revision already."""
    cached_revision, cached_state = state_cache.cached(meeting_id)
    lock_clause = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    # Hand-written: the ORM's same query costs more (docs/performance.md, "Hand-written SQL
    # in the store").
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT revision, "  # noqa: S608 - table and column names are the model's own
            f"CASE WHEN revision = %s THEN NULL ELSE state END, "
            f"CASE WHEN revision = %s THEN NULL ELSE shares END "
            f"FROM {Room._meta.db_table} WHERE meeting_id = %s{lock_clause}",
            [cached_revision, cached_revision, meeting_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    revision, core, shares = row
    if revision == cached_revision:
        return revision, cached_state
    state = RoomState.from_json({**_json(core), "shares": _json(shares)})
    state_cache.remember_after_commit(meeting_id, revision, state)
    return revision, state


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


# --- Changing ---------------------------------------------------------------------------------


def execute(
    meeting_id: int,
    actor: Actor,
    command: ClientCommand | rules.Command,
    *,
    user=None,
    now: datetime | None = None,
    ref: str | None = None,
) -> Outcome:
    """Apply one command to the room in one locked transaction; broadcast after commit.

    ``user`` is the account behind ``actor`` (for shares, reactions and the audit log).
    Raises ``Refused`` and changes nothing when the command is not allowed.

    With a ``ref`` (a participant's own id for the command), the command is applied at
    most once: a re-send with the same ref changes nothing and gets the first answer
    again (the same ``Refused``, or an ``Outcome`` with ``repeat``).
    """
    now = now or timezone.now()
    if isinstance(command, rules.Sync):
        state = load_state(meeting_id) or RoomState()
        return Outcome(state, replies=[snapshots.snapshot(meeting_id, state, actor.participant_id)])
    started = time.perf_counter()
    key = None if ref is None or actor.is_system else (actor.participant_id, ref)
    fingerprint = _fingerprint(command) if key is not None else ""
    try:
        with transaction.atomic():
            room, state = _lock_room(meeting_id)
            if key is not None and not _claim(meeting_id, key, fingerprint, now):
                return _answer_again(room, state, command, key, fingerprint)
            outcome = commands.run(room, state, actor, command, user, now)
            if outcome.state is not state:
                _save(room, state, outcome.state, now)
            broadcasts.after_commit(meeting_id, outcome)
    except Refused as refusal:
        _log(meeting_id, command, None, started, refusal.code)
        if key is not None and not isinstance(refusal, _Repeated):
            _record_refusal(meeting_id, key, fingerprint, refusal, now)
        raise
    _log(meeting_id, command, outcome, started)
    return outcome


class _Repeated(Refused):
    """The recorded refusal of a command, raised again for its re-send."""


def _fingerprint(command: Any) -> str:
    """A short hash of the command (its type and fields): tells a re-send from a different
    command that reuses a ref. It is not the text and cannot give the text back."""
    text = repr(command).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def _claim(meeting_id, key, fingerprint, now, refusal: Refused | None = None) -> bool:
    """Record the command (participant, ref) as answered; False when it had been already.
    Expects the room's lock held: every writer of these records holds it, so the insert
    meets any earlier record committed (a join in the locking query would not: under READ
    COMMITTED it would still see the table as it was before the lock was granted). The
    record commits or rolls back with the command."""
    participant_id, ref = key
    # Hand-written: ``get_or_create`` costs several round trips more (docs/performance.md,
    # "Hand-written SQL in the store").
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CommandRecord._meta.db_table} "  # noqa: S608 - the model's own names
            "(meeting_id, participant_id, ref, fingerprint, code, message, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (meeting_id, participant_id, ref) DO NOTHING",
            [
                meeting_id,
                participant_id,
                ref,
                fingerprint,
                refusal.code if refusal else "",
                refusal.message[:300] if refusal else "",
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        return cursor.rowcount == 1


def _answer_again(room, state, command, key, fingerprint: str) -> Outcome:
    """The answer to a command already answered once: nothing is done again."""
    participant_id, ref = key
    record = CommandRecord.objects.get(
        meeting_id=room.meeting_id, participant_id=participant_id, ref=ref
    )
    if record.fingerprint != fingerprint:
        raise _Repeated("bad_request", "That ref was already used for another command.")
    if record.code:
        raise _Repeated(record.code, record.message)
    replies = []
    if isinstance(command, Report):
        replies.append({"type": "reported", "share_id": command.share_id})
    elif isinstance(command, rules.NeedSupport):  # the resources again, never a new alert
        theirs = [
            alert.alert_id
            for alert in state.alerts
            if alert.reason == "need_support" and alert.participant_id == participant_id
        ]
        replies.append(
            safety.resources(room.meeting, "need_support", theirs[-1] if theirs else None)
        )
    log.info(
        "room command repeat meeting=%s command=%s seq=%s",
        room.meeting_id,
        type(command).__name__,
        state.seq,
    )
    return Outcome(state, replies=replies, repeat=True, repeat_seq=state.seq)


def _record_refusal(meeting_id, key, fingerprint, refusal: Refused, now) -> None:
    """Record a refusal once the command's transaction has rolled back, under the room's
    lock again: a re-send racing it either finds this record or recorded its own first."""
    with transaction.atomic():
        if _read(meeting_id, lock=True) is not None:
            _claim(meeting_id, key, fingerprint, now, refusal)


def _save(room: Room, before: RoomState, state: RoomState, now: datetime) -> None:
    """Write the new state in one UPDATE. Shares are written only when the command changed
    them, and on PostgreSQL only the ones it changed (appended, or replaced in place), so
    a command costs the same at the end of a long meeting as at its start."""
    turn, deadline = rules.next_deadline(state) or (None, None)
    assignments = {
        "state": json.dumps(state.core_to_json()),
        "seq": state.seq,
        "status": state.status,
        "next_deadline": connection.ops.adapt_datetimefield_value(deadline),
        "next_deadline_turn": turn,
        "updated_at": connection.ops.adapt_datetimefield_value(now),
        "revision": room.revision + 1,
    }
    sql = [f"{column} = %s" for column in assignments]
    params = list(assignments.values())
    if state.shares is not before.shares:
        shares_sql, shares_params = _shares_update(before.shares, state.shares)
        sql.append(f"shares = {shares_sql}")
        params += shares_params
    # Hand-written: the ORM's UPDATE costs more, and it cannot append to or replace one
    # element of the shares column (docs/performance.md, "Hand-written SQL in the store").
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Room._meta.db_table} SET {', '.join(sql)} "  # noqa: S608 - names are the model's own
            "WHERE meeting_id = %s",
            [*params, room.meeting_id],
        )
    room.revision += 1
    state_cache.remember_after_commit(room.meeting_id, room.revision, state)


def _shares_update(before: tuple, after: tuple) -> tuple[str, list]:
    """The SQL and parameters that turn the ``shares`` column from ``before`` into ``after``.

    The rules only ever append shares or replace one (a reaction, a hide), keeping every
    other ``ShareMeta`` object as it was. PostgreSQL is told just that; elsewhere (SQLite,
    the single-process default) the column is written whole.
    """
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=False)) if old is not new]
    if connection.vendor != "postgresql" or len(after) < len(before) or len(changed) > 1:
        return "%s", [json.dumps([rules.share_to_json(share) for share in after])]
    sql, params = "shares", []
    for index in changed:
        sql = f"jsonb_set({sql}, %s, %s::jsonb)"
        params += [[str(index)], json.dumps(rules.share_to_json(after[index]))]
    added = after[len(before) :]
    if added:
        sql = f"{sql} || %s::jsonb"
        params.append(json.dumps([rules.share_to_json(share) for share in added]))
    return sql, params


# --- Connections and timers ------------------------------------------------------------------


def join(meeting_id: int, user, role: str, now: datetime | None = None):
    """Seat (or reseat) ``user`` in the room: returns their participant, their snapshot and
    the command's outcome (the room's state and the events everyone else is sent).

    Raises ``Refused("removed")`` for someone removed from this meeting and
    ``Refused("locked")`` / ``Refused("closed")`` for a locked or ended room.
    """
    command = rules.Join(user_id=user.pk, display_name=user.display_name, role=role)
    with transaction.atomic():
        outcome = execute(meeting_id, rules.SYSTEM, command, user=user, now=now)
        participant = outcome.state.participant_for_user(user.pk)
        frame = snapshots.snapshot(meeting_id, outcome.state, participant.participant_id)
    return participant, frame, outcome


def leave(meeting_id: int, participant_id: int, now: datetime | None = None) -> None:
    """One connection of the participant closed. Safe to repeat past zero connections."""
    try:
        execute(meeting_id, rules.SYSTEM, rules.Disconnect(participant_id), now=now)
    except Refused:
        log.info("room leave ignored meeting=%s participant=%s", meeting_id, participant_id)


def expire(meeting_id: int, turn_id: int, now: datetime | None = None) -> Outcome | None:
    """Apply the idempotent ``Expire(turn_id)`` if it may be due: a no-op when the turn has
    moved on or its time is not up yet. A cheap unlocked read first lets the many timers
    that wake for the same deadline skip the lock when one of them already did the work."""
    now = now or timezone.now()
    due = Room.objects.filter(
        pk=meeting_id, next_deadline_turn=turn_id, next_deadline__lte=now
    ).exists()
    if not due:
        return None
    return execute(meeting_id, rules.SYSTEM, rules.Expire(turn_id), now=now)


def expire_due(now: datetime | None = None) -> int:
    """Expire every room whose deadline has passed (the Celery backstop); returns how many."""
    now = now or timezone.now()
    due = Room.objects.filter(next_deadline__lte=now).values_list("pk", "next_deadline_turn")
    fired = 0
    for meeting_id, turn_id in due:
        outcome = expire(meeting_id, turn_id, now)
        fired += bool(outcome and outcome.events)
    return fired


# --- Changes without a command -----------------------------------------------------------


def rewrite_state(meeting_id: int, rewrite: Callable[[RoomState], RoomState]) -> None:
    """Change a room's state with no command and no event (an account's deletion takes its
    name out): under the room's lock, as a new revision, so no process keeps using (and
    writes back) the state it remembers. The change shows in the next snapshot."""
    with transaction.atomic():
        room, state = _lock_room(meeting_id)
        _save(room, state, rewrite(state), timezone.now())


def rename_author(user_id: int, name: str) -> None:
    """Write ``name`` as the author of every share the account wrote (its deletion)."""
    Share.objects.filter(author_id=user_id).update(display_name=name)


def mark_share_hidden(meeting_id: int, share_id: int, user, now: datetime) -> None:
    """Mark a share of an ended room hidden (no event: nobody is in the room)."""
    effects.mark_hidden(meeting_id, share_id, user, now)


def purge_said(meeting_id: int) -> int:
    """Delete what was said in a meeting (its shares, their reactions) and its records of
    commands, once its retention has passed; returns the rows deleted."""
    CommandRecord.objects.filter(meeting_id=meeting_id).delete()
    deleted, _ = Share.objects.filter(meeting_id=meeting_id).delete()
    return deleted


def forget_commands_of_ended_rooms() -> None:
    """Delete the records of commands of every ended room: no command reaches it any more."""
    CommandRecord.objects.filter(meeting__room__status="ended").delete()


# --- Logging ------------------------------------------------------------------------------


def _log(
    meeting_id: int, command: Any, outcome: Outcome | None, started: float, refused: str = ""
) -> None:
    """One line per command: meeting, command, outcome (``ok`` or the refusal's code), seq,
    event count and duration. Never any text: not a share's, a note's or a warning's."""
    log.info(
        "room.command",
        extra={
            "meeting_id": meeting_id,
            "command": type(command).__name__,
            "outcome": refused or "ok",
            "seq": outcome.state.seq if outcome is not None else None,
            "events": len(outcome.events) if outcome is not None else 0,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
