"""Who may check in, see a meeting's insights, use and review a circle's toolbox, and
whether someone has yet to confirm the agreements for a meeting.

``can_*`` never raise; ``why_not_*`` return the refusal a member can read (``None``: they
may); ``check_*`` raise ``Refused("forbidden")`` with it. Roles come from
``meetings.permissions`` and ``circles.permissions``; nothing here re-derives them.
"""

from datetime import timedelta

from django.utils import timezone

from circles import permissions as circle_permissions
from circles.models import Circle
from hearth.refusal import Refused
from meetings import permissions as meeting_permissions
from meetings.models import Meeting
from meetings.wellbeing.models import CheckIn, MeetingAgreement, Strategy

# How long after the room closes a member may still say how they left. The group's
# figures appear only once this has passed, so no answer can be picked out as it arrives.
CHECK_OUT_WINDOW = timedelta(hours=2)


def _now(now):
    return now or timezone.now()


# --- Check-in and check-out -----------------------------------------------------------


def meeting_is_over(meeting: Meeting, now=None) -> bool:
    """Ended by a facilitator, or past its scheduled end (and never cancelled)."""
    if meeting.status == Meeting.Status.CANCELLED:
        return False
    return meeting.status == Meeting.Status.ENDED or _now(now) >= meeting.ends_at


def check_out_closes_at(meeting: Meeting):
    return meeting.closes_at + CHECK_OUT_WINDOW


def check_in_is_open(meeting: Meeting, moment: str, now=None) -> bool:
    """Arriving: while the room is open. Leaving: from the start until ``CHECK_OUT_WINDOW``
    after the room closes. An answer can be changed for as long as its window is open."""
    now = _now(now)
    if moment == CheckIn.Moment.ARRIVING:
        return meeting.room_is_open(now)
    if moment == CheckIn.Moment.LEAVING:
        # From the scheduled start, or from when a facilitator started (or ended) the
        # meeting if that came first, until the window after the room closes.
        begun = meeting.starts_at <= now or meeting.status in (
            Meeting.Status.LIVE,
            Meeting.Status.ENDED,
        )
        return (
            meeting.status != Meeting.Status.CANCELLED
            and begun
            and now < check_out_closes_at(meeting)
        )
    return False


def check_out_offered(user, meeting: Meeting, now=None) -> bool:
    """Whether the room page carries the check-out form (hidden until the room ends): for
    everyone who may enter the room, however early they loaded the page, until the
    check-out window closes. ``can_check_in(..., "leaving")`` is "open right now"."""
    return (
        meeting_permissions.can_enter_room(user, meeting)
        and meeting.status != Meeting.Status.CANCELLED
        and _now(now) < check_out_closes_at(meeting)
    )


def why_not_check_in(user, meeting: Meeting, moment: str, now=None) -> str | None:
    if not meeting_permissions.can_enter_room(user, meeting):
        return "Only the people in this meeting's room can answer."
    if moment not in CheckIn.Moment.values:
        return "Choose whether you are arriving or leaving."
    if check_in_is_open(meeting, moment, now):
        return None
    if meeting.status == Meeting.Status.CANCELLED:
        return "This meeting was cancelled."
    if moment == CheckIn.Moment.ARRIVING:
        if _now(now) < meeting.opens_at:
            return "The room isn't open yet; you can say how you're arriving when it opens."
        return "The meeting is over, so it no longer asks how you arrived."
    if _now(now) < meeting.starts_at:
        return "The meeting hasn't started yet."
    return "Check-out for this meeting has closed."


def can_check_in(user, meeting: Meeting, moment: str, now=None) -> bool:
    return why_not_check_in(user, meeting, moment, now) is None


def check_check_in(user, meeting: Meeting, moment: str, now=None) -> None:
    reason = why_not_check_in(user, meeting, moment, now)
    if reason is not None:
        raise Refused("forbidden", reason)


# --- Insights -----------------------------------------------------------------------------


def can_view_insights(user, meeting: Meeting) -> bool:
    """The meeting's facilitators and the circle's facilitators and hosts. Not site staff:
    they have no part in the circle's care."""
    return meeting_permissions.can_facilitate_meeting(user, meeting)


