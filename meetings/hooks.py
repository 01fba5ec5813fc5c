"""What meetings plugs into the lower apps at start-up (see ``MeetingsConfig.ready``)."""

from circles.models import Membership
from meetings import actions, permissions, queries
from meetings.models import RSVP, Notification

next_meeting_times = queries.next_meeting_times

WITHDRAWING_ACTIONS = {"circles.member.left", "circles.member.removed", "circles.member.banned"}


def circle_panel(request, circle) -> dict:
    """The circle page's "upcoming meetings" panel."""
    return {
        "meetings": queries.upcoming_for_circle(circle),
        "can_schedule": permissions.can_schedule(request.user, circle),
        "circle": circle,
    }


def dashboard_panel(request) -> dict:
    return queries.dashboard(request.user)


def export_rsvps(user) -> list[dict]:
    return [
        {
            "meeting": entry.meeting.title,
            "circle": entry.meeting.circle.name,
            "starts_at": entry.meeting.starts_at.isoformat(),
            "response": entry.response,
            "waitlisted_at": entry.waitlisted_at.isoformat() if entry.waitlisted_at else None,
            "answered_at": entry.created_at.isoformat(),
        }
        for entry in RSVP.objects.filter(user=user).select_related("meeting", "meeting__circle")
    ]


def export_notifications(user) -> list[dict]:
    return [
        {
            "kind": notification.kind,
            "text": notification.text,
            "created_at": notification.created_at.isoformat(),
            "read_at": notification.read_at.isoformat() if notification.read_at else None,
        }
        for notification in Notification.objects.filter(user=user)
    ]


def on_membership_changed(sender, membership=None, action="", **kwargs):
    """Someone who left or was removed or banned gives up their places (after commit)."""
    if membership is None or action not in WITHDRAWING_ACTIONS:
        return
    if membership.state == Membership.State.ACTIVE:
        return
    actions.withdraw_member(membership.user, membership.circle)


def on_user_deleted(sender, instance=None, **kwargs):
    """Before an account is deleted (its RSVPs go with it), give its places to the waitlist
    so the meetings' going counts stay right."""
    if instance is not None and instance.pk is not None:
        actions.withdraw_member(instance)
