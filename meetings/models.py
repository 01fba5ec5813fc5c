from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle
from meetings.room.limits import (
    DEFAULT_TURN_SECONDS,
    MAX_TURN_SECONDS,
    MIN_TURN_SECONDS,
    ROOM_CLOSES_MINUTES_AFTER_END,
)
from members.numbers import Range
from members.text import validate_single_line

ROOM_GRACE_AFTER_END = timedelta(minutes=ROOM_CLOSES_MINUTES_AFTER_END)

DURATION_MINUTES = Range(15, 240, "A meeting lasts from 15 to 240 minutes (4 hours).")
CAPACITY = Range(1, 500, "Choose a capacity from 1 to 500 people, or leave it empty.")
OPENS_MINUTES_BEFORE = Range(0, 120, "The room opens from 0 to 120 minutes before the start.")
TURN_SECONDS = Range(
    MIN_TURN_SECONDS,
    MAX_TURN_SECONDS,
    f"A turn lasts from {MIN_TURN_SECONDS} to {MAX_TURN_SECONDS:,} seconds "
    f"({MAX_TURN_SECONDS // 60} minutes).",
)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    class RoomMode(models.TextChoices):
        ROUND = "round", "Around the circle"
        QUEUE = "queue", "Raised hands"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=120, validators=[validate_single_line])
    description = models.TextField(blank=True, max_length=2000)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitating")
    starts_at = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=DURATION_MINUTES.validators()
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="The zone the start time was entered in."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, validators=CAPACITY.validators())
    opens_minutes_before = models.PositiveIntegerField(
        default=10, validators=OPENS_MINUTES_BEFORE.validators()
    )
    room_mode = models.CharField(max_length=8, choices=RoomMode.choices, default=RoomMode.ROUND)
    turn_seconds = models.PositiveIntegerField(
        default=DEFAULT_TURN_SECONDS, validators=TURN_SECONDS.validators()
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=500, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(
        default=0, help_text="Rises with every change; the calendar's SEQUENCE."
    )
    going_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many going members count against capacity (facilitators do not). "
        "Kept by meetings.actions under the meeting's row lock; the database refuses a "
        "value above capacity.",
    )
    series = models.ForeignKey(
        "MeetingSeries",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    occurrence_start = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The start the series' rule gave this occurrence (kept when it is moved).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["circle", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(going_count__lte=F("capacity")),
                name="meeting_never_overbooked",
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_start"],
                condition=Q(series__isnull=False),
                name="unique_series_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=240),
                name="meeting_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="meeting_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(turn_seconds__gte=MIN_TURN_SECONDS, turn_seconds__lte=MAX_TURN_SECONDS),
                name="meeting_turn_seconds_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.circle})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def opens_at(self):
        return self.starts_at - timedelta(minutes=self.opens_minutes_before)

    @property
    def closes_at(self):
        """The room closes when a facilitator ends it, or a while after the scheduled end
        (``limits.ROOM_CLOSES_MINUTES_AFTER_END``)."""
        return self.ended_at or self.ends_at + ROOM_GRACE_AFTER_END

    @property
    def is_over(self) -> bool:
        return self.status == self.Status.ENDED or timezone.now() >= self.ends_at

    def room_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status in (self.Status.CANCELLED, self.Status.ENDED):
            return False
        return self.opens_at <= now < self.closes_at


class RSVP(models.Model):
    class Response(models.TextChoices):
        GOING = "going", "Going"
        WAITLISTED = "waitlisted", "On the waitlist"
        NOT_GOING = "not_going", "Not going"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    response = models.CharField(max_length=12, choices=Response.choices)
    waitlisted_at = models.DateTimeField(
        null=True, blank=True, help_text="Waitlist order: first come, first served."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="unique_rsvp"),
            models.CheckConstraint(
                condition=~Q(response="waitlisted") | Q(waitlisted_at__isnull=False),
                name="rsvp_waitlist_has_time",
            ),
        ]
        indexes = [models.Index(fields=["meeting", "response", "waitlisted_at"])]

    def __str__(self):
        return f"{self.user} {self.response} {self.meeting}"


class MeetingSeries(models.Model):
    """A repeating meeting: the rule and the template its occurrences are made from.

    Occurrences are ordinary ``Meeting`` rows generated ahead (``meetings.series``) with
    dateutil's ``rrule`` in ``time_zone``, so a 19:00 meeting stays 19:00 local across a
    daylight-saving change. Editing "this and following" splits the series in two.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        BIWEEKLY = "biweekly", "Every two weeks"
        MONTHLY = "monthly", "Every month on the same weekday"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meeting_series")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    time_zone = models.CharField(max_length=64, default="UTC")
    first_start = models.DateTimeField(help_text="The rule's first occurrence (aware, UTC).")
    until = models.DateTimeField(
        null=True, blank=True, help_text="No occurrence starts at or after this."
    )
    title = models.CharField(max_length=120, validators=[validate_single_line])
    description = models.TextField(blank=True, max_length=2000)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=DURATION_MINUTES.validators()
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, validators=CAPACITY.validators())
    opens_minutes_before = models.PositiveIntegerField(
        default=10, validators=OPENS_MINUTES_BEFORE.validators()
    )
    room_mode = models.CharField(
        max_length=8, choices=Meeting.RoomMode.choices, default=Meeting.RoomMode.ROUND
    )
    turn_seconds = models.PositiveIntegerField(
        default=DEFAULT_TURN_SECONDS, validators=TURN_SECONDS.validators()
    )
    generated_until = models.DateTimeField(
        null=True, blank=True, help_text="Occurrences exist up to here."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=240),
                name="series_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="series_capacity_positive",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_frequency_display().lower()})"


class Notification(models.Model):
    """Something a member should know, listed on their dashboard (and often emailed)."""

    class Kind(models.TextChoices):
        GOING = "going", "RSVP confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        PROMOTED = "promoted", "Promoted from the waitlist"
        CHANGED = "changed", "Meeting changed"
        CANCELLED = "cancelled", "Meeting cancelled"
        REMINDER_24H = "reminder_24h", "Reminder, a day before"
        REMINDER_15M = "reminder_15m", "Reminder, 15 minutes before"
        FOLLOW_UP = "follow_up", "A follow-up message"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.kind} for {self.user}"


class ReminderDelivery(models.Model):
    """One reminder for one member and one start of a meeting, claimed exactly once.

    ``send_due_reminders`` inserts the rows (the unique constraint makes a second beat a
    no-op) and ``send_reminder`` claims one with a conditional update from ``pending``;
    only the task whose update changed a row sends. A moved meeting has a new
    ``starts_at``, so its members are reminded of the new time.
    """

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", "24 hours before"
        SOON = "15m", "15 minutes before"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    starts_at = models.DateTimeField(help_text="The start this reminder is about.")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "starts_at"], name="unique_reminder"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.kind} reminder for {self.user} ({self.state})"


class CalendarFeed(models.Model):
    """A member's private calendar feed: whoever has the token sees the meetings they go to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"calendar feed of {self.user}"


from meetings.followups.models import *  # noqa: E402, F403 - follow-ups belong to this app
from meetings.room.models import *  # noqa: E402, F403 - the room's models belong to this app
from meetings.wellbeing.models import *  # noqa: E402, F403 - check-ins and toolbox belong to this app
