"""The room's calls into moderation: blocked words, crisis phrases, support requests,
reports of shares and the audit log of facilitator actions.

The store calls these under the room's lock, inside its transaction, so whatever
moderation writes commits (or rolls back) with the command. Nothing here logs or stores
the text of a share, except the snapshot a report keeps for moderators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from meetings.room.rules import Participant, Refused
from moderation.safety import check_text, find_crisis_match

MAX_NOTE_CHARS = 1000


@dataclass(frozen=True)
class Alert:
    """A private ``resources`` frame for the person, and a ``support_alert`` for moderators."""

    resources: dict[str, Any]
    support_alert: dict[str, Any]


def check_share_text(text: object, content_warning: object) -> None:
    """Refuse a share (or its content warning) containing a blocked word: ``bad_request``."""
    for value in (text, content_warning):
        if isinstance(value, str) and value:
            try:
                check_text(value)
            except ValidationError as error:
                raise Refused("bad_request", error.messages[0]) from None


def is_crisis(meeting, text: str) -> bool:
    return find_crisis_match(text, meeting.circle.language)


def _alert(meeting, participant: Participant, reason: str, note: str, **extra) -> Alert:
    resources = {
        "type": "resources",
        "reason": reason,
        "text": meeting.circle.crisis_resources_text,
    }
    support_alert = {
        "type": "support_alert",
        "reason": reason,
        "participant_id": participant.participant_id,
        "display_name": participant.display_name,
        "note": note,
        **extra,
    }
    return Alert(resources, support_alert)


def need_support(meeting, participant: Participant, user, note: str) -> Alert:
    """Someone asked for support: moderation records it; the room is never told."""
    return _alert(meeting, participant, "need_support", note)


def crisis_share(meeting, participant: Participant, user, share) -> Alert:
    """A share matched a crisis phrase: it is still posted; its author gets the circle's
    resources and the facilitators a private alert (without the share's text)."""
    return _alert(meeting, participant, "crisis_share", "", share_id=share.share_id)


def report_share(meeting, share, reporter, reason: str, note: str) -> None:
    """File a report of a share with a snapshot that outlives the share's purge."""


def audit(action: str, meeting_id: int, state, actor, command, user) -> None:
    """Write a facilitator's room command to the moderation audit log."""
