"""The talking circle's persisted state.

``Room`` is one row per meeting: the rules' ``RoomState`` as JSON, and the row every room
command locks (``select_for_update``) so that any number of server processes can serve
one room. ``Share`` keeps what was said (the rules keep only share ids, never text) and
``Reaction`` who answered it how. Shares are private to the meeting and purged after the
circle's retention period (``meetings.room.tasks.purge_expired_shares``).

Only ``meetings.room.store`` writes these rows (its transaction, and the side effects it
runs inside it, ``meetings.room.effects``), including an account's deletion
(``store.rewrite_state``) and the retention purge (``store.purge_said``).
``RoomConnection`` rows are ``meetings.room.presence``'s.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from meetings.room.limits import (
    MAX_CONTENT_WARNING_CHARS,
    MAX_NUDGE_CHARS,
    MAX_REF_CHARS,
    MAX_SHARE_CHARS,
    MAX_STORED_REFUSAL_CHARS,
)
from members.numbers import Range
from members.text import validate_single_line

__all__ = ["CommandRecord", "NudgeText", "Reaction", "Room", "RoomConnection", "Share"]


def first_revision() -> int:
    """A room's first revision: random, so a room made again for the same meeting never
    meets a revision some process remembers of the old one."""
    return secrets.randbits(62)


class Room(models.Model):
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, primary_key=True, related_name="room"
    )
    state = models.JSONField(
        default=dict, help_text="The rules' RoomState.core_to_json(): everything but shares."
    )
    shares = models.JSONField(
        default=list, help_text="What the room knows of each share (never its text)."
    )
    revision = models.PositiveBigIntegerField(
        default=first_revision,
        help_text="Rises with every change of the row: a server process reuses the state it "
        "decoded last while the revision is the same.",
    )
    seq = models.PositiveIntegerField(default=0, help_text="A copy of state['seq'].")
    status = models.CharField(max_length=8, default="open", help_text="A copy of the status.")
    next_deadline = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the current turn (or its reconnect grace) runs out, for the backstop.",
    )
    next_deadline_turn = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Room of meeting {self.meeting_id} ({self.status}, seq {self.seq})"

    def save(self, *args, **kwargs):
        """Every save moves the revision on, so no process keeps using a state it decoded
        before (the store's own writes do the same in SQL)."""
        if not self._state.adding:
            self.revision = models.F("revision") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
        super().save(*args, **kwargs)


class Share(models.Model):
    """Something said while holding the talking piece. Its text never goes into logs."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="shares")
    share_id = models.PositiveIntegerField(help_text="The room's own number for the share.")
    participant_id = models.PositiveIntegerField()
    turn_id = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="room_shares",
    )
    display_name = models.CharField(max_length=150, help_text="The author's name at the time.")
    text = models.TextField(max_length=MAX_SHARE_CHARS)
    content_warning = models.CharField(max_length=MAX_CONTENT_WARNING_CHARS, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["meeting", "share_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "share_id"], name="unique_room_share"),
        ]
        indexes = [models.Index(fields=["created_at"], name="room_share_created")]

    def __str__(self):
        return f"Share {self.share_id} in meeting {self.meeting_id}"

    @property
    def author_name(self) -> str:
        """The name shown with the share; a deleted account is "a former member"."""
        from members.models import display_name_of

        return self.display_name if self.author_id else display_name_of(None)


class Reaction(models.Model):
    """A listener's supportive answer to a share: once per kind, person and share."""

    class Kind(models.TextChoices):
        HEARD = "heard", "Heard"
        THANKS = "thanks", "Thank you"
        ME_TOO = "me_too", "Me too"
        STRENGTH = "strength", "Sending strength"

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="reactions")
    participant_id = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="room_reactions",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["share", "participant_id", "kind"], name="unique_room_reaction"
            ),
        ]

    def __str__(self):
        return f"{self.kind} on {self.share}"


class NudgeText(models.Model):
    """One of a circle's own nudges (a facilitator's private word to the holder). A circle
    with none uses ``meetings.room.gentle.DEFAULT_NUDGES``. Edited in the Django admin."""

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="room_nudges"
    )
    text = models.CharField(max_length=MAX_NUDGE_CHARS, validators=[validate_single_line])
    position = models.PositiveSmallIntegerField(
        default=0, validators=Range(0, 999, "Choose a position from 0 to 999.").validators()
    )

    class Meta:
        ordering = ["circle", "position", "pk"]

    def __str__(self):
        return self.text


class RoomConnection(models.Model):
    """One open socket in a room and the server process holding it. A process that stops
    without closing its sockets (a crash, a killed container) stops refreshing
    ``heartbeat_at``; the backstop then disconnects those people in the room, so a
    holder's reconnect grace starts as it would have (``meetings.room.presence``)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    participant_id = models.PositiveIntegerField()
    server = models.CharField(max_length=100, db_index=True)
    heartbeat_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Participant {self.participant_id} of meeting {self.meeting_id} on {self.server}"


class CommandRecord(models.Model):
    """A command a participant sent with a ``ref``, as the room answered it: applied, or
    refused (with the refusal's code and message). Written by the store in the
    command's own transaction, under the room's row lock, so a re-sent command (same
    participant, same ref) is never applied twice and gets the same answer again.

    It never holds what anyone wrote: only a short hash of the command, to tell a re-send
    from another command reusing the ref. Deleted when the room has ended (and with the
    meeting's shares at the latest), by ``meetings.room.tasks.purge_expired_shares``.
    """

    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique index below starts with it
    )
    participant_id = models.PositiveIntegerField()
    ref = models.CharField(max_length=MAX_REF_CHARS)
    fingerprint = models.CharField(max_length=16, help_text="A hash of the command, not its text.")
    code = models.CharField(max_length=20, blank=True, help_text="The refusal's code, if refused.")
    message = models.CharField(max_length=MAX_STORED_REFUSAL_CHARS, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant_id", "ref"], name="unique_room_command_ref"
            ),
        ]

    def __str__(self):
        return f"Command {self.ref!r} of participant {self.participant_id} in {self.meeting_id}"
