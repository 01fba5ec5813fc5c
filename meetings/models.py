from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from circles.models import Circle

ROOM_GRACE_AFTER_END = timedelta(minutes=30)


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
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitating")
    starts_at = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveIntegerField(default=60)
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="The zone the start time was entered in."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True)
    opens_minutes_before = models.PositiveIntegerField(default=10)
    room_mode = models.CharField(max_length=8, choices=RoomMode.choices, default=RoomMode.ROUND)
    turn_seconds = models.PositiveIntegerField(default=180)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=500, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(
        default=0, help_text="Rises with every change; the calendar's SEQUENCE."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=240),
                name="meeting_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="meeting_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(turn_seconds__gte=30, turn_seconds__lte=1800),
                name="meeting_turn_seconds_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.circle})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def opens_at(self):
        return self.starts_at - timedelta(minutes=self.opens_minutes_before)

    @property
    def closes_at(self):
        """The room closes when a facilitator ends it, or 30 minutes after the scheduled end."""
        return self.ended_at or self.ends_at + ROOM_GRACE_AFTER_END

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


from meetings.room.models import *  # noqa: E402, F403 - the room's models belong to this app
