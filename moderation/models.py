"""Reports, the append-only audit log, notices to members, suspensions and safety data.

Moderation refers to reported content generically (content type, object id and a
snapshot) so it never imports the apps that own it. See docs/moderation.md.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from circles.models import LANGUAGES, Circle
from members.models import display_name_of
from members.text import validate_single_line


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit log entry."""


# --- Reports --------------------------------------------------------------------------


class Report(models.Model):
    class Reason(models.TextChoices):
        HARASSMENT = "harassment", "Harassment"
        HATE = "hate", "Hate"
        SPAM = "spam", "Spam"
        UNSAFE_ADVICE = "unsafe_advice", "Unsafe advice"
        AGREEMENTS = "agreements", "Breaking the group agreements"
        AT_RISK = "at_risk", "Someone may be at risk"
        OTHER = "other", "Other"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Action taken"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_filed",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    group_key = models.CharField(
        max_length=120, db_index=True, help_text="Reports of the same thing share this key."
    )
    circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_about",
        help_text="The member reported, or the author of the reported content.",
    )
    meeting_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text="What was reported, as it was: text, author's display name and user id, "
        "meeting id and title, time. Survives the share's purge and the author's deletion.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_by_name = models.CharField(max_length=60, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=60, blank=True, help_text="The action taken.")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "content_type", "object_id"],
                condition=Q(state="open"),
                name="one_open_report_per_reporter_and_target",
            ),
        ]
        indexes = [models.Index(fields=["state", "circle", "created_at"])]

    def __str__(self):
        return f"Report #{self.pk} ({self.get_reason_display()}, {self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_safety(self) -> bool:
        return self.reason == self.Reason.AT_RISK

    @property
    def target_label(self) -> str:
        """``app_label.model`` of what was reported, e.g. ``meetings.share``."""
        return f"{self.content_type.app_label}.{self.content_type.model}"

    @property
    def target_kind(self) -> str:
        return {"members.user": "member", "circles.circle": "circle"}.get(
            self.target_label, self.content_type.model
        )

    @property
    def author_name(self) -> str:
        return self.snapshot.get("author_display_name") or ""

    @property
    def headline(self) -> str:
        """What was reported, in a few words: "Jo (a member)", "a share by Jo"."""
        kind = self.target_kind
        if kind == "member":
            return f"{self.author_name or 'a former member'} (a member)"
        if kind == "circle":
            return f"the circle {self.snapshot.get('circle_name') or ''}".strip()
        if self.author_name:
            return f"a {kind} by {self.author_name}"
        return f"a {kind}"


# --- The audit log --------------------------------------------------------------------


class ModerationActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The moderation log is append-only: entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The moderation log is append-only: entries cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The moderation log is append-only: entries cannot be changed.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("The moderation log is append-only: entries cannot be changed.")


