"""Every change to follow-ups goes through here.

Each function runs in one transaction and locks the row that owns the resource: the
member's membership of the circle when a thread is opened (one open thread per member and
circle), the thread when someone writes in it or closes it. It checks under the lock,
changes, and writes one audit entry (``meetings.follow_up.opened``, ``.closed``,
``.reported``: who, whom, which reason, never the text). Opening a thread about a safety
event also moves the event to "reached out" through ``moderation.actions.set_follow_up``
(which writes its own ``moderation.safety.followed_up`` entry). Notifications are written in the
same transaction; their emails go out after commit through Celery (``meetings.notify``).

A refusal raises ``hearth.refusal.Refused``: ``bad_request`` or ``too_long`` (bad input:
empty, too long, a blocked word) or ``forbidden`` (wrong person, closed thread), with a
message a person can read, and changes nothing.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles.models import Membership
from hearth.refusal import Refused
from meetings.followups import permissions
from meetings.followups.models import MESSAGE_MAX_CHARS, FollowUp, FollowUpMessage
from meetings.followups.reasons import Reason
from meetings.models import Notification
from meetings.notify import notify
from members.models import display_name_of
from moderation import actions as moderation_actions
from moderation.models import Report, SafetyEvent
from moderation.safety import find_crisis_match, refuse_blocked_words

logger = logging.getLogger(__name__)

NOTIFICATION_TEXT = "You have a message on Hearth."


@dataclass(frozen=True)
class Posted:
    message: FollowUpMessage
    crisis: bool  # the member's words matched a crisis phrase: show them the resources


def clean_text(text) -> str:
    """The message as it will be kept, or ``Refused``. Leading and trailing
    blank lines go; everything else the person typed stays."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise Refused("bad_request", "Write a message first.")
    if len(text) > MESSAGE_MAX_CHARS:
        raise Refused(
            "too_long",
            f"Please keep it under {MESSAGE_MAX_CHARS:,} characters (this one has {len(text):,}).",
        )
    refuse_blocked_words(text)
    return text


def _notify(users, thread: FollowUp) -> None:
    """A notification without words: never the text, the circle or the reason."""
    users = [user for user in users if user is not None and user.is_active]
    if users:
        notify(
            users,
            Notification.Kind.FOLLOW_UP,
            None,
            lambda user: NOTIFICATION_TEXT,
            url=thread.get_absolute_url(),
        )


def _staff_side(thread: FollowUp, *, but) -> list:
    """Who wrote on the circle's side of the thread (and who opened it), except ``but``."""
    people = {thread.opened_by_id} if thread.opened_by_id else set()
    people |= set(
        thread.messages.exclude(author_id=thread.member_id).values_list("author_id", flat=True)
    )
    people.discard(getattr(but, "pk", None))
    return list(get_user_model().objects.filter(pk__in=people))


def open_follow_up(actor, reason: Reason, text, *, now=None) -> FollowUp:
    """Open a thread with ``reason.member`` about ``reason``, with ``actor``'s first message."""
    text = clean_text(text)
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Membership.objects.select_for_update()
            .filter(user=reason.member, circle=reason.circle)
            .first()
        )
        reason.member.refresh_from_db(fields=["no_follow_ups", "is_active"])
        refusal = permissions.why_not_open(actor, reason)
        if refusal is not None or locked is None:
            raise Refused(
                "forbidden", refusal or f"{reason.member.display_name} is not in the circle."
            )
        try:
            with transaction.atomic():
                thread = FollowUp.objects.create(
                    circle=reason.circle,
                    meeting=reason.meeting,
                    member=reason.member,
                    opened_by=actor,
                    reason=reason.kind,
                    safety_event=reason.safety_event,
                    check_in=reason.check_in,
                    created_at=now,
                    last_message_at=now,
                )
        except IntegrityError:
            raise Refused("forbidden", "Someone followed this up a moment ago.") from None
        FollowUpMessage.objects.create(
            thread=thread,
            author=actor,
            author_role=permissions.author_role(actor, reason.circle, reason.meeting),
            text=text,
            created_at=now,
        )
        moderation_actions.record_action(
            actor=actor,
            action="meetings.follow_up.opened",
            target_user=reason.member,
            circle=reason.circle,
            meeting_id=reason.meeting.pk if reason.meeting else None,
            extra={
                "follow_up_id": thread.pk,
                "reason": reason.kind,
                "source": reason.source,
                "source_id": reason.source_id,
            },
        )
        if (
            reason.safety_event is not None
            and reason.safety_event.follow_up == SafetyEvent.FollowUp.OPEN
        ):
            # The queue shows the event as followed up, not "Open" next to the thread.
            moderation_actions.set_follow_up(
                reason.safety_event, actor, SafetyEvent.FollowUp.REACHED_OUT, permitted=True
            )
        _notify([reason.member], thread)
    return thread


def post_message(actor, thread_id: int, text, *, now=None) -> Posted:
    """Add ``actor``'s message to an open thread they take part in."""
    text = clean_text(text)
    now = now or timezone.now()
    with transaction.atomic():
        thread = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("circle", "meeting", "member")
            .filter(pk=thread_id)
            .first()
        )
        if thread is None or not permissions.can_read(actor, thread):
            raise ObjectDoesNotExist("No such follow-up.")
        refusal = permissions.why_not_reply(actor, thread)
        if refusal is not None:
            raise Refused("forbidden", refusal)
        role = permissions.thread_role(actor, thread)
        message = FollowUpMessage.objects.create(
            thread=thread, author=actor, author_role=role, text=text, created_at=now
        )
        thread.last_message_at = now
        thread.save(update_fields=["last_message_at"])
        crisis = role == "member" and find_crisis_match(text, thread.circle.language)
        if crisis:
            moderation_actions.record_safety_event(
                kind=SafetyEvent.Kind.CRISIS_MATCH,
                user=actor,
                circle=thread.circle,
                meeting_id=thread.meeting_id,
            )
        if role == "member":
            _notify(_staff_side(thread, but=actor), thread)
        else:
            _notify([thread.member], thread)
    return Posted(message, crisis)


