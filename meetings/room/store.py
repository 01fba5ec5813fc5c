"""The talking circle's persistence: load, lock, apply, save, then broadcast after commit.

Every change to a room goes through ``execute`` (or ``join``, ``leave``, ``expire``, which
call it): one transaction that locks the meeting's ``Room`` row with
``select_for_update``, reads the rules' ``RoomState`` from it, calls ``rules.apply``, saves
the new state and whatever the command wrote (a share, a reaction, a hidden share), and
registers the broadcast in ``transaction.on_commit``. The database is the single source of
truth, so any number of server processes can serve one room; ``seq`` is assigned by the
rules under the lock, so it rises by exactly one per event across all of them.

Events are JSON-encoded once, here, and travel over the channel layer as ready text: a
consumer only sends the strings it receives. A broadcast is one channel-layer message per
command, ``{"type": "room.events", "frames": [...], "first_seq", "last_seq", "deadline",
"removed"}``; the extra keys let consumers order batches, arm their timer and close a
removed person's socket without decoding a frame.

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
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone

from meetings.models import Meeting
from meetings.room import commands, frames, gentle, rules, safety, snapshots, state_json
from meetings.room.commands import (
    SYSTEM,
    AcknowledgeSupport,
    Actor,
    ClearAway,
    ClientCommand,
    Command,
    Disconnect,
    End,
    Expire,
    Extend,
    Grant,
    Hide,
    Join,
    Lock,
    Move,
    Mute,
    NeedSupport,
    Nudge,
    OpenAlert,
    Pause,
    Remind,
    Remove,
    Report,
    Resume,
    SetMode,
    SetTurnSeconds,
    Skip,
    Start,
    StartRound,
    Sync,
    Unlock,
    Unmute,
)
from meetings.room.limits import MAX_REMINDER_CHARS
from meetings.room.models import CommandRecord, Reaction, Room, Share
from meetings.room.protocol import is_storable_text
from meetings.room.rules import Refused
from meetings.room.values import Participant, RoomState, SupportAlert

log = logging.getLogger("hearth.room")

# Facilitator commands and the dotted names they are written to the audit log under.
AUDITED = {
    Start: "room.started",
    Pause: "room.paused",
    Resume: "room.resumed",
    End: "room.ended",
    StartRound: "room.round_started",
    SetMode: "room.mode_set",
    SetTurnSeconds: "room.turn_seconds_set",
    Extend: "room.turn.extended",
    Grant: "room.turn.granted",
    Skip: "room.turn.skipped",
    Move: "room.participant.moved",
    Mute: "room.participant.muted",
    Unmute: "room.participant.unmuted",
    Remove: "room.participant.removed",
    Lock: "room.locked",
    Unlock: "room.unlocked",
    Hide: "room.share.hidden",
    Remind: "room.agreement.reminded",
    ClearAway: "room.participant.cleared",
}


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


# Each process remembers the last committed state it read or wrote of each room, with the
# row's revision: while the revision is unchanged, the state need not travel from the
# database or be decoded again. Only ever a copy: the row is checked on every read.
_decoded: dict[int, tuple[int, RoomState]] = {}
_DECODED_ROOMS = 500


def _read(meeting_id: int, *, lock: bool) -> tuple[int, RoomState] | None:
    """``(revision, state)`` of the room's row, or None when it has none yet. The state's
    columns are only fetched when this process has not decoded that revision already."""
    cached_revision, cached_state = _decoded.get(meeting_id, (-1, None))
    lock_clause = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
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
    _remember_after_commit(meeting_id, revision, state)
    return revision, state


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def _remember_after_commit(meeting_id: int, revision: int, state: RoomState) -> None:
    """Remember a state once it is committed (a rolled-back revision number is reused)."""

    def remember():
        if len(_decoded) >= _DECODED_ROOMS:
            _decoded.clear()
        _decoded[meeting_id] = (revision, state)

    transaction.on_commit(remember)


# --- Changing ---------------------------------------------------------------------------------


def execute(
    meeting_id: int,
    actor: Actor,
    command: ClientCommand | Command,
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
    if isinstance(command, Sync):
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
            outcome = _run(room, state, actor, command, user, now)
            if outcome.state is not state:
                _save(room, state, outcome.state, now)
            _after_commit(meeting_id, outcome)
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
        replies.append(frames.Reported(command.share_id).frame())
    elif isinstance(command, NeedSupport):  # the resources again, never a new alert
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


def _run(room, state, actor, command, user, now) -> Outcome:
    """The command's own work around ``rules.apply``; runs under the room's lock."""
    if isinstance(command, Report):
        return _report(room, state, actor, command, user)
    if isinstance(command, NeedSupport):
        asking = rules.check_need_support(state, actor)
        return _support(room, state, asking, user, command.note, now)
    if isinstance(command, SupportRequest):
        return _support(room, state, state.participant_for_user(user.pk), user, command.note, now)
    if isinstance(command, AcknowledgeSupport):
        return _acknowledge(room, state, actor, command, user, now)
    if isinstance(command, Nudge):
        return _nudge(room, state, actor, command, user)
    if isinstance(command, Remind):
        command = _agreement_reminder(room, command)
    if isinstance(command, commands.Share):
        safety.check_share_text(command.text, command.content_warning)
    new_state, events = rules.apply(state, actor, command, now)
    outcome = Outcome(new_state, events)
    for event in events:
        if event["type"] == "shared":
            _record_share(room, new_state, event, command, user, now, outcome)
        elif event["type"] == "reaction":
            _record_reaction(room, event, actor, user, now, outcome)
        elif event["type"] == "share_hidden":
            _record_hidden(room, new_state, event, user, now, outcome)
        elif event["type"] == "room":
            _sync_meeting_status(room, event["status"], now)
        elif event["type"] == "participant_muted":
            _tell_the_muted(room, new_state, event, actor, outcome)
    if events and type(command) in AUDITED and not actor.is_system:
        safety.audit(AUDITED[type(command)], room.meeting, new_state, actor, command, user)
    return outcome


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
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Room._meta.db_table} SET {', '.join(sql)} "  # noqa: S608 - names are the model's own
            "WHERE meeting_id = %s",
            [*params, room.meeting_id],
        )
    room.revision += 1
    _remember_after_commit(room.meeting_id, room.revision, state)


def _shares_update(before: tuple, after: tuple) -> tuple[str, list]:
    """The SQL and parameters that turn the ``shares`` column from ``before`` into ``after``.

    The rules only ever append shares or replace one (a reaction, a hide), keeping every
    other ``ShareMeta`` object as it was. PostgreSQL is told just that; elsewhere (SQLite,
    the single-process default) the column is written whole.
    """
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=False)) if old is not new]
    if connection.vendor != "postgresql" or len(after) < len(before) or len(changed) > 1:
        return "%s", [json.dumps([state_json.share_to_json(share) for share in after])]
    sql, params = "shares", []
    for index in changed:
        sql = f"jsonb_set({sql}, %s, %s::jsonb)"
        params += [[str(index)], json.dumps(state_json.share_to_json(after[index]))]
    added = after[len(before) :]
    if added:
        sql = f"{sql} || %s::jsonb"
        params.append(json.dumps([state_json.share_to_json(share) for share in added]))
    return sql, params


def _record_share(room, state, event, command: commands.Share, user, now, outcome) -> None:
    """Keep the share's text and add it (with the author's name) to the ``shared`` event."""
    author = state.participant(event["participant_id"])
    share = Share.objects.create(
        meeting_id=room.meeting_id,
        share_id=event["share_id"],
        participant_id=event["participant_id"],
        turn_id=event["turn_id"],
        author=user,
        display_name=author.display_name,
        text=command.text,
        content_warning=event["content_warning"],
        created_at=now,
    )
    outcome.events[outcome.events.index(event)] = frames.complete_shared(
        event, share.display_name, share.text, share.created_at.isoformat()
    )
    if safety.is_crisis(room, command.text):
        safety.crisis_share(room.meeting, user)
        opened = OpenAlert(
            "crisis_share",
            author.display_name,
            author.participant_id,
            share_id=share.share_id,
            user_id=author.user_id,
        )
        outcome.state, _ = rules.apply(outcome.state, SYSTEM, opened, now)
        alert = outcome.state.alerts[-1]
        outcome.replies.append(safety.resources(room.meeting, "crisis_share", alert.alert_id))
        frame = snapshots.alert_frame(outcome.state, alert)
        outcome.send_privately(moderators_group(room.meeting_id), [frame])


def _record_reaction(room, event, actor: Actor, user, now, outcome) -> None:
    outcome.events[outcome.events.index(event)] = frames.complete_reaction(
        event, actor.participant_id
    )
    share = Share.objects.filter(meeting_id=room.meeting_id, share_id=event["share_id"]).first()
    if share is not None:
        Reaction.objects.get_or_create(
            share=share,
            participant_id=actor.participant_id,
            kind=event["kind"],
            defaults={"user": user, "created_at": now},
        )


def _record_hidden(room, state, event, user, now, outcome) -> None:
    """Mark the share hidden and tell its author alone, privately."""
    Share.objects.filter(
        meeting_id=room.meeting_id, share_id=event["share_id"], hidden_at__isnull=True
    ).update(hidden_at=now, hidden_by=user)
    meta = state.share(event["share_id"])
    frame = frames.YourShareHidden(event["share_id"]).frame()
    outcome.send_privately(participant_group(room.meeting_id, meta.participant_id), [frame])


def _tell_the_muted(room, state, event, actor: Actor, outcome) -> None:
    """The muted person alone is told what the mute is and how long it lasts."""
    muted = state.participant(event["participant_id"])
    if actor.is_system:  # moderation's mute in the circle, which the Membership row holds
        mute = snapshots.mute_of(room.meeting_id, muted)
    else:
        mute = {"scope": "meeting", "until": None}
    frame = frames.Mute(**mute).frame()
    outcome.send_privately(participant_group(room.meeting_id, muted.participant_id), [frame])


def _sync_meeting_status(room: Room, status: str, now: datetime) -> None:
    """A started room makes its meeting live; an ended one ends it (and closes the room)."""
    if status == "live":
        Meeting.objects.filter(pk=room.meeting_id, status=Meeting.Status.SCHEDULED).update(
            status=Meeting.Status.LIVE
        )
    elif status == "ended":
        Meeting.objects.filter(
            pk=room.meeting_id, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.LIVE]
        ).update(status=Meeting.Status.ENDED, ended_at=now)


def _report(room, state, actor: Actor, command: Report, user) -> Outcome:
    rules.check_report(state, actor, command.share_id)
    share = Share.objects.filter(meeting_id=room.meeting_id, share_id=command.share_id).first()
    if share is None:
        raise Refused("not_found", "That share isn't available.")
    safety.report_share(room.meeting, share, user, command.reason, command.note)
    return Outcome(state, replies=[frames.Reported(command.share_id).frame()])


@dataclass(frozen=True)
class SupportRequest:
    """ "I need support" from the room page over HTTP (the socket was not connected): the
    same action as ``need_support``, for a person who may not be seated or connected."""

    note: str = ""


def ask_for_support(meeting_id: int, user, note: str = "", now: datetime | None = None) -> int:
    """Someone who may see the room page asks for support without the socket: record the
    safety event, open the alert (holding their clock if they hold the piece) and tell
    every connected facilitator at once. Returns the alert's id."""
    outcome = execute(meeting_id, SYSTEM, SupportRequest(note), user=user, now=now)
    return outcome.replies[0]["alert_id"]


