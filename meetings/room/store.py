"""The talking circle's persistence: load, lock, apply, save, then broadcast after commit.

Every change to a room goes through ``execute`` (or ``join``, ``leave``, ``expire``, which
call it): one transaction that locks the meeting's ``Room`` row with
``select_for_update``, reads the rules' ``RoomState`` from it, calls ``rules.apply``, saves
the new state and whatever the command wrote (a share, a reaction, a hidden share), and
sends the broadcast after commit (``hearth.on_commit``). The database is the single source of
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
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hearth.groups import moderators_group, participant_group, room_group
from hearth.on_commit import send_on_commit
from meetings.models import Meeting
from meetings.room import gentle, rules, safety
from meetings.room.models import CommandRecord, Reaction, Room, Share
from meetings.room.protocol import ClientCommand, Report, is_storable_text
from meetings.room.rules import Actor, Participant, Refused, RoomState

log = logging.getLogger("hearth.room")

# Facilitator commands and the dotted names they are written to the audit log under.
AUDITED = {
    rules.Start: "room.started",
    rules.Pause: "room.paused",
    rules.Resume: "room.resumed",
    rules.End: "room.ended",
    rules.StartRound: "room.round_started",
    rules.SetMode: "room.mode_set",
    rules.SetTurnSeconds: "room.turn_seconds_set",
    rules.Extend: "room.turn.extended",
    rules.Grant: "room.turn.granted",
    rules.Skip: "room.turn.skipped",
    rules.Move: "room.participant.moved",
    rules.Mute: "room.participant.muted",
    rules.Unmute: "room.participant.unmuted",
    rules.Remove: "room.participant.removed",
    rules.Lock: "room.locked",
    rules.Unlock: "room.unlocked",
    rules.Hide: "room.share.hidden",
    rules.Remind: "room.agreement.reminded",
    rules.ClearAway: "room.participant.cleared",
}


def encode(frame: dict[str, Any]) -> str:
    """The one JSON encoding of a frame."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


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


def snapshot(meeting_id: int, state: RoomState, participant_id: int | None) -> dict[str, Any]:
    """The ``state`` frame for one participant: the public state, who they are, and the
    shares (with their text) that are still visible."""
    frame = {"type": "state", **rules.public_state(state)}
    me = state.participant(participant_id)
    frame["you"] = None if me is None else _you(me, meeting_id)
    if me is not None and me.can_moderate:
        frame["not_shared_yet"] = rules.not_shared_yet(state)
        frame["support_alerts"] = rules.open_alerts(state)
    metas = {meta.share_id: meta for meta in state.shares if not meta.hidden}
    shares = Share.objects.filter(
        meeting_id=meeting_id, share_id__in=list(metas), hidden_at__isnull=True
    ).order_by("share_id")
    frame["shares"] = [_share_public(share, metas[share.share_id], me) for share in shares]
    return frame


def _you(me: Participant, meeting_id: int) -> dict[str, Any]:
    return {
        "participant_id": me.participant_id,
        "display_name": me.display_name,
        "role": me.role,
        "muted": me.muted,
        "can_moderate": me.can_moderate,
        "mute": mute_of(meeting_id, me) if me.muted else None,
    }


def mute_of(meeting_id: int, me: Participant) -> dict[str, Any]:
    """What a muted person is told of their mute: moderation's mute in the circle (until
    when), or a facilitator's in this room (until they unmute, at most the meeting)."""
    from circles.models import Membership

    until = (
        Membership.objects.filter(
            user_id=me.user_id, circle__meetings=meeting_id, muted_until__gt=timezone.now()
        )
        .values_list("muted_until", flat=True)
        .first()
    )
    if until is not None:
        return {"scope": "circle", "until": until.isoformat()}
    return {"scope": "meeting", "until": None}


def _share_public(share: Share, meta: rules.ShareMeta, me: Participant | None) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for _pid, kind in meta.reactions:
        counts[kind] = counts.get(kind, 0) + 1
    mine = sorted(kind for pid, kind in meta.reactions if me and pid == me.participant_id)
    return {
        "share_id": share.share_id,
        "participant_id": share.participant_id,
        "display_name": share.author_name,
        "text": share.text,
        "content_warning": share.content_warning,
        "created_at": share.created_at.isoformat(),
        "reactions": {kind: counts[kind] for kind in rules.REACTION_KINDS if kind in counts},
        "my_reactions": mine,
    }


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
        return Outcome(state, replies=[snapshot(meeting_id, state, actor.participant_id)])
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