class ModerationAction(models.Model):
    """One moderation action. Written once by ``record_action``; never changed or deleted.

    Refused at every layer: ``save()`` of an existing row, ``delete()``, the default
    manager's ``update()``/``delete()``, the admin, and on PostgreSQL and SQLite a trigger
    that allows exactly one kind of UPDATE: a reference column (actor, target user,
    circle, report) becoming NULL, which is what ``on_delete=SET_NULL`` does when an
    account, circle or report goes away. Names are kept as snapshots for that case.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=60, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions_about",
    )
    target_name = models.CharField(max_length=60, blank=True)
    circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    circle_name = models.CharField(max_length=80, blank=True)
    meeting_id = models.PositiveBigIntegerField(null=True, blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    reason = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    extra = models.JSONField(default=dict, blank=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.action} by {self.actor_name or 'Hearth'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The moderation log is append-only: entries cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The moderation log is append-only: entries cannot be deleted.")

    @property
    def label(self) -> str:
        """A sentence fragment for members: what was done."""
        return ACTION_LABELS.get(self.action, self.action.rsplit(".", 1)[-1].replace("_", " "))


ACTION_LABELS = {
    "moderation.report.dismissed": "Report dismissed",
    "moderation.content.hidden": "Content hidden",
    "moderation.member.warned": "Warned",
    "moderation.member.muted": "Muted in the circle",
    "moderation.member.unmuted": "Mute ended",
    "moderation.member.removed": "Removed from the circle",
    "moderation.member.banned": "Banned from the circle",
    "moderation.account.suspended": "Account suspended",
    "moderation.account.unsuspended": "Suspension ended",
    "moderation.safety.followed_up": "Support follow-up",
    "meetings.follow_up.opened": "A follow-up was opened",
    "meetings.follow_up.closed": "A follow-up was closed",
    "meetings.follow_up.reported": "A follow-up message was reported",
    "circles.member.joined": "Joined the circle",
    "circles.member.approved": "Approved to join",
    "circles.member.declined": "Request to join declined",
    "circles.member.left": "Left the circle",
    "circles.member.role_changed": "Role changed",
    "circles.member.removed": "Removed from the circle",
    "circles.member.banned": "Banned from the circle",
    "circles.member.unbanned": "Ban lifted",
    "circles.member.muted": "Muted in the circle",
    "circles.member.unmuted": "Mute ended",
    "circles.circle.created": "Circle created",
    "circles.circle.updated": "Circle settings changed",
    "circles.agreements.updated": "Group agreements changed",
    "circles.invite.created": "Invite link made",
    "circles.invite.revoked": "Invite link revoked",
    "meetings.meeting.scheduled": "Meeting scheduled",
    "meetings.series.scheduled": "Meeting series scheduled",
    "meetings.meeting.edited": "Meeting changed",
    "meetings.series.split": "Series changed from this meeting on",
    "meetings.meeting.cancelled": "Meeting cancelled",
    "room.participant.muted": "Muted in a meeting",
    "room.participant.unmuted": "Unmuted in a meeting",
    "room.participant.removed": "Removed from a meeting",
    "room.share.hidden": "A share was hidden",
}

# What "Moderation and you" lists: moderation of a member (warnings, mutes, removals,
# bans, suspensions, hidden content, and their ends), never a room's housekeeping (a
# nudge, a move in the queue, a turn skipped or given, someone away cleared from the
# queue, a support request acknowledged) nor a circle's own membership steps.
MODERATION_OF_A_MEMBER = frozenset(
    {
        "moderation.content.hidden",
        "moderation.member.warned",
        "moderation.member.muted",
        "moderation.member.unmuted",
        "moderation.member.removed",
        "moderation.member.banned",
        "moderation.account.suspended",
        "moderation.account.unsuspended",
        "circles.member.removed",
        "circles.member.banned",
        "circles.member.unbanned",
        "circles.member.muted",
        "circles.member.unmuted",
        "room.participant.muted",
        "room.participant.unmuted",
        "room.participant.removed",
        "room.share.hidden",
    }
)


# --- Notices and suspensions ------------------------------------------------------------


class Notice(models.Model):
    """A private message to a member from moderation: a warning, or a restriction ending."""

    class Kind(models.TextChoices):
        WARNING = "warning", "Warning"
        MUTED = "muted", "Muted"
        MUTE_ENDED = "mute_ended", "Mute ended"
        SUSPENSION_ENDED = "suspension_ended", "Suspension ended"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_notices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {display_name_of(self.user)}"


class Suspension(models.Model):
    """A site-wide suspension: the account is inactive from ``starts_at`` until ``ends_at``
    (``None``: for good) or until it is ended early (``ended_at``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=1000, blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_at__isnull=True),
                name="one_current_suspension_per_user",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="suspension_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"Suspension of {display_name_of(self.user)}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    @property
    def is_permanent(self) -> bool:
        return self.ends_at is None


# --- Safety ---------------------------------------------------------------------------


class CrisisPhrase(models.Model):
    """A phrase that suggests someone may be in crisis. Matching is whole-word and
    ignores case, accents and punctuation (see moderation.safety)."""

    phrase = models.CharField(max_length=100, validators=[validate_single_line])
    language = models.CharField(
        max_length=8,
        choices=LANGUAGES,
        blank=True,
        default="en",
        help_text="Checked in circles of this language. Empty: every language.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["language", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["phrase", "language"], name="unique_crisis_phrase")
        ]

    def __str__(self):
        return self.phrase


class BlockedWord(models.Model):
    """A word refused in shares and display names (whole-word, ignoring case and accents)."""

    word = models.CharField(max_length=60, unique=True, validators=[validate_single_line])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word


class SafetyEvent(models.Model):
    """Someone may need support. Never holds the text of a share: only a note the member
    wrote themselves (with "I need support") or the reporter's note."""

    class Kind(models.TextChoices):
        CRISIS_MATCH = "crisis_match", "A share matched a crisis phrase"
        AT_RISK_REPORT = "at_risk_report", "Reported: someone may be at risk"
        NEED_SUPPORT = "need_support", "Asked for support"
        CHECKOUT_DROP = "checkout_drop", "Left a meeting feeling low"

    class FollowUp(models.TextChoices):
        OPEN = "open", "Open"
        REACHED_OUT = "reached_out", "Reached out"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="safety_events",
    )
    user_name = models.CharField(max_length=60, blank=True)
    circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.SET_NULL, related_name="safety_events"
    )
    meeting_id = models.PositiveBigIntegerField(null=True, blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="safety_events"
    )
    note = models.TextField(max_length=1000, blank=True)
    follow_up = models.CharField(max_length=12, choices=FollowUp.choices, default=FollowUp.OPEN)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_follow_up_display()})"
