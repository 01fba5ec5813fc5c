"""The reasons that may open a follow-up, found from what a URL or a form names.

A reason is named by a ``source`` and an id: ``event`` (a safety event about the member:
a support request from the room or over HTTP, a share that matched a crisis phrase, an
"at risk" report, a much-lower check-out) or ``asked`` / ``lower`` (one of the member's
check-ins: "check in with me", or a leaving answer two points or more below the arriving
one). ``find_reason`` returns ``None`` for anything else, so a made-up reason is a 404.
"""

from dataclasses import dataclass

from meetings.models import Meeting
from meetings.wellbeing import insights
from meetings.wellbeing.models import CheckIn
from moderation.models import SafetyEvent

SOURCES = ("event", "asked", "lower")


@dataclass(frozen=True)
class Reason:
    source: str
    source_id: int
    kind: str  # FollowUp.Reason
    member: object
    circle: object
    meeting: Meeting | None
    safety_event: SafetyEvent | None = None
    check_in: CheckIn | None = None

    @property
    def key(self) -> str:
        return f"{self.source}-{self.source_id}"


def _positive(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def find_reason(source: str, source_id) -> Reason | None:
    pk = _positive(source_id)
    if pk is None or source not in SOURCES:
        return None
    if source == "event":
        event = SafetyEvent.objects.select_related("user", "circle").filter(pk=pk).first()
        if event is None or event.user is None or event.circle is None:
            return None
        meeting = (
            Meeting.objects.select_related("circle").filter(pk=event.meeting_id).first()
            if event.meeting_id
            else None
        )
        if meeting is not None and meeting.circle_id != event.circle_id:
            return None
        return Reason(
            "event", pk, event.kind, event.user, event.circle, meeting, safety_event=event
        )
    check_in = CheckIn.objects.select_related("user", "meeting__circle").filter(pk=pk).first()
    if check_in is None:
        return None
    meeting = check_in.meeting
    if source == "asked":
        if not check_in.wants_check_in:
            return None
        kind = "asked"
    else:
        if check_in.moment != CheckIn.Moment.LEAVING:
            return None
        arriving = CheckIn.objects.filter(
            meeting=meeting, user=check_in.user, moment=CheckIn.Moment.ARRIVING
        ).first()
        if arriving is None or not insights.is_much_lower(arriving.score, check_in.score):
            return None
        kind = "much_lower"
    return Reason(source, pk, kind, check_in.user, meeting.circle, meeting, check_in=check_in)
