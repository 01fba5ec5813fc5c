"""Read-side helpers: who attended, what the toolbox shows, a member's own history."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from circles.models import Circle, Membership
from meetings.models import RSVP, Meeting, Room
from meetings.wellbeing import insights
from meetings.wellbeing.models import CheckIn, SavedStrategy, Strategy

# Only recent meetings are looked at to decide whether someone attended.
ATTENDANCE_LOOKBACK = 50


def ended_meetings(circle: Circle, now=None) -> QuerySet[Meeting]:
    """The circle's meetings that are over (ended, or past their scheduled end), newest first."""
    now = now or timezone.now()
    over = Q(status=Meeting.Status.ENDED) | (
        ~Q(status=Meeting.Status.CANCELLED) & Q(starts_at__lte=now)
    )
    candidates = Meeting.objects.filter(over, circle=circle).order_by("-starts_at")
    return candidates


def attended_meetings(user, circle: Circle, now=None) -> list[Meeting]:
    """Meetings of ``circle`` that are over and that ``user`` attended, newest first.

    Attended: answered ``going``, checked in or out, or took a seat in the room.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    recent = [m for m in ended_meetings(circle, now)[:ATTENDANCE_LOOKBACK] if _is_over(m, now)]
    if not recent:
        return []
    ids = [m.pk for m in recent]
    present = set(
        RSVP.objects.filter(
            meeting_id__in=ids, user=user, response=RSVP.Response.GOING
        ).values_list("meeting_id", flat=True)
    )
    present |= set(
        CheckIn.objects.filter(meeting_id__in=ids, user=user).values_list("meeting_id", flat=True)
    )
    for meeting_id, state in Room.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "state"
    ):
        participants = (state or {}).get("participants") or []
        if any(p.get("user_id") == user.pk for p in participants if isinstance(p, dict)):
            present.add(meeting_id)
    return [m for m in recent if m.pk in present]


def _is_over(meeting: Meeting, now) -> bool:
    return meeting.status == Meeting.Status.ENDED or now >= meeting.ends_at


def toolbox(circle: Circle, *, text: str = "", tag: str = "") -> QuerySet[Strategy]:
    """The approved, visible strategies of ``circle``, most helpful first."""
    strategies = Strategy.objects.filter(
        circle=circle, state=Strategy.State.APPROVED, hidden_at__isnull=True
    )
    if tag:
        strategies = strategies.filter(tag=tag)
    for word in text.split()[:8]:
        strategies = strategies.filter(text__icontains=word)
    return strategies


def pending_strategies(circle: Circle) -> QuerySet[Strategy]:
    return (
        Strategy.objects.filter(circle=circle, state=Strategy.State.PENDING, hidden_at__isnull=True)
        .select_related("author", "meeting")
        .order_by("created_at", "pk")
    )


def answers_for(meeting: Meeting) -> list[insights.Answer]:
    """The meeting's check-ins as the pure ``insights.Answer`` values, in answer order."""
    return [
        insights.Answer(person=user_id, moment=moment, score=score, wants_check_in=wants)
        for user_id, moment, score, wants in CheckIn.objects.filter(meeting=meeting)
        .order_by("created_at", "pk")
        .values_list("user_id", "moment", "score", "wants_check_in")
    ]


def history(user, limit: int = 10) -> list[dict]:
    """A member's own check-ins, one row per meeting, newest first."""
    rows: dict[int, dict] = {}
    check_ins = (
        CheckIn.objects.filter(user=user)
        .select_related("meeting", "meeting__circle")
        .order_by("-meeting__starts_at", "moment")
    )
    for check_in in check_ins:
        row = rows.get(check_in.meeting_id)
        if row is None:
            if len(rows) >= limit:
                break
            row = rows[check_in.meeting_id] = {
                "meeting": check_in.meeting,
                "arriving": None,
                "leaving": None,
            }
        row[check_in.moment] = check_in
    return list(rows.values())


def dashboard_strategies(user) -> list[Strategy]:
    """In one query, for ``/me/``: the strategies ``user`` saved (``saved_at`` set), wrote,
    or could review (``reviewable``: pending in a circle they facilitate or host)."""
    facilitates = Membership.objects.filter(
        user=user,
        circle=OuterRef("circle"),
        state=Membership.State.ACTIVE,
        role__in=[Membership.Role.FACILITATOR, Membership.Role.HOST],
    )
    saved_at = SavedStrategy.objects.filter(user=user, strategy=OuterRef("pk")).values(
        "created_at"
    )[:1]
    return list(
        Strategy.objects.annotate(saved_at=Subquery(saved_at), reviewable=Exists(facilitates))
        .filter(
            Q(author=user)
            | Q(saved_at__isnull=False)
            | Q(reviewable=True, state=Strategy.State.PENDING, hidden_at__isnull=True)
        )
        .select_related("circle")
        .order_by("pk")[:200]
    )


def saved_strategies(user) -> list[SavedStrategy]:
    return list(
        SavedStrategy.objects.filter(user=user, strategy__hidden_at__isnull=True)
        .exclude(strategy__state=Strategy.State.REJECTED)
        .select_related("strategy", "strategy__circle")
    )