def _support(room, state, asking: Participant | None, user, note: object, now) -> Outcome:
    """The one support action behind the socket's ``need_support`` and the HTTP request.
    Runs under the room's lock; the alert reaches the facilitators after commit."""
    note = note.strip() if isinstance(note, str) else ""
    if not is_storable_text(note):  # over HTTP, the socket's parser has not seen it
        raise Refused(
            "bad_request", "Your note has a character Hearth can't keep. Please write it again."
        )
    if len(note) > safety.MAX_NOTE_CHARS:
        raise Refused("too_long", f"A note can be up to {safety.MAX_NOTE_CHARS} characters.")
    safety.need_support(room.meeting, user, note)
    name = asking.display_name if asking is not None else user.display_name
    opened = OpenAlert(
        "need_support",
        name,
        None if asking is None else asking.participant_id,
        note,
        user_id=user.pk,
    )
    new_state, events = rules.apply(state, SYSTEM, opened, now)
    alert = new_state.alerts[-1]
    resources = safety.resources(room.meeting, "need_support", alert.alert_id)
    outcome = Outcome(new_state, events, replies=[resources])
    outcome.send_privately(
        moderators_group(room.meeting_id), [snapshots.alert_frame(new_state, alert)]
    )
    return outcome


def _acknowledge(room, state, actor: Actor, command, user, now) -> Outcome:
    """A facilitator saw an alert: every connected facilitator is told who did. A repeat
    changes nothing; its sender alone is told who acknowledged it first."""
    before = state.alert(command.alert_id)
    new_state, events = rules.apply(state, actor, command, now)
    alert = new_state.alert(command.alert_id)
    who, name = alert.acknowledged_by
    frame = frames.SupportAcknowledged(
        alert.alert_id, {"participant_id": who, "display_name": name}
    ).frame()
    if before.acknowledged_by is not None:
        return Outcome(state, replies=[frame])
    safety.audit(
        "room.support.acknowledged", room.meeting, new_state, actor, _Acknowledged(alert), user
    )
    outcome = Outcome(new_state, events)
    outcome.send_privately(moderators_group(room.meeting_id), [frame])
    return outcome


