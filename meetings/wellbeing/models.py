"""Check-ins, the coping toolbox and per-meeting agreements (issue 7).

These models belong to the ``meetings`` app (``meetings/models.py`` imports them), so
their tables are ``meetings_checkin``, ``meetings_strategy`` and so on. Only
``meetings.wellbeing.actions`` writes them.

Privacy: a ``CheckIn`` is read back only by its own member (``/me/``) and, for the group,
through ``meetings.wellbeing.insights``, which never shows anything per person except the
gentle follow-ups. ``StrategyHelped`` records who marked a strategy helpful only so that
nobody counts twice; it is never shown.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = ["CheckIn", "MeetingAgreement", "SavedStrategy", "Strategy", "StrategyHelped"]

SCORE_MIN = 1
SCORE_MAX = 5
STRATEGY_MAX_CHARS = 500

# The five-point scale, in words first. ``None`` is "rather not say".
SCALE = {
    1: "Really struggling",
    2: "Low",
    3: "Okay",
    4: "Good",
    5: "Really good",
}
RATHER_NOT_SAY = "Rather not say"


def score_label(score: int | None) -> str:
    return SCALE.get(score, RATHER_NOT_SAY) if score is not None else RATHER_NOT_SAY


class CheckIn(models.Model):
    """How a member arrived at, or left, one meeting. Never shown to the room."""

    class Moment(models.TextChoices):
        ARRIVING = "arriving", "Arriving"
        LEAVING = "leaving", "Leaving"

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="check_ins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    moment = models.CharField(max_length=8, choices=Moment.choices)
    score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="1 (really struggling) to 5 (really good); empty: rather not say.",
    )
    wants_check_in = models.BooleanField(
        default=False, help_text="The member would like someone to check in with them."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "user", "moment"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "moment"], name="unique_check_in_per_moment"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="check_in_score_on_scale",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="check_in_user_recent")]

    def __str__(self):
        return f"{self.moment} check-in for meeting {self.meeting_id}"

    @property
    def label(self) -> str:
        return score_label(self.score)


class Strategy(models.Model):
    """A short way of coping, in a member's own words, in a circle's toolbox."""

    class Tag(models.TextChoices):
        SLEEP = "sleep", "Sleep"
        CRAVINGS = "cravings", "Cravings"
        ANNIVERSARIES = "anniversaries", "Anniversaries"
        PANIC = "panic", "Panic"
        LONELINESS = "loneliness", "Loneliness"
        MORNINGS = "mornings", "Mornings"
        EVENINGS = "evenings", "Evenings"
        FAMILY = "family", "Family"
        WORK = "work", "Work"
        OTHER = "other", "Other"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "In the toolbox"
        REJECTED = "rejected", "Not added"

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="strategies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="strategies",
    )
    text = models.CharField(max_length=STRATEGY_MAX_CHARS)
    tag = models.CharField(max_length=16, choices=Tag.choices, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="strategies",
        help_text="The meeting the author attended before writing it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The host or facilitator who approved or declined it.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(
        null=True, blank=True, help_text="Hidden by moderation after a report."
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helped_count = models.PositiveIntegerField(
        default=0, help_text="How many members marked it helpful (never who)."
    )

    class Meta:
        verbose_name_plural = "strategies"
        ordering = ["-helped_count", "-created_at", "-pk"]
        indexes = [models.Index(fields=["circle", "state"], name="strategy_circle_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected"]),
                name="strategy_state_known",
            ),
        ]

    def __str__(self):
        return f"Strategy #{self.pk} in {self.circle_id} ({self.state})"

    @property
    def is_visible(self) -> bool:
        """Approved and not hidden: what members of the circle see in the toolbox."""
        return self.state == self.State.APPROVED and self.hidden_at is None

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class StrategyHelped(models.Model):
    """One member found a strategy helpful. Counted, never attributed."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="helped_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["strategy", "user"], name="unique_strategy_helped")
        ]

    def __str__(self):
        return f"helped mark on strategy {self.strategy_id}"


class SavedStrategy(models.Model):
    """A strategy in a member's personal toolbox on ``/me/``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_strategies"
    )
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "saved strategies"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "strategy"], name="unique_saved_strategy")
        ]

    def __str__(self):
        return f"strategy {self.strategy_id} saved"


class MeetingAgreement(models.Model):
    """A member confirmed the circle's agreements (this version) for this meeting."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="agreement_confirmations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_agreements"
    )
    version = models.PositiveIntegerField()
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="unique_meeting_agreement")
        ]

    def __str__(self):
        return f"agreements v{self.version} confirmed for meeting {self.meeting_id}"
