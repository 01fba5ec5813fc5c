"""What other apps (and the room page over HTTP) ask of a room: end it, take an account
out of it, mute one in it, hide a share, ask for support, and moderation's handle on
shares. Each is one command through the store, as the system, and safe to repeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from meetings.room import rules, store
from meetings.room.commands import SupportRequest
from meetings.room.models import Room, Share
from meetings.room.outcome import Outcome
from meetings.room.rules import Refused


def end_room(meeting_id: int, now: datetime | None = None) -> Outcome:
    """End the room as the system (its scheduled close): safe to repeat."""
    return store.execute(meeting_id, rules.SYSTEM, rules.End(), now=now)


def remove_user(meeting_id: int, user_id: int, now: datetime | None = None) -> Outcome | None:
    """Remove an account from a room as the system (a ban from the circle): safe to repeat."""
    state = store.load_state(meeting_id)
    participant = state and state.participant_for_user(user_id)
    if participant is None:
        return None
    return store.execute(
        meeting_id, rules.SYSTEM, rules.Remove(participant.participant_id), now=now
    )


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
        state = store.load_state(meeting_id)
        participant = state and state.participant_for_user(user_id)
        if participant is None:
            continue
        command = rules.Mute if muted else rules.Unmute
        try:
            outcome = store.execute(
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
        store.execute(meeting_id, rules.SYSTEM, rules.Hide(share_id), user=user, now=now)
    except Refused as refusal:
        if refusal.code != "room_not_live":
            raise
        store.mark_share_hidden(meeting_id, share_id, user, now)


# Moderation's handle on shares.


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


def ask_for_support(meeting_id: int, user, note: str = "", now: datetime | None = None) -> int:
    """Someone who may see the room page asks for support without the socket: record the
    safety event, open the alert (holding their clock if they hold the piece) and tell
    every connected facilitator at once. Returns the alert's id."""
    outcome = store.execute(meeting_id, rules.SYSTEM, SupportRequest(note), user=user, now=now)
    return outcome.replies[0]["alert_id"]