def _run(room, state, actor, command, user, now) -> Outcome:
    """The command's own work around ``rules.apply``; runs under the room's lock."""
    if isinstance(command, Report):
        return _report(room, state, actor, command, user)
    if isinstance(command, rules.NeedSupport):
        asking = rules.check_need_support(state, actor)
        return _support(room, state, asking, user, command.note, now)
    if isinstance(command, SupportRequest):
        return _support(room, state, state.participant_for_user(user.pk), user, command.note, now)
    if isinstance(command, rules.AcknowledgeSupport):
        return _acknowledge(room, state, actor, command, user, now)
    if isinstance(command, rules.Nudge):
        return _nudge(room, state, actor, command, user)
    if isinstance(command, rules.Remind):
        command = _agreement_reminder(room, command)
    if isinstance(command, rules.Share):
        safety.check_share_text(command.text, command.content_warning)
    new_state, events = rules.apply(state, actor, command, now)
    outcome = Outcome(new_state, events)
    for event in events:
        if event["type"] == "shared":
            _record_share(room, new_state, event, command, user, now, outcome)
        elif event["type"] == "reaction":
            _record_reaction(room, event, actor, user, now)
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


def _record_share(room, state, event, command: rules.Share, user, now, outcome) -> None:
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
    event.update(
        display_name=share.display_name,
        text=share.text,
        created_at=share.created_at.isoformat(),
    )
    if safety.is_crisis(room, command.text):
        safety.crisis_share(room.meeting, user)
        opened = rules.OpenAlert(
            "crisis_share",
            author.display_name,
            author.participant_id,
            share_id=share.share_id,
            user_id=author.user_id,
        )
        outcome.state, _ = rules.apply(outcome.state, rules.SYSTEM, opened, now)
        alert = outcome.state.alerts[-1]
        outcome.replies.append(safety.resources(room.meeting, "crisis_share", alert.alert_id))
        frame = _alert_frame(outcome.state, alert)
        outcome.send_privately(moderators_group(room.meeting_id), [frame])


def _record_reaction(room, event, actor: Actor, user, now) -> None:
    event["participant_id"] = actor.participant_id
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
    frame = {"type": "your_share_hidden", "share_id": event["share_id"]}
    outcome.send_privately(participant_group(room.meeting_id, meta.participant_id), [frame])


def _tell_the_muted(room, state, event, actor: Actor, outcome) -> None:
    """The muted person alone is told what the mute is and how long it lasts."""
    muted = state.participant(event["participant_id"])
    if actor.is_system:  # moderation's mute in the circle, which the Membership row holds
        mute = mute_of(room.meeting_id, muted)
    else:
        mute = {"scope": "meeting", "until": None}
    frame = {"type": "mute", **mute}
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
    return Outcome(state, replies=[{"type": "reported", "share_id": command.share_id}])


@dataclass(frozen=True)
class SupportRequest:
    """ "I need support" from the room page over HTTP (the socket was not connected): the
    same action as ``need_support``, for a person who may not be seated or connected."""

    note: str = ""


def ask_for_support(meeting_id: int, user, note: str = "", now: datetime | None = None) -> int:
    """Someone who may see the room page asks for support without the socket: record the
    safety event, open the alert (holding their clock if they hold the piece) and tell
    every connected facilitator at once. Returns the alert's id."""
    outcome = execute(meeting_id, rules.SYSTEM, SupportRequest(note), user=user, now=now)
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
    opened = rules.OpenAlert(
        "need_support",
        name,
        None if asking is None else asking.participant_id,
        note,
        user_id=user.pk,
    )
    new_state, events = rules.apply(state, rules.SYSTEM, opened, now)
    alert = new_state.alerts[-1]
    resources = safety.resources(room.meeting, "need_support", alert.alert_id)
    outcome = Outcome(new_state, events, replies=[resources])
    outcome.send_privately(moderators_group(room.meeting_id), [_alert_frame(new_state, alert)])
    return outcome


def _alert_frame(state: RoomState, alert: rules.SupportAlert) -> dict[str, Any]:
    opened = next(a for a in rules.open_alerts(state) if a["alert_id"] == alert.alert_id)
    return {"type": "support_alert", **opened}


