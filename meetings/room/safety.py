"""The room's calls into moderation: blocked words, crisis phrases, support requests,
reports of shares and the audit log of facilitator actions.

The store calls these under the room's lock, inside its transaction, so whatever
moderation writes commits (or rolls back) with the command. Nothing here logs or stores
the text of a share, except the snapshot a report keeps for moderators.
"""

from __future__ import annotations

from typing import Any

from circles.rendering import crisis_resource_lines
from meetings.room import frames
from meetings.room.limits import MAX_NOTE_CHARS as MAX_NOTE_CHARS  # the store checks notes
from moderation.actions import file_report, record_action, record_safety_event
from moderation.models import SafetyEvent
from moderation.safety import crisis_languages, refuse_blocked_words


def check_share_text(text: object, content_warning: object) -> None:
    """Refuse a share (or its content warning) containing a blocked word: ``bad_request``."""
    for value in (text, content_warning):
        if isinstance(value, str) and value:
            refuse_blocked_words(value)


def is_crisis(room, text: str) -> bool:
    """Whether ``text`` holds a crisis phrase of the circle's language (or of every
    language). The circle is only read once a phrase was found: most shares hold none."""
    found = crisis_languages(text)
    return bool(found) and bool(found & {"", room.meeting.circle.language})


def resources(meeting, reason: str, alert_id: int | None) -> dict[str, Any]:
    """The private ``resources`` frame: the circle's crisis resources, as text and as
    lines of links (the same ones the room page and the circle page show)."""
    text = meeting.circle.crisis_resources_text
    return frames.Resources(reason, text, crisis_resource_lines(text), alert_id).frame()


def need_support(meeting, user, note: str) -> None:
    """Someone asked for support: moderation records it (its queue shows it); the room is
    never told."""
    record_safety_event(
        kind=SafetyEvent.Kind.NEED_SUPPORT,
        user=user,
        circle=meeting.circle,
        meeting_id=meeting.pk,
        note=note,
    )


def crisis_share(meeting, user) -> None:
    """A share matched a crisis phrase: it is still posted; moderation records that it
    happened, never the share's text."""
    record_safety_event(
        kind=SafetyEvent.Kind.CRISIS_MATCH,
        user=user,
        circle=meeting.circle,
        meeting_id=meeting.pk,
    )


def report_share(meeting, share, reporter, reason: str, note: str) -> None:
    """File a report of a share with a snapshot that outlives the share's purge."""
    snapshot = {
        "text": share.text,
        "content_warning": share.content_warning,
        "author_display_name": share.author_name,
        "author_user_id": share.author_id,
        "meeting_id": meeting.pk,
        "meeting_title": meeting.title,
        "circle_name": meeting.circle.name,
        "created_at": share.created_at,
    }
    file_report(
        reporter,
        target=share,
        reason=reason,
        note=note or "",
        snapshot=snapshot,
        circle=meeting.circle,
    )


def audit(action: str, meeting, state, actor, command, user) -> None:
    """Write a facilitator's room command to the moderation audit log: who, what, whom,
    never the text of a share."""
    extra: dict[str, Any] = {"seq": state.seq}
    for name in ("participant_id", "share_id", "position", "seconds", "mode", "alert_id"):
        if hasattr(command, name):
            extra[name] = getattr(command, name)
    target_user = None
    target = state.participant(getattr(command, "participant_id", None))
    if target is None and hasattr(command, "share_id"):
        share = state.share(command.share_id)
        target = share and state.participant(share.participant_id)
    if target is not None:
        from members.models import User

        target_user = User.objects.filter(pk=target.user_id).first()
        extra["participant_id"] = target.participant_id
    record_action(
        actor=user,
        action=action,
        target_user=target_user,
        circle=meeting.circle,
        meeting_id=meeting.pk,
        extra=extra,
    )