def check_view_insights(user, meeting: Meeting) -> None:
    if not can_view_insights(user, meeting):
        raise Refused("forbidden", "Only this meeting's facilitators and the circle's hosts can.")


def insights_are_open(meeting: Meeting, now=None) -> bool:
    """The insights page opens once the meeting is over (follow-ups show from then)."""
    return meeting_is_over(meeting, now)


def figures_are_ready(meeting: Meeting, now=None) -> bool:
    """The group's figures show once nobody can answer any more."""
    return meeting_is_over(meeting, now) and _now(now) >= check_out_closes_at(meeting)


# --- Per-meeting agreement ----------------------------------------------------------------


def needs_meeting_agreement(user, meeting: Meeting) -> bool:
    """Whether ``user`` has yet to confirm the circle's current agreements for ``meeting``
    (once per meeting, again if the agreements change). Members, facilitators and hosts are
    asked; site staff entering to moderate are not; a circle without agreements asks
    nothing; someone who may not enter is not asked either. Only members are held at the
    door until they confirm (``meetings.room.entry``): facilitators and hosts may confirm
    but enter either way."""
    role = meeting_permissions.room_role(user, meeting)
    if role is None or role == "staff":
        return False
    version = meeting.circle.agreements_version
    if not version or not meeting.circle.agreement_versions.filter(version=version).exists():
        return False
    return not MeetingAgreement.objects.filter(meeting=meeting, user=user, version=version).exists()


def why_not_confirm_agreement(user, meeting: Meeting, now=None) -> str | None:
    if not meeting_permissions.can_enter_room(user, meeting):
        return "Only the people in this meeting's room confirm its agreements."
    if meeting.status == Meeting.Status.CANCELLED:
        return "This meeting was cancelled."
    if meeting.status == Meeting.Status.ENDED or _now(now) >= meeting.closes_at:
        return "This meeting is over."
    return None


# --- The coping toolbox -----------------------------------------------------------------


def can_view_toolbox(user, circle: Circle) -> bool:
    """Active members of the circle browse its toolbox; site staff may look, to moderate."""
    return circle_permissions.can_view_members(user, circle)


def check_view_toolbox(user, circle: Circle) -> None:
    if not can_view_toolbox(user, circle):
        raise Refused("forbidden", "The toolbox is for the circle's members.")


def can_use_toolbox(user, circle: Circle) -> bool:
    """Mark helpful, save and report: active members."""
    return circle_permissions.is_active_member(user, circle)


def check_use_toolbox(user, circle: Circle) -> None:
    if not can_use_toolbox(user, circle):
        raise Refused("forbidden", "Only active members of the circle can do that.")


def can_review_strategies(user, circle: Circle) -> bool:
    """Hosts and facilitators approve strategies; site staff can too."""
    return circle_permissions.can_facilitate(user, circle) or circle_permissions.is_staff(user)


def check_review_strategies(user, circle: Circle) -> None:
    if not can_review_strategies(user, circle):
        raise Refused("forbidden", "Only the circle's hosts and facilitators review strategies.")


def why_not_add_strategy(user, circle: Circle, now=None) -> str | None:
    """Active members who attended a meeting of the circle that is over."""
    from meetings.wellbeing.queries import attended_meetings

    if not circle_permissions.is_active_member(user, circle):
        return "Only active members of the circle can add to its toolbox."
    if not attended_meetings(user, circle, now=now):
        return "You can add a strategy after you have attended one of this circle's meetings."
    return None


def can_add_strategy(user, circle: Circle, now=None) -> bool:
    return why_not_add_strategy(user, circle, now) is None


def can_see_strategy(user, strategy: Strategy) -> bool:
    """Members see the approved toolbox; authors their own; reviewers everything."""
    circle = strategy.circle
    if can_review_strategies(user, circle):
        return True
    if not can_view_toolbox(user, circle):
        return False
    if strategy.is_visible:
        return True
    return strategy.author_id is not None and strategy.author_id == getattr(user, "pk", None)
