"""A report about a spoken turn: who held the piece, and when. Never audio: there is none.

A spoken share leaves no text, so the report's snapshot is Hearth's own words naming the
turn, filed against the member who held the piece (a report of a member, which moderation
already knows how to handle). Only the turn still under way can be reported: the room
keeps no history of past holders.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from meetings.room import store
from meetings.room.voice.signaling import voice_refused
from members.models import User
from moderation.actions import file_report
from moderation.models import Report

TURN_ENDED = "That turn has ended. You can report the member from the circle's page."


def snapshot_text(turn_id: int, started: str) -> str:
    return (
        f"Held the talking piece (turn {turn_id}) and could be heard, in a circle with voice "
        f"on, when this was reported at {started}. Voice is never recorded: there is no audio."
    )


def report_voice_turn(meeting, reporter, turn_id: int, reason: str, note: str = "") -> Report:
    """File ``reporter``'s report of the turn ``turn_id``, if it is the one under way."""
    if not meeting.circle.voice_enabled:
        raise voice_refused("voice_off")
    state = store.load_state(meeting.pk)
    me = state and state.participant_for_user(reporter.pk)
    if me is None or not me.present:
        raise voice_refused("forbidden", "Only people in the circle's room can report a turn.")
    holder = state.holder
    if holder is None or holder.turn_id != turn_id:
        raise voice_refused("not_found", TURN_ENDED)
    speaker = state.participant(holder.participant_id)
    speaker_user = User.objects.filter(pk=speaker.user_id).first()
    if speaker_user is None:
        raise voice_refused("not_found", TURN_ENDED)
    now = timezone.now()
    snapshot = {
        "text": snapshot_text(turn_id, now.strftime("%Y-%m-%d %H:%M:%S UTC")),
        "author_display_name": speaker.display_name,
        "author_user_id": speaker.user_id,
        "meeting_id": meeting.pk,
        "meeting_title": meeting.title,
        "circle_name": meeting.circle.name,
        "created_at": now,
    }
    try:
        return file_report(
            reporter,
            target=speaker_user,
            reason=reason,
            note=note,
            snapshot=snapshot,
            circle=meeting.circle,
        )
    except ValidationError as error:
        raise voice_refused("bad_request", " ".join(error.messages)) from None
    except PermissionDenied as error:
        raise voice_refused("forbidden", str(error) or None) from None
