"""The meeting's row lock: every RSVP, edit, check-in and agreement of a meeting serialises
on it. One function, so every caller fails the same way when the meeting is gone."""

from hearth.refusal import Refused
from meetings.models import Meeting


def lock_meeting(meeting_id: int) -> Meeting:
    """The meeting (with its circle) under its row lock, or ``Refused("not_found")``.

    Must be called inside ``transaction.atomic()``. Locks only the meeting row, not its
    circle (``of=("self",)``).
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("circle")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Refused("not_found", "We couldn't find that meeting.")
    return meeting
