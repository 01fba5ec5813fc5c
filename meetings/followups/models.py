"""A follow-up thread between a member and their circle's facilitators, and its messages.

Tables ``meetings_followup`` and ``meetings_followupmessage``. Only
``meetings.followups.actions`` writes them. A thread is opened from one reason (a safety
event about the member, or one of their check-ins); the reason is kept as a foreign key
so a facilitator can see which reasons were followed up, and a reason opens one thread.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.models import display_name_of

__all__ = ["FollowUp", "FollowUpMessage"]

MESSAGE_MAX_CHARS = 4000


class FollowUp(models.Model):
    """A private conversation about one reason. The member and the circle's facilitators
    and hosts read it; staff only when one of its messages was reported."""

    class Reason(models.TextChoices):
        NEED_SUPPORT = "need_support", "Asked for support"
        CRISIS_MATCH = "crisis_match", "A share may have needed a check-in"
        AT_RISK_REPORT = "at_risk_report", "Someone said they may be at risk"
        CHECKOUT_DROP = "checkout_drop", "Left a meeting feeling low"
        ASKED = "asked", "Asked for a check-in"
        MUCH_LOWER = "much_lower", "Left much lower than they arrived"

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="follow_ups"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text="The person being cared for. Empty once they deleted their account.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    safety_event = models.ForeignKey(
        "moderation.SafetyEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    check_in = models.ForeignKey(
        "meetings.CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["safety_event"],
                condition=Q(safety_event__isnull=False),
                name="one_follow_up_per_safety_event",
            ),
            models.UniqueConstraint(
                fields=["check_in", "reason"],
                condition=Q(check_in__isnull=False),
                name="one_follow_up_per_check_in_reason",
            ),
            models.UniqueConstraint(
                fields=["member", "circle"],
                condition=Q(closed_at__isnull=True, member__isnull=False),
                name="one_open_follow_up_per_member_and_circle",
            ),
        ]
        indexes = [models.Index(fields=["closed_at"], name="follow_up_closed")]

    def __str__(self):
        return f"Follow-up #{self.pk} ({self.reason})"

    def get_absolute_url(self) -> str:
        return reverse("followups:thread", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def opened_by_name(self) -> str:
        """Names are never copied: a deleted account is "a former member" everywhere."""
        return display_name_of(self.opened_by)

    @property
    def closed_by_name(self) -> str:
        return display_name_of(self.closed_by) if self.closed_at else ""


class FollowUpMessage(models.Model):
    """One message. Deleting its author's account deletes it (``CASCADE``): what a person
    wrote goes with them; the rest of the thread stays."""

    thread = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_up_messages"
    )
    author_role = models.CharField(max_length=12, help_text="member, facilitator, host, staff")
    text = models.TextField(max_length=MESSAGE_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"message {self.pk} in follow-up {self.thread_id}"
