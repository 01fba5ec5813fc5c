"""Who may do what with a meeting. Views, templates, tasks, the room and the admin ask here.

Every ``can_*`` takes the user first (possibly anonymous) and never raises; ``check_*``
raise ``Refused("forbidden")`` with a message a member can read, and ``get_meeting_for``
raises ``Http404`` for a meeting the user may not see (so its existence is not leaked).

Roles come from the circle (``circles.permissions``): facilitators and hosts of a circle
run its meetings; a meeting also names its own facilitators. Only *active* memberships
count: a member who left, was removed or banned has no say in the circle's meetings.
"""

from django.http import Http404
from django.utils import timezone

from circles import permissions as circle_permissions
from circles.models import Circle, Membership
from hearth.refusal import Refused
from meetings.models import RSVP, Meeting

ROOM_ROLES = ("member", "facilitator", "host", "staff")


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _active_membership(user, circle: Circle) -> Membership | None:
    membership = circle_permissions.membership_of(user, circle)
    return membership if membership is not None and membership.is_active else None


def is_meeting_facilitator(user, meeting: Meeting) -> bool:
    """Named as one of this meeting's facilitators and still active in its circle."""
    if not _authenticated(user) or _active_membership(user, meeting.circle) is None:
        return False
    cached = meeting.__dict__.get("_prefetched_objects_cache", {}).get("facilitators")
    if cached is not None:
        return any(person.pk == user.pk for person in cached)
    return meeting.facilitators.filter(pk=user.pk).exists()


def can_schedule(user, circle: Circle) -> bool:
    """Facilitators and hosts of the circle schedule its meetings, and site staff (who can
    do everything a host can, docs/circles.md)."""
    return circle_permissions.can_facilitate(user, circle) or circle_permissions.is_staff(user)


def can_facilitate_meeting(user, meeting: Meeting) -> bool:
    """The meeting's own facilitators, and the circle's facilitators and hosts."""
    return circle_permissions.can_facilitate(user, meeting.circle) or is_meeting_facilitator(
        user, meeting
    )


def can_manage_meeting(user, meeting: Meeting) -> bool:
    """Edit or cancel: whoever facilitates it, and site staff. Staff do not facilitate
    (they see no check-in insights, docs/wellbeing.md), but they can change a meeting as a
    host can."""
    return can_facilitate_meeting(user, meeting) or circle_permissions.is_staff(user)


def can_view_meeting(user, meeting: Meeting) -> bool:
    """Whoever may see the circle's meetings (``circles.permissions.can_view_meetings``):
    nobody banned, and only members and staff in an unlisted or invite-only circle."""
    return circle_permissions.can_view_meetings(user, meeting.circle)


def can_view_attendees(user, meeting: Meeting) -> bool:
    """Display names of who is going are for the circle's members (and staff) only."""
    return circle_permissions.can_view_members(user, meeting.circle)


def can_edit_meeting(user, meeting: Meeting) -> bool:
    """A cancelled or ended meeting is history: it is not edited any more."""
    return meeting.status == Meeting.Status.SCHEDULED and can_manage_meeting(user, meeting)


def can_cancel_meeting(user, meeting: Meeting) -> bool:
    return meeting.status == Meeting.Status.SCHEDULED and can_manage_meeting(user, meeting)


def meeting_accepts_rsvps(meeting: Meeting, now=None) -> bool:
    """Open for answers until it ends; never once cancelled or ended."""
    now = now or timezone.now()
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.ENDED):
        return False
    return now < meeting.ends_at


def can_rsvp(user, meeting: Meeting, now=None) -> bool:
    """Active members of the circle, while the meeting takes answers."""
    return (
        _authenticated(user)
        and _active_membership(user, meeting.circle) is not None
        and meeting_accepts_rsvps(meeting, now)
    )


def check_rsvp(user, meeting: Meeting, now=None) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise Refused("forbidden", "This meeting was cancelled, so it takes no answers.")
    if not meeting_accepts_rsvps(meeting, now):
        raise Refused("forbidden", "This meeting is over, so it takes no answers.")
    if not can_rsvp(user, meeting, now):
        raise Refused("forbidden", "Only active members of the circle can answer for its meetings.")


SCHEDULE_REFUSAL = (
    "Only the circle's facilitators and hosts (and site staff) can schedule meetings."
)
MANAGE_REFUSAL = "Only the meeting's facilitators, the circle's hosts and site staff can."


def check_schedule(user, circle: Circle) -> None:
    if not can_schedule(user, circle):
        raise Refused("forbidden", SCHEDULE_REFUSAL)


def check_manage_meeting(user, meeting: Meeting) -> None:
    if not can_manage_meeting(user, meeting):
        raise Refused("forbidden", MANAGE_REFUSAL)


def room_role(user, meeting: Meeting) -> str | None:
    """The role a person has in the meeting's talking circle, or ``None`` if they may not enter.

    Who may enter (issue 5): the circle's hosts (``"host"``), the meeting's facilitators
    (``"facilitator"``), site staff (``"staff"``), and active members of the circle whose
    RSVP is ``going`` (``"member"``). When several apply, the first in that order wins.
    Members muted in the circle may not enter until the mute ends; members who left, were
    removed or banned may not either, unless they are site staff.
    This says *who*; the whole entry rule (the room open, the agreements confirmed, the close
    code) is ``meetings.room.entry.entry_for``, which asks this.
    """
    if not _authenticated(user) or not user.is_active:
        return None
    membership = _active_membership(user, meeting.circle)
    if membership is not None and membership.is_host:
        return "host"
    if membership is not None and is_meeting_facilitator(user, meeting):
        return "facilitator"
    if circle_permissions.is_staff(user):
        return "staff"
    if (
        membership is not None
        and not membership.is_muted()
        and RSVP.objects.filter(meeting=meeting, user=user, response=RSVP.Response.GOING).exists()
    ):
        return "member"
    return None


def can_enter_room(user, meeting: Meeting) -> bool:
    """Whether the person may be in the room at all (see ``room_role``)."""
    return room_role(user, meeting) is not None


def is_room_moderator(role: str | None) -> bool:
    """Facilitators, hosts and staff hold the room's controls."""
    return role in ("facilitator", "host", "staff")


def get_meeting_for(user, meeting_id) -> Meeting:
    """The meeting with its circle, or ``Http404`` when it does not exist or the user may not
    see it. ``meeting_id`` may come straight from a URL or a frame: anything that is not a
    positive integer is a 404 too."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        raise Http404("No such meeting.") from None
    if not 0 < meeting_id < 2**63:
        raise Http404("No such meeting.")
    meeting = Meeting.objects.select_related("circle").filter(pk=meeting_id).first()
    if meeting is None or not can_view_meeting(user, meeting):
        raise Http404("No such meeting.")
    return meeting
