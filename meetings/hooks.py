"""What meetings plugs into the lower apps at start-up (see ``MeetingsConfig.ready``)."""

from django.urls import reverse

from circles import permissions as circle_permissions
from circles.models import Membership
from meetings import actions, permissions, queries
from meetings.models import RSVP, Meeting, Notification
from meetings.room import data as room_data
from meetings.room import system

next_meeting_times = queries.next_meeting_times

WITHDRAWING_ACTIONS = {"circles.member.left", "circles.member.removed", "circles.member.banned"}
ROOM_REMOVING_ACTIONS = {"circles.member.removed", "circles.member.banned"}
ROOM_MUTING_ACTIONS = {"circles.member.muted", "circles.member.unmuted"}


def circle_panel(request, circle) -> dict:
    """The circle page's "upcoming meetings" panel. A private circle's meetings are listed
    only to those who may open them."""
    user = request.user
    visible = circle_permissions.can_view_meetings(user, circle) or (
        not user.is_authenticated and circle_permissions.meetings_are_public(circle)
    )
    return {
        "meetings": queries.upcoming_for_circle(circle) if visible else [],
        "meetings_hidden": not visible,
        "can_schedule": permissions.can_schedule(user, circle),
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
    """Keep meetings and open rooms in step with the circle (sent after commit): someone
    who left or was removed or banned gives up their places, and is taken out of open
    rooms when removed or banned; a mute in the circle reaches open rooms at once."""
    if membership is None:
        return
    if action in ROOM_REMOVING_ACTIONS:
        system.remove_from_live_rooms(membership.user_id, membership.circle_id)
    elif action in ROOM_MUTING_ACTIONS:
        muted = action == "circles.member.muted"
        system.set_muted_in_live_rooms(membership.user_id, membership.circle_id, muted)
    if action in WITHDRAWING_ACTIONS and membership.state != Membership.State.ACTIVE:
        actions.withdraw_member(membership.user, membership.circle)


def on_user_deleted(sender, instance=None, **kwargs):
    """Before an account is deleted (its RSVPs go with it), give its places to the waitlist
    so the meetings' going counts stay right."""
    if instance is not None and instance.pk is not None:
        actions.withdraw_member(instance)
        room_data.forget_user(instance)


def meetings_by_id(ids: set[int]) -> dict[int, dict]:
    """Moderation's queue names a safety event's meeting: its title and page."""
    rows = Meeting.objects.filter(pk__in=ids).values_list("pk", "title")
    return {
        pk: {"title": title, "url": reverse("meetings:detail", args=[pk])} for pk, title in rows
    }
