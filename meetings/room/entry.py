"""Who may enter a meeting's room, in one function: ``entry_for(user, meeting)``.

The room's page and its socket both ask it, so they never disagree. The answer is an
``Entry``: the person's room role (``None``: they may not be in the room at all), and the
close code that keeps their socket out right now (``None``: it may open). In order:

1. 4401: not logged in.
2. 4404: no such meeting, or one they may not see (``meetings.permissions.can_view_meeting``,
   exactly as over HTTP), so a banned member learns nothing about it.
3. 4403: no room role (``meetings.permissions.room_role``): the circle's hosts, the meeting's
   facilitators, site staff and active members going to it have one; a member muted in the
   circle has none until the mute ends.
4. 4409: the room is not open now (``Meeting.room_is_open``: before it opens, after it
   closes, cancelled or ended).
5. 4412: a member (room role ``member``) who has not confirmed the circle's agreements for
   this meeting (``needs_meeting_agreement``). Facilitators, hosts and staff are never held.

The page shows the lobby to anyone with a role (closed rooms and unconfirmed agreements
included) and answers 404 or 403 otherwise; the socket closes with the code. Once in, the
room's own state may still refuse a join (``close_code_for_join``): someone removed from
this meeting (4403), a locked or ended room (4409).
"""

from dataclasses import dataclass

from hearth.refusal import Refused
from meetings.models import Meeting
from meetings.permissions import can_view_meeting, room_role
from meetings.room.frames import Close
from meetings.wellbeing.permissions import needs_meeting_agreement

NOT_IN_THE_ROOM = (
    "The room is for the circle's members who said they are going, the meeting's "
    "facilitators, the circle's hosts and site staff."
)
REASONS = {
    Close.NOT_LOGGED_IN: "Please log in to join the circle.",
    Close.NOT_FOUND: "There's no such meeting.",
    Close.FORBIDDEN: NOT_IN_THE_ROOM,
    Close.NOT_OPEN: "The room isn't open right now.",
    Close.AGREEMENT_NEEDED: "Please confirm the circle's agreements for this meeting first.",
}


@dataclass(frozen=True)
class Entry:
    """``role``: the person's room role, ``None`` if they may not be in the room at all.
    ``close_code``: why their socket may not open now, ``None`` if it may."""

    role: str | None
    close_code: int | None = None

    @property
    def reason(self) -> str:
        """Words for a person, or ``""`` when they may enter."""
        return REASONS.get(self.close_code, "")


def entry_for(user, meeting: Meeting | None, now=None) -> Entry:
    """May ``user`` enter ``meeting``'s room (``None``: no such meeting), and if not, why."""
    if user is None or not user.is_authenticated:
        return Entry(None, Close.NOT_LOGGED_IN)
    if meeting is None or not can_view_meeting(user, meeting):
        return Entry(None, Close.NOT_FOUND)
    role = room_role(user, meeting)
    if role is None:
        return Entry(None, Close.FORBIDDEN)
    if not meeting.room_is_open(now):
        return Entry(role, Close.NOT_OPEN)
    if role == "member" and needs_meeting_agreement(user, meeting):
        return Entry(role, Close.AGREEMENT_NEEDED)
    return Entry(role)


def close_code_for_join(refusal: Refused) -> int:
    """The close code for a join the room's state refused (``store.join``): someone
    removed from this meeting is not allowed in; a locked or ended room is not open."""
    return Close.FORBIDDEN if refusal.code == "removed" else Close.NOT_OPEN
