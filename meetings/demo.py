"""Demo data for seed_demo (see hearth/demo.py): meetings in the circles' demo circle.

Safe to run again. Each run moves the "open now" meeting so that its room is open right
after seeding: it starts 5 minutes from now and its room opens 10 minutes before.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from circles.models import Membership
from meetings import actions
from meetings.models import Meeting, MeetingSeries
from meetings.series import zone_of

OPEN_TITLE = "Drop-in circle (open now)"
SERIES_TITLE = "Sunday evening circle"
SMALL_TITLE = "Small group: first steps"


def _ensure_member(circle, user, role=Membership.Role.MEMBER):
    membership, _ = Membership.objects.get_or_create(
        circle=circle,
        user=user,
        defaults={
            "role": role,
            "state": Membership.State.ACTIVE,
            "accepted_version": circle.agreements_version,
        },
    )
    if not membership.is_active:
        membership.state = Membership.State.ACTIVE
        membership.accepted_version = circle.agreements_version
        membership.save(update_fields=["state", "accepted_version", "updated_at"])
    return membership


def _open_meeting(circle, facilitator, now) -> Meeting:
    meeting = Meeting.objects.filter(circle=circle, title=OPEN_TITLE).first()
    fields = {
        "starts_at": now + timedelta(minutes=5),
        "opens_minutes_before": 10,
        "duration_minutes": 60,
        "status": Meeting.Status.SCHEDULED,
        "ended_at": None,
        "cancel_reason": "",
        "time_zone": facilitator.time_zone or "UTC",
    }
    if meeting is None:
        meeting = Meeting.objects.create(
            circle=circle,
            title=OPEN_TITLE,
            description="A drop-in talking circle. Come as you are; passing is always fine.",
            room_mode=Meeting.RoomMode.ROUND,
            capacity=8,
            created_by=facilitator,
            **fields,
        )
    else:
        Meeting.objects.filter(pk=meeting.pk).update(revision=F("revision") + 1, **fields)
        meeting.refresh_from_db()
    meeting.facilitators.add(facilitator)
    return meeting


def _upcoming(circle, facilitator, now) -> list[str]:
    lines = []
    zone = zone_of("Europe/London")
    if not MeetingSeries.objects.filter(circle=circle, title=SERIES_TITLE).exists():
        today = now.astimezone(zone).date()
        sunday = today + timedelta(days=(6 - today.weekday()) % 7 or 7)
        first = datetime.combine(sunday, time(19, 0)).replace(tzinfo=zone)
        actions.schedule_meeting(
            facilitator,
            circle,
            actions.MeetingDraft(
                title=SERIES_TITLE,
                description="Our weekly circle. Everyone gets a turn; nobody has to speak.",
                starts_at=first,
                time_zone="Europe/London",
                facilitators=[facilitator],
                capacity=12,
            ),
            frequency=MeetingSeries.Frequency.WEEKLY,
            now=now,
        )
        lines.append(f"Meetings: a weekly series “{SERIES_TITLE}” at 19:00 Europe/London.")
    if not Meeting.objects.filter(circle=circle, title=SMALL_TITLE).exists():
        actions.schedule_meeting(
            facilitator,
            circle,
            actions.MeetingDraft(
                title=SMALL_TITLE,
                starts_at=(now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0),
                time_zone="UTC",
                facilitators=[facilitator],
                capacity=2,
                room_mode=Meeting.RoomMode.QUEUE,
            ),
            now=now,
        )
        lines.append(f"Meetings: “{SMALL_TITLE}” with 2 places, to try the waitlist.")
    return lines


def seed(context: dict) -> list[str]:
    circle = context.get("demo_circle")
    if circle is None:
        return ["Meetings: no demo circle (circles seeded none), so no meetings were created."]
    users = context["users"]
    facilitator = users["facilitator"]
    now = timezone.now()
    with transaction.atomic():
        _ensure_member(circle, facilitator, Membership.Role.FACILITATOR)
        for key in ("alex", "sam", "jo"):
            _ensure_member(circle, users[key])
        lines = _upcoming(circle, facilitator, now)
        meeting = _open_meeting(circle, facilitator, now)
    for key in ("alex", "sam", "jo"):
        actions.rsvp(users[key], meeting, actions.GOING)
    context["open_meeting"] = meeting
    context.setdefault("meetings", []).append(meeting)
    lines.append(
        f"Meetings: “{OPEN_TITLE}” is open now at /meetings/{meeting.pk}/room/ "
        "(facilitator@, with alex@, sam@ and jo@ going)."
    )
    return lines
