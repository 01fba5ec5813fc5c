"""The side effects of the room's events: the rows kept beside the room's own (a share's
text, reactions, hidden shares), the meeting's status, the private word to the person
an event is about, and the audit entry of each facilitator's command. Each runs under
the room's lock, in the command's transaction. Nothing here logs the text of a share."""

from __future__ import annotations

from datetime import datetime

from hearth import groups
from meetings.models import Meeting
from meetings.room import commands, frames, rules, safety, snapshots
from meetings.room.commands import (
    SYSTEM,
    Actor,
    ClearAway,
    End,
    Extend,
    Grant,
    Hide,
    Lock,
    Move,
    Mute,
    OpenAlert,
    Pause,
    Remind,
    Remove,
    Resume,
    SetMode,
    SetTurnSeconds,
    Skip,
    Start,
    StartRound,
    Unlock,
    Unmute,
)
from meetings.room.models import Reaction, Room, Share
from meetings.room.outcome import Outcome

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


def record(room, actor: Actor, command, user, now: datetime, outcome: Outcome) -> None:
    """What the events of an applied command write beside the room's row (a share's
    text, a reaction, a hidden share, the meeting's status), what they tell one person
    privately (a hidden share's author, the muted), and the audit entry of a
    facilitator's command. Runs under the room's lock, in the command's transaction."""
    state, events = outcome.state, outcome.events  # a crisis share moves outcome.state on
    for event in events:
        if event["type"] == "shared":
            _record_share(room, state, event, command, user, now, outcome)
        elif event["type"] == "reaction":
            _record_reaction(room, event, actor, user, now, outcome)
        elif event["type"] == "share_hidden":
            _record_hidden(room, state, event, user, now, outcome)
        elif event["type"] == "room":
            _sync_meeting_status(room, event["status"], now)
        elif event["type"] == "participant_muted":
            _tell_the_muted(room, state, event, actor, outcome)
    if events and type(command) in AUDITED and not actor.is_system:
        safety.audit(AUDITED[type(command)], room.meeting, state, actor, command, user)


def _record_share(room, state, event, command: commands.Share, user, now, outcome) -> None:
    """Keep the share's text; the ``shared`` event becomes the full one (``frames.Shared``:
    the text, the author's name, the time)."""
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
        outcome.send_privately(groups.moderators_group(room.meeting_id), [frame])


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
    mark_hidden(room.meeting_id, event["share_id"], user, now)
    meta = state.share(event["share_id"])
    frame = frames.YourShareHidden(event["share_id"]).frame()
    outcome.send_privately(groups.participant_group(room.meeting_id, meta.participant_id), [frame])


def _tell_the_muted(room, state, event, actor: Actor, outcome) -> None:
    """The muted person alone is told what the mute is and how long it lasts."""
    muted = state.participant(event["participant_id"])
    if actor.is_system:  # moderation's mute in the circle, which the Membership row holds
        mute = snapshots.mute_of(room.meeting_id, muted)
    else:
        mute = {"scope": "meeting", "until": None}
    frame = frames.Mute(**mute).frame()
    outcome.send_privately(groups.participant_group(room.meeting_id, muted.participant_id), [frame])


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


def mark_hidden(meeting_id: int, share_id: int, user, now: datetime) -> None:
    """Mark the share's row hidden (by whom, when); a share hidden already stays as it was."""
    Share.objects.filter(meeting_id=meeting_id, share_id=share_id, hidden_at__isnull=True).update(
        hidden_at=now, hidden_by=user
    )