@dataclass(frozen=True)
class _Acknowledged:
    """What the audit log records of an acknowledgement: which alert, whose it was."""

    alert: SupportAlert

    @property
    def alert_id(self) -> int:
        return self.alert.alert_id

    @property
    def participant_id(self) -> int | None:
        return self.alert.participant_id


def _nudge(room, state, actor: Actor, command: Nudge, user) -> Outcome:
    """Send the holder alone a private nudge: no seq, nothing kept in the room's state."""
    holder = rules.check_nudge(state, actor)
    texts = gentle.nudge_texts(room.meeting.circle)
    text = texts.get(command.text_id) if isinstance(command.text_id, str) else None
    if text is None:
        raise Refused("bad_request", "That nudge isn't one of this circle's.")
    frame = frames.Nudge(command.text_id, text).frame()
    safety.audit("room.holder.nudged", room.meeting, state, actor, _Nudged(holder), user)
    outcome = Outcome(state, replies=[frames.Nudged(holder.participant_id).frame()])
    outcome.send_privately(participant_group(room.meeting_id, holder.participant_id), [frame])
    return outcome


@dataclass(frozen=True)
class _Nudged:
    """What the audit log records of a nudge: whom it went to, never its words."""

    holder: Participant

    @property
    def participant_id(self) -> int:
        return self.holder.participant_id


