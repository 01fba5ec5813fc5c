"""Who may open, read, reply to, close and report a follow-up.

``why_not_*`` return a refusal a person can read (``None``: they may); ``can_*`` never
raise. Roles come from ``circles.permissions``, ``meetings.permissions`` and
``meetings.wellbeing.permissions``; nothing here re-derives them.

- **Open**: only from a reason (``meetings.followups.reasons``) about someone else, by
  the meeting's facilitators or the circle's facilitators and hosts; for a safety event
  also site staff (they see it in the moderation queue). Check-in reasons only once the
  meeting's insights page is open. Never when the member turned follow-ups off, left the
  circle, already has an open thread in the circle, or this reason was followed up.
- **Read**: the member, the circle's facilitators and hosts, the meeting's facilitators;
  staff only when a message in it was reported, or they opened it.
- **Reply / close**: whoever may read, except staff who only read it because of a
  report; only while the thread is open. Nobody reopens a closed thread.
- **Report** a message: whoever may reply, except its author.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from circles import permissions as circle_permissions
from meetings import permissions as meeting_permissions
from meetings.followups.models import FollowUp, FollowUpMessage
from meetings.followups.reasons import Reason
from meetings.wellbeing import permissions as wellbeing_permissions
from moderation import permissions as moderation_permissions
from moderation.models import Report

NO_DIRECT_MESSAGES = (
    "Hearth has no private messages between members. A follow-up can only be opened by "
    "the circle's facilitators, from a reason such as a request for support."
)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def member_allows_follow_ups(member) -> bool:
    return member is not None and member.is_active and not member.no_follow_ups


def may_reach_out(user, reason: Reason) -> bool:
    """Whether ``user`` has a part in this reason's care (before any other condition)."""
    if not _authenticated(user):
        return False
    if reason.check_in is not None:
        return wellbeing_permissions.can_view_insights(user, reason.meeting)
    if reason.meeting is not None and meeting_permissions.can_facilitate_meeting(
        user, reason.meeting
    ):
        return True
    if circle_permissions.can_facilitate(user, reason.circle):
        return True
    return moderation_permissions.can_follow_up(user, reason.safety_event)


def open_thread_for(member, circle) -> FollowUp | None:
    if member is None:
        return None
    return FollowUp.objects.filter(member=member, circle=circle, closed_at__isnull=True).first()


def thread_for_reason(reason: Reason) -> FollowUp | None:
    if reason.safety_event is not None:
        return FollowUp.objects.filter(safety_event=reason.safety_event).first()
    return FollowUp.objects.filter(check_in=reason.check_in, reason=reason.kind).first()


def why_not_open(user, reason: Reason) -> str | None:
    if not may_reach_out(user, reason):
        return NO_DIRECT_MESSAGES
    member = reason.member
    if member.pk == user.pk:
        return "You can't open a follow-up with yourself."
    if not member.is_active:
        return f"{member.display_name}'s account is not active just now."
    if not member_allows_follow_ups(member):
        return (
            f"{member.display_name} asked not to be contacted after meetings. "
            "Their reasons stay on this page; please respect their wish."
        )
    if not circle_permissions.is_active_member(member, reason.circle):
        return f"{member.display_name} is no longer in this circle."
    if reason.check_in is not None and not wellbeing_permissions.insights_are_open(reason.meeting):
        return "You can follow this up once the meeting is over."
    done = thread_for_reason(reason)
    if done is not None:
        return f"{done.opened_by_name} already followed this up."
    if open_thread_for(member, reason.circle) is not None:
        return f"{member.display_name} already has an open follow-up in this circle."
    return None


def can_open(user, reason: Reason) -> bool:
    return why_not_open(user, reason) is None


# --- Threads ------------------------------------------------------------------------------


def was_reported(thread: FollowUp) -> bool:
    content_type = ContentType.objects.get_for_model(FollowUpMessage)
    ids = thread.messages.values("pk")
    return Report.objects.filter(content_type=content_type, object_id__in=ids).exists()


def circle_side_role(user, circle, meeting=None) -> str | None:
    """``host`` or ``facilitator`` when ``user`` cares for the circle (or this meeting)."""
    if not _authenticated(user):
        return None
    membership = circle_permissions.membership_of(user, circle)
    if membership is not None and membership.is_active and membership.is_host:
        return "host"
    if circle_permissions.can_facilitate(user, circle):
        return "facilitator"
    if meeting is not None and meeting_permissions.is_meeting_facilitator(user, meeting):
        return "facilitator"
    return None


def author_role(user, circle, meeting=None) -> str:
    """The role shown next to a message by someone on the circle's side."""
    return circle_side_role(user, circle, meeting) or (
        "staff" if circle_permissions.is_staff(user) else "facilitator"
    )


def thread_role(user, thread: FollowUp) -> str | None:
    """``member``, ``host``, ``facilitator``, ``staff`` (may read) or ``None``."""
    if not _authenticated(user):
        return None
    if thread.member_id is not None and thread.member_id == user.pk:
        return "member"
    role = circle_side_role(user, thread.circle, thread.meeting)
    if role is not None:
        return role
    if circle_permissions.is_staff(user) and (
        thread.opened_by_id == user.pk or was_reported(thread)
    ):
        return "staff"
    return None


def can_read(user, thread: FollowUp) -> bool:
    return thread_role(user, thread) is not None


def _takes_part(user, thread: FollowUp) -> bool:
    role = thread_role(user, thread)
    if role == "staff":
        return thread.opened_by_id == user.pk
    return role is not None


def why_not_reply(user, thread: FollowUp) -> str | None:
    if not _takes_part(user, thread):
        return "Only the people in this follow-up can write in it."
    if not thread.is_open:
        return "This follow-up is closed. Nobody can write in it any more."
    return None


def can_reply(user, thread: FollowUp) -> bool:
    return why_not_reply(user, thread) is None


def can_close(user, thread: FollowUp) -> bool:
    return thread.is_open and _takes_part(user, thread)


def can_report(user, message: FollowUpMessage) -> bool:
    return message.author_id != user.pk and _takes_part(user, message.thread)


def get_thread_for(user, thread_id) -> FollowUp:
    """The thread, or ``Http404`` when it does not exist or ``user`` may not read it."""
    try:
        pk = int(thread_id)
    except (TypeError, ValueError):
        raise Http404("No such follow-up.") from None
    if not 0 < pk < 2**63:
        raise Http404("No such follow-up.")
    thread = (
        FollowUp.objects.select_related("circle", "meeting", "member", "opened_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if thread is None or not can_read(user, thread):
        raise Http404("No such follow-up.")
    return thread