def _acknowledge(room, state, actor: Actor, command, user, now) -> Outcome:
    """A facilitator saw an alert: every connected facilitator is told who did. A repeat
    changes nothing; its sender alone is told who acknowledged it first."""
    before = state.alert(command.alert_id)
    new_state, events = rules.apply(state, actor, command, now)
    alert = new_state.alert(command.alert_id)
    who, name = alert.acknowledged_by
    frame = {
        "type": "support_acknowledged",
        "alert_id": alert.alert_id,
        "by": {"participant_id": who, "display_name": name},
    }
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

    alert: rules.SupportAlert

    @property
    def alert_id(self) -> int:
        return self.alert.alert_id

    @property
    def participant_id(self) -> int | None:
        return self.alert.participant_id


def _nudge(room, state, actor: Actor, command: rules.Nudge, user) -> Outcome:
    """Send the holder alone a private nudge: no seq, nothing kept in the room's state."""
    holder = rules.check_nudge(state, actor)
    texts = gentle.nudge_texts(room.meeting.circle)
    text = texts.get(command.text_id) if isinstance(command.text_id, str) else None
    if text is None:
        raise Refused("bad_request", "That nudge isn't one of this circle's.")
    frame = {"type": "nudge", "text_id": command.text_id, "text": text}
    safety.audit("room.holder.nudged", room.meeting, state, actor, _Nudged(holder), user)
    outcome = Outcome(state, replies=[{"type": "nudged", "participant_id": holder.participant_id}])
    outcome.send_privately(participant_group(room.meeting_id, holder.participant_id), [frame])
    return outcome


@dataclass(frozen=True)
class _Nudged:
    """What the audit log records of a nudge: whom it went to, never its words."""

    holder: Participant

    @property
    def participant_id(self) -> int:
        return self.holder.participant_id


def _agreement_reminder(room, command: rules.Remind) -> rules.Remind:
    """The reminder as the agreements word it, or ``bad_request`` when the text is not a
    line of the circle's current agreements. Length and blankness are the rules' to check."""
    if not isinstance(command.text, str) or len(command.text) > rules.MAX_REMINDER_CHARS:
        return command
    if not command.text.strip():
        return command
    line = gentle.agreement_line(room.meeting.circle, command.text)
    if line is None:
        raise Refused("bad_request", "That isn't one of this circle's agreements.")
    return rules.Remind(line)


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
        frame = snapshot(meeting_id, outcome.state, participant.participant_id)
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


def end_room(meeting_id: int, now: datetime | None = None) -> Outcome:
    """End the room as the system (its scheduled close): safe to repeat."""
    return execute(meeting_id, rules.SYSTEM, rules.End(), now=now)


def remove_user(meeting_id: int, user_id: int, now: datetime | None = None) -> Outcome | None:
    """Remove an account from a room as the system (a ban from the circle): safe to repeat."""
    state = load_state(meeting_id)
    participant = state and state.participant_for_user(user_id)
    if participant is None:
        return None
    return execute(meeting_id, rules.SYSTEM, rules.Remove(participant.participant_id), now=now)


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
        command = rules.Mute if muted else rules.Unmute
        try:
            outcome = execute(
                meeting_id, rules.SYSTEM, command(participant.participant_id), now=now
            )
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
        execute(meeting_id, rules.SYSTEM, rules.Hide(share_id), user=user, now=now)
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


def timer_of(state: RoomState) -> list | None:
    """The room's next deadline as ``[turn_id, iso moment]`` (JSON-safe), or None."""
    deadline = rules.next_deadline(state)
    return None if deadline is None else [deadline[0], deadline[1].isoformat()]


def _after_commit(meeting_id: int, outcome: Outcome) -> None:
    """After commit: the events to the room, then each private frame to its group."""
    _events_after_commit(meeting_id, outcome)
    for group, frames in outcome.private:
        _send_after_commit(group, frames)


def _events_after_commit(meeting_id: int, outcome: Outcome) -> None:
    if not outcome.events:
        return
    message = {
        "type": "room.events",
        "frames": [encode(event) for event in outcome.events],
        "first_seq": outcome.events[0]["seq"],
        "last_seq": outcome.events[-1]["seq"],
        "deadline": timer_of(outcome.state),
        "removed": [
            event["participant_id"]
            for event in outcome.events
            if event["type"] == "participant_removed"
        ],
    }
    send_on_commit(room_group(meeting_id), message)


def _send_after_commit(group: str, frames: list[dict[str, Any]]) -> None:
    message = {"type": "room.private", "frames": [encode(frame) for frame in frames]}
    send_on_commit(group, message)


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