def mark_read(user, thread: FollowUp) -> int:
    """Reading a thread marks its notifications to ``user`` as read. Safe to repeat."""
    return Notification.objects.filter(
        user=user,
        kind=Notification.Kind.FOLLOW_UP,
        url=thread.get_absolute_url(),
        read_at__isnull=True,
    ).update(read_at=timezone.now())


def close_follow_up(actor, thread_id: int, *, now=None) -> FollowUp:
    """Close a thread for good. Safe to repeat: closing a closed thread changes nothing."""
    with transaction.atomic():
        thread = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("circle", "meeting", "member")
            .filter(pk=thread_id)
            .first()
        )
        if thread is None or not permissions.can_read(actor, thread):
            raise ObjectDoesNotExist("No such follow-up.")
        if not thread.is_open:
            return thread
        if not permissions.can_close(actor, thread):
            raise Refused("forbidden", "Only the people in this follow-up can close it.")
        thread.closed_at = now or timezone.now()
        thread.closed_by = actor
        thread.save(update_fields=["closed_at", "closed_by"])
        moderation_actions.record_action(
            actor=actor,
            action="meetings.follow_up.closed",
            target_user=thread.member,
            circle=thread.circle,
            meeting_id=thread.meeting_id,
            extra={"follow_up_id": thread.pk, "reason": thread.reason},
        )
    return thread


def close_threads_about(user, *, now=None) -> int:
    """Close the open threads about ``user`` as their account is deleted, so the retention
    purge removes the facilitators' messages too. Runs inside the deletion's transaction
    (``pre_delete``); one system entry per thread, without ``target_user`` (the account is
    going) and without text."""
    now = now or timezone.now()
    threads = list(
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("circle")
        .filter(member=user, closed_at__isnull=True)
    )
    for thread in threads:
        thread.closed_at = now
        thread.closed_by = None
        thread.save(update_fields=["closed_at", "closed_by"])
        moderation_actions.record_action(
            actor=None,
            action="meetings.follow_up.closed",
            circle=thread.circle,
            meeting_id=thread.meeting_id,
            extra={"follow_up_id": thread.pk, "reason": thread.reason, "why": "account_deleted"},
        )
    return len(threads)


def report_message(actor, message_id: int, reason: str, note: str = ""):
    """Report a message to the circle's hosts and staff, with a snapshot of its text."""
    message = (
        FollowUpMessage.objects.select_related("thread__circle", "thread__meeting", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not permissions.can_read(actor, message.thread):
        raise ObjectDoesNotExist("No such message.")
    if not permissions.can_report(actor, message):
        raise Refused("forbidden", "You can't report this message.")
    thread = message.thread
    with transaction.atomic():
        before = Report.objects.filter(
            reporter=actor,
            content_type=ContentType.objects.get_for_model(FollowUpMessage),
            object_id=message.pk,
            state=Report.State.OPEN,
        ).exists()
        report = moderation_actions.file_report(
            actor,
            target=message,
            reason=reason,
            note=note,
            circle=thread.circle,
            snapshot={
                "text": message.text,
                "author_display_name": display_name_of(message.author),
                "author_user_id": message.author_id,
                "meeting_id": thread.meeting_id,
                "meeting_title": thread.meeting.title if thread.meeting else "",
                "circle_name": thread.circle.name,
                "created_at": message.created_at,
            },
        )
        if not before:
            moderation_actions.record_action(
                actor=actor,
                action="meetings.follow_up.reported",
                # Not ``target_user``: the author would see it among the actions about
                # them and learn that someone in a small thread reported them. The
                # report names them for moderators.
                target_user=None,
                circle=thread.circle,
                meeting_id=thread.meeting_id,
                report=report,
                extra={"follow_up_id": thread.pk, "message_id": message.pk},
            )
    return report


# --- Moderation's content handler ------------------------------------------------------------


def hide_message(message_id: int, actor) -> None:
    """Hide a reported message in its thread. Safe to repeat. Moderation writes the entry."""
    with transaction.atomic():
        message = FollowUpMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise ObjectDoesNotExist("That message no longer exists.")
        if message.hidden_at is None:
            message.hidden_at = timezone.now()
            message.save(update_fields=["hidden_at"])


def describe_message(message_id: int) -> dict:
    message = FollowUpMessage.objects.filter(pk=message_id).first()
    if message is None:
        return {"exists": False, "hidden": False}
    return {"exists": True, "hidden": message.hidden_at is not None}


# --- Retention ---------------------------------------------------------------------------


def purge_closed_follow_ups(now=None) -> int:
    """Delete threads closed more than ``HEARTH_FOLLOW_UP_RETENTION_DAYS`` ago, with their
    messages. Reports keep their own snapshots. Safe to run twice at once."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.HEARTH_FOLLOW_UP_RETENTION_DAYS)
    deleted, _ = FollowUp.objects.filter(closed_at__lte=cutoff).delete()
    if deleted:
        logger.info("meetings.follow_up.purged rows=%s", deleted)
    return deleted