def _agreement_reminder(room, command: Remind) -> Remind:
    """The reminder as the agreements word it, or ``bad_request`` when the text is not a
    line of the circle's current agreements. Length and blankness are the rules' to check."""
    if not isinstance(command.text, str) or len(command.text) > MAX_REMINDER_CHARS:
        return command
    if not command.text.strip():
        return command
    line = gentle.agreement_line(room.meeting.circle, command.text)
    if line is None:
        raise Refused("bad_request", "That isn't one of this circle's agreements.")
    return Remind(line)


# --- Connections and timers ------------------------------------------------------------------


def join(meeting_id: int, user, role: str, now: datetime | None = None):
    """Seat (or reseat) ``user`` in the room: returns their participant, their snapshot and
    the command's outcome (the room's state and the events everyone else is sent).

    Raises ``Refused("removed")`` for someone removed from this meeting and
    ``Refused("locked")`` / ``Refused("closed")`` for a locked or ended room.
    """
    command = Join(user_id=user.pk, display_name=user.display_name, role=role)
    with transaction.atomic():
        outcome = execute(meeting_id, SYSTEM, command, user=user, now=now)
        participant = outcome.state.participant_for_user(user.pk)
        frame = snapshots.snapshot(meeting_id, outcome.state, participant.participant_id)
    return participant, frame, outcome


def leave(meeting_id: int, participant_id: int, now: datetime | None = None) -> None:
    """One connection of the participant closed. Safe to repeat past zero connections."""
    try:
        execute(meeting_id, SYSTEM, Disconnect(participant_id), now=now)
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
    return execute(meeting_id, SYSTEM, Expire(turn_id), now=now)


