"""The room's commands the rules don't own alone: a report, a call for support (over the
socket or over HTTP), an acknowledgement, a nudge and an agreement reminder need the
database or the circle, so they are done here around ``rules.apply``. ``run`` is the one
entry the store calls, under the room's lock, for every command."""

from __future__ import annotations

from dataclasses import dataclass

from hearth import groups
from meetings.room import commands, effects, frames, gentle, rules, safety, snapshots
from meetings.room.commands import (
    SYSTEM,
    AcknowledgeSupport,
    Actor,
    NeedSupport,
    Nudge,
    OpenAlert,
    Remind,
    Report,
)
from meetings.room.limits import MAX_REMINDER_CHARS
from meetings.room.models import Share
from meetings.room.outcome import Outcome
from meetings.room.protocol import is_storable_text
from meetings.room.rules import Refused
from meetings.room.values import Participant, SupportAlert


def run(room, state, actor, command, user, now) -> Outcome:
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
    effects.record(room, actor, command, user, now, outcome)
    return outcome


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
        groups.moderators_group(room.meeting_id), [snapshots.alert_frame(new_state, alert)]
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
    outcome.send_privately(groups.moderators_group(room.meeting_id), [frame])
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
    outcome.send_privately(
        groups.participant_group(room.meeting_id, holder.participant_id), [frame]
    )
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
