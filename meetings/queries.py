"""Read-side helpers for pages: each runs a fixed number of queries, whatever the data."""

from datetime import timedelta

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings import permissions
from meetings.models import RSVP, Meeting, Notification
from meetings.room import store

UPCOMING_STATUSES = (Meeting.Status.SCHEDULED, Meeting.Status.LIVE)
LONGEST_MEETING = timedelta(minutes=240 + 30)


def meeting_page(meeting: Meeting, user) -> dict:
    """Everything the meeting page shows. Expects ``meeting`` fetched with its circle."""
    facilitators = list(meeting.facilitators.order_by("display_name"))
    facilitator_ids = {person.pk for person in facilitators}
    counts = RSVP.objects.filter(meeting=meeting).aggregate(
        going=Count("pk", filter=Q(response=RSVP.Response.GOING)),
        waiting=Count("pk", filter=Q(response=RSVP.Response.WAITLISTED)),
    )
    mine = RSVP.objects.filter(meeting=meeting, user=user).first()
    position = None
    if mine is not None and mine.response == RSVP.Response.WAITLISTED:
        position = (
            RSVP.objects.filter(meeting=meeting, response=RSVP.Response.WAITLISTED)
            .filter(
                Q(waitlisted_at__lt=mine.waitlisted_at)
                | Q(waitlisted_at=mine.waitlisted_at, pk__lt=mine.pk)
            )
            .count()
            + 1
        )
    show_names = permissions.can_view_attendees(user, meeting)
    going_names = waiting_names = []
    if show_names:
        people = list(
            RSVP.objects.filter(
                meeting=meeting, response__in=[RSVP.Response.GOING, RSVP.Response.WAITLISTED]
            )
            .select_related("user")
            .order_by("waitlisted_at", "created_at", "pk")
        )
        going_names = [
            entry.user.display_name for entry in people if entry.response == RSVP.Response.GOING
        ]
        waiting_names = [
            entry.user.display_name
            for entry in people
            if entry.response == RSVP.Response.WAITLISTED
        ]
    meeting._prefetched_objects_cache = {"facilitators": facilitators}
    role = permissions.room_role(user, meeting) if meeting.room_is_open() else None
    return {
        "meeting": meeting,
        "facilitators": facilitators,
        "going_count": counts["going"],
        "waiting_count": counts["waiting"],
        "places_left": (
            max(meeting.capacity - meeting.going_count, 0) if meeting.capacity is not None else None
        ),
        "show_names": show_names,
        "going_names": going_names,
        "waiting_names": waiting_names,
        "my_rsvp": mine,
        "waitlist_position": position,
        # A meeting's facilitator is always in it: they are never asked "going?".
        "can_rsvp": permissions.can_rsvp(user, meeting)
        and not meeting_facilitator(user, facilitator_ids),
        "can_edit": permissions.can_edit_meeting(user, meeting),
        "can_cancel": permissions.can_cancel_meeting(user, meeting),
        "room_open": meeting.room_is_open(),
        "can_enter_room": role is not None,
        "is_facilitator": meeting_facilitator(user, facilitator_ids),
    }


def meeting_facilitator(user, facilitator_ids) -> bool:
    return getattr(user, "pk", None) in facilitator_ids


def _waitlist_position():
    ahead = RSVP.objects.filter(
        meeting=OuterRef("meeting"), response=RSVP.Response.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
        | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
    )
    return Coalesce(
        Subquery(
            ahead.order_by().values("meeting").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def dashboard(user, *, now=None) -> dict:
    """My next meetings, my waitlist places and my notifications: four queries."""
    now = now or timezone.now()
    going = RSVP.objects.filter(user=user, response=RSVP.Response.GOING).values("meeting_id")
    candidates = (
        Meeting.objects.filter(Q(pk__in=going) | Q(facilitators=user))
        .filter(status__in=UPCOMING_STATUSES, starts_at__gt=now - LONGEST_MEETING)
        .select_related("circle")
        .distinct()
        .order_by("starts_at")[:12]
    )
    next_meetings = [meeting for meeting in candidates if meeting.closes_at > now][:6]
    for meeting in next_meetings:
        meeting.open_now = meeting.room_is_open(now)
    waiting = list(
        RSVP.objects.filter(
            user=user,
            response=RSVP.Response.WAITLISTED,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gt=now,
        )
        .select_related("meeting", "meeting__circle")
        .annotate(ahead=_waitlist_position())
        .order_by("meeting__starts_at")[:10]
    )
    for entry in waiting:
        entry.position = entry.ahead + 1
    notifications = list(Notification.objects.filter(user=user)[:8])
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "next_meetings": next_meetings,
        "waitlisted": waiting,
        "notifications": notifications,
        "unread_count": unread,
        "now": now,
    }


def next_meeting_times(circle_ids) -> dict:
    """``{circle_id: start}`` of each circle's next scheduled meeting, in one query."""
    rows = (
        Meeting.objects.filter(
            circle_id__in=list(circle_ids),
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .values("circle_id")
        .annotate(next_start=Min("starts_at"))
        .order_by()
    )
    return {row["circle_id"]: row["next_start"] for row in rows}


def upcoming_for_circle(circle, limit: int = 5) -> list[Meeting]:
    now = timezone.now()
    meetings = Meeting.objects.filter(
        circle=circle, status__in=UPCOMING_STATUSES, starts_at__gt=now - LONGEST_MEETING
    ).order_by("starts_at")[: limit * 2]
    return [meeting for meeting in meetings if meeting.closes_at > now][:limit]


def room_has_ended(meeting: Meeting, now=None) -> bool:
    """Ended by a facilitator (or the room's state), or past its close."""
    now = now or timezone.now()
    if meeting.status == Meeting.Status.ENDED or now >= meeting.closes_at:
        return True
    state = store.load_state(meeting.pk)
    return state is not None and state.status == "ended"


def next_meeting_of(meeting: Meeting) -> Meeting | None:
    """The circle's next scheduled meeting after this one."""
    return (
        Meeting.objects.filter(
            circle_id=meeting.circle_id,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=max(meeting.starts_at, timezone.now()),
        )
        .exclude(pk=meeting.pk)
        .order_by("starts_at")
        .first()
    )