def expire_due(now: datetime | None = None) -> int:
    """Expire every room whose deadline has passed (the Celery backstop); returns how many."""
    now = now or timezone.now()
    due = Room.objects.filter(next_deadline__lte=now).values_list("pk", "next_deadline_turn")
    fired = 0
    for meeting_id, turn_id in due:
        outcome = expire(meeting_id, turn_id, now)
        fired += bool(outcome and outcome.events)
    return fired


def end_room(meeting_id: int, now: datetime | None = None) -> Outcome:
    """End the room as the system (its scheduled close): safe to repeat."""
    return execute(meeting_id, SYSTEM, End(), now=now)


def remove_user(meeting_id: int, user_id: int, now: datetime | None = None) -> Outcome | None:
    """Remove an account from a room as the system (a ban from the circle): safe to repeat."""
    state = load_state(meeting_id)
    participant = state and state.participant_for_user(user_id)
    if participant is None:
        return None
    return execute(meeting_id, SYSTEM, Remove(participant.participant_id), now=now)


def remove_from_live_rooms(user_id: int, circle_id: int, now: datetime | None = None) -> int:
    """Remove an account from every room of the circle that has not ended (for a ban or a
    removal from the circle); returns how many rooms it was taken out of. Safe to repeat.
    A facilitator banned or removed from the circle loses the room and its controls too."""
    removed = 0
    rooms = Room.objects.filter(meeting__circle_id=circle_id).exclude(status="ended")
    for meeting_id in rooms.values_list("pk", flat=True):
        try:
            outcome = remove_user(meeting_id, user_id, now=now)
        except Refused:
            continue
        removed += bool(outcome and outcome.events)
    return removed


def set_muted_in_live_rooms(
    user_id: int, circle_id: int, muted: bool, now: datetime | None = None
) -> int:
    """Mute (or unmute) an account in every open room of the circle, as the system: a mute
    in the circle from moderation reaches rooms the member is already in. Returns how many
    rooms changed; safe to repeat; facilitators are left as they are."""
    changed = 0
    rooms = Room.objects.filter(meeting__circle_id=circle_id).exclude(status="ended")
    for meeting_id in rooms.values_list("pk", flat=True):
        state = load_state(meeting_id)
        participant = state and state.participant_for_user(user_id)
        if participant is None:
            continue
        command = Mute if muted else Unmute
        try:
            outcome = execute(meeting_id, SYSTEM, command(participant.participant_id), now=now)
        except Refused:
            continue
        changed += bool(outcome.events)
    return changed


def hide_share(meeting_id: int, share_id: int, user=None, now: datetime | None = None) -> None:
    """Hide a share as the system (a report resolved by moderation): safe to repeat.

    In a live room everyone sees it go; once the room has ended, the row is simply marked.
    """
    now = now or timezone.now()
    try:
        execute(meeting_id, SYSTEM, Hide(share_id), user=user, now=now)
    except Refused as refusal:
        if refusal.code != "room_not_live":
            raise
        Share.objects.filter(
            meeting_id=meeting_id, share_id=share_id, hidden_at__isnull=True
        ).update(hidden_at=now, hidden_by=user)


# --- Moderation's handle on shares ------------------------------------------------------------


def hide_reported_share(object_id: int, actor) -> None:
    """Moderation's ``hide`` for ``meetings.share``: raises ``Share.DoesNotExist`` once the
    share has been purged."""
    share = Share.objects.get(pk=object_id)
    user = actor if getattr(actor, "is_authenticated", False) else None
    hide_share(share.meeting_id, share.share_id, user=user)


def describe_share(object_id: int) -> dict[str, Any]:
    share = Share.objects.filter(pk=object_id).only("hidden_at").first()
    return {"exists": share is not None, "hidden": bool(share and share.hidden_at)}


def register_moderation_handlers() -> None:
    """Let moderation hide reported shares (call from ``MeetingsConfig.ready()``)."""
    from moderation.registry import register_content_handler

    register_content_handler("meetings.share", hide=hide_reported_share, describe=describe_share)


# --- Broadcasting --------------------------------------------------------------------------


def _after_commit(meeting_id: int, outcome: Outcome) -> None:
    """After commit: the events to the room, then each private frame to its group."""
    _events_after_commit(meeting_id, outcome)
    for group, private_frames in outcome.private:
        _send_after_commit(group, private_frames)


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
