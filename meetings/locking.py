"""The meeting's row lock: every RSVP, edit, check-in and agreement of a meeting serialises
on it. One function, so every caller fails the same way when the meeting is gone."""

from circles.models import Circle
from hearth.refusal import Refused
from meetings.models import Meeting


def lock_meeting(meeting_id: int, *, circle: Circle | None = None) -> Meeting:
    """The meeting (with its circle) under its row lock, or ``Refused("not_found")``.

    Must be called inside ``transaction.atomic()``. Locks only the meeting row, not its
    circle (``of=("self",)``). A caller that has just read the meeting's ``circle`` may
    pass it: the lock does not cover the circle, so reading it again would be no fresher,
    and the circle keeps what it has cached for the request (the member's membership).
    """
    meetings = Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting_id)
    if circle is None:
        meetings = meetings.select_related("circle")
    meeting = meetings.first()
    if meeting is None or (circle is not None and meeting.circle_id != circle.pk):
        raise Refused("not_found", "We couldn't find that meeting.")
    if circle is not None:
        meeting.circle = circle
    return meeting
