"""Every change to meetings and RSVPs goes through here: views, tasks, the admin and tests.

Each function validates, then changes state in one transaction holding the row lock of the
meeting it changes (``meetings.locking.lock_meeting``), and queues notifications to go out
after commit. Each change a facilitator, host or staff member makes writes one audit entry
(``moderation.actions.record_action``) in the same transaction. Refusals raise
``hearth.refusal.Refused`` with a message a member can read and change nothing. Repeating
a call (a double-clicked RSVP, a retried task) returns early and changes nothing.
"""

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import islice

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from circles import permissions as circle_permissions
from circles.models import Circle, Membership
from hearth.refusal import Refused
from meetings import permissions
from meetings.locking import lock_meeting
from meetings.models import (
    CAPACITY,
    DURATION_MINUTES,
    OPENS_MINUTES_BEFORE,
    RSVP,
    TURN_SECONDS,
    Meeting,
    MeetingSeries,
    Notification,
)
from meetings.notify import notify, when_for
from meetings.room import store, system
from meetings.room.limits import DEFAULT_TURN_SECONDS
from meetings.series import build_rule, occurrences
from members.text import SINGLE_LINE_MESSAGE, has_control_characters
from moderation.actions import record_action

logger = logging.getLogger("meetings")

MAX_DURATION = DURATION_MINUTES.high
SERIES_HORIZON = timedelta(days=60)
GOING, WAITLISTED, NOT_GOING = (
    RSVP.Response.GOING,
    RSVP.Response.WAITLISTED,
    RSVP.Response.NOT_GOING,
)


@dataclass
class MeetingDraft:
    """What a facilitator fills in: the shape of a meeting (or a series' template)."""

    title: str
    starts_at: datetime
    time_zone: str = "UTC"
    description: str = ""
    facilitators: list = field(default_factory=list)
    duration_minutes: int = 60
    capacity: int | None = None
    opens_minutes_before: int = 10
    room_mode: str = Meeting.RoomMode.ROUND
    turn_seconds: int = DEFAULT_TURN_SECONDS


@dataclass(frozen=True)
class RsvpResult:
    response: str
    changed: bool
    promoted: tuple = ()


# --- Auditing ----------------------------------------------------------------------------


def _audit(actor, action: str, meeting: Meeting | None, reason: str = "", **extra) -> None:
    """One entry in the audit log for a facilitator's, host's or staff member's change;
    expects to run inside the change's transaction. ``extra`` never holds a share's text."""
    circle = extra.pop("circle", None) or meeting.circle
    record_action(
        actor=actor,
        action=action,
        circle=circle,
        meeting_id=meeting.pk if meeting is not None else None,
        reason=reason,
        extra={key: value for key, value in extra.items() if value is not None},
    )


def _bump_going(meeting: Meeting, delta: int) -> None:
    """Move the meeting's going count by ``delta`` (expects the lock held).

    The update is relative (``F() + delta``), so even a writer that skipped the lock
    re-reads the committed count here, and the ``meeting_never_overbooked`` CHECK refuses
    a count above capacity: the database's last line of defence behind the lock.
    """
    Meeting.objects.filter(pk=meeting.pk).update(going_count=F("going_count") + delta)
    meeting.going_count += delta


def _facilitator_ids(meeting: Meeting) -> set[int]:
    return set(meeting.facilitators.values_list("pk", flat=True))


# --- RSVPs --------------------------------------------------------------------------------


def rsvp(user, meeting: Meeting, response: str, *, now=None) -> RsvpResult:
    """Answer ``going`` or ``not_going`` for ``user``.

    Going past capacity puts the member on the waitlist (first come, first served);
    facilitators never count against capacity. Not going after going frees a place, which
    goes to the first on the waitlist in the same transaction. Asking again for what you
    already have changes nothing.
    """
    if response not in (GOING, NOT_GOING):
        raise Refused("bad_request", "Please answer going or not going.")
    with transaction.atomic():
        meeting = lock_meeting(meeting.pk)
        now = now or timezone.now()
        permissions.check_rsvp(user, meeting, now)
        result = _answer(meeting, user, response, now)
    return result


def _answer(meeting: Meeting, user, response: str, now) -> RsvpResult:
    """Record an answer and promote from the waitlist. Expects the meeting's lock held."""
    existing = RSVP.objects.filter(meeting=meeting, user=user).first()
    current = existing.response if existing else None
    if response == GOING and current in (GOING, WAITLISTED):
        return RsvpResult(current, changed=False)
    if response == NOT_GOING and current == NOT_GOING:
        return RsvpResult(current, changed=False)

    counts = user.pk not in _facilitator_ids(meeting)
    waitlisted_at = None
    if response == GOING:
        if not counts or meeting.capacity is None or meeting.going_count < meeting.capacity:
            final = GOING
            if counts:
                _bump_going(meeting, +1)
        else:
            final, waitlisted_at = WAITLISTED, now
    else:
        final = NOT_GOING
        if current == GOING and counts:
            _bump_going(meeting, -1)

    if existing is None:
        entry = RSVP.objects.create(
            meeting=meeting, user=user, response=final, waitlisted_at=waitlisted_at
        )
    else:
        entry = existing
        entry.response, entry.waitlisted_at = final, waitlisted_at
        entry.save(update_fields=["response", "waitlisted_at", "updated_at"])
    logger.info("meetings.rsvp.%s meeting=%s user=%s", final, meeting.pk, user.pk)

    if final == GOING and not _told_going(meeting, user):
        notify(
            [user],
            Notification.Kind.GOING,
            meeting,
            lambda person: (
                f"You're going to “{meeting.title}” on {when_for(person, meeting.starts_at)}."
            ),
        )
    elif final == WAITLISTED:
        position = _place_in_line(entry)
        notify(
            [user],
            Notification.Kind.WAITLISTED,
            meeting,
            lambda person: (
                f"“{meeting.title}” is full, so you're number {position} on the "
                "waitlist. We'll tell you if a place opens up."
            ),
        )
    promoted = _promote(meeting, now) if current == GOING else ()
    return RsvpResult(final, changed=True, promoted=promoted)


def _told_going(meeting: Meeting, user) -> bool:
    """Whether ``user`` was already told they are going to ``meeting``: going, not going,
    going again sends one "You're going", not two."""
    return Notification.objects.filter(
        meeting=meeting,
        user=user,
        kind__in=[Notification.Kind.GOING, Notification.Kind.PROMOTED],
    ).exists()


def _promote(meeting: Meeting, now) -> tuple:
    """Give free places to the waitlist in order. Expects the meeting's lock held."""
    facilitator_ids = _facilitator_ids(meeting)
    promoted = []
    waiting = RSVP.objects.filter(meeting=meeting, response=WAITLISTED).select_related("user")
    for entry in waiting.order_by("waitlisted_at", "pk"):
        counts = entry.user_id not in facilitator_ids
        if counts and meeting.capacity is not None and meeting.going_count >= meeting.capacity:
            break
        entry.response, entry.waitlisted_at = GOING, None
        entry.save(update_fields=["response", "waitlisted_at", "updated_at"])
        if counts:
            _bump_going(meeting, +1)
        promoted.append(entry.user)
        logger.info("meetings.rsvp.promoted meeting=%s user=%s", meeting.pk, entry.user_id)
    if promoted:
        notify(
            promoted,
            Notification.Kind.PROMOTED,
            meeting,
            lambda person: (
                f"A place opened up: you're now going to “{meeting.title}” on "
                f"{when_for(person, meeting.starts_at)}."
            ),
        )
    return tuple(promoted)


def waitlist_position(meeting: Meeting, user) -> int | None:
    """1 for the first in line; ``None`` when the user is not waiting."""
    mine = RSVP.objects.filter(meeting=meeting, user=user, response=WAITLISTED).first()
    return None if mine is None else _place_in_line(mine)


def _place_in_line(entry: RSVP) -> int:
    """A waitlisted entry's place: 1 + those before it in (waitlisted_at, pk) order."""
    earlier = Q(waitlisted_at__lt=entry.waitlisted_at) | Q(
        waitlisted_at=entry.waitlisted_at, pk__lt=entry.pk
    )
    ahead = RSVP.objects.filter(earlier, meeting_id=entry.meeting_id, response=WAITLISTED)
    return ahead.count() + 1


def withdraw_member(user, circle: Circle | None = None, *, now=None) -> int:
    """A member who left, was removed or banned stops going to the circle's coming meetings
    (or, without a circle, to any: their account is being deleted), and their places go
    to the waitlist. Returns how many answers changed."""
    now = now or timezone.now()
    changed = 0
    answers = RSVP.objects.filter(
        user=user,
        meeting__status__in=[Meeting.Status.SCHEDULED, Meeting.Status.LIVE],
        meeting__starts_at__gt=now - timedelta(minutes=MAX_DURATION),
        response__in=[GOING, WAITLISTED],
    )
    if circle is not None:
        answers = answers.filter(meeting__circle=circle)
    meeting_ids = list(answers.order_by("meeting_id").values_list("meeting_id", flat=True))
    for meeting_id in meeting_ids:
        with transaction.atomic():
            meeting = lock_meeting(meeting_id)
            changed += _answer(meeting, user, NOT_GOING, now).changed
    return changed


# --- Scheduling ---------------------------------------------------------------------------


def _check_draft(circle: Circle, draft: MeetingDraft, now, *, check_start: bool = True) -> None:
    if not draft.title.strip():
        raise Refused("bad_request", "Please give the meeting a title.")
    try:
        zoneinfo.ZoneInfo(draft.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Refused("bad_request", "Please choose a time zone from the list.") from None
    if timezone.is_naive(draft.starts_at):
        raise Refused("bad_request", "The start needs a time zone.")
    if check_start and draft.starts_at <= now:
        raise Refused(
            "bad_request", "The start is in the past. Please choose a time that is still to come."
        )
    if has_control_characters(draft.title):
        raise Refused("bad_request", f"Title: {SINGLE_LINE_MESSAGE}")
    for limits, value in (
        (DURATION_MINUTES, draft.duration_minutes),
        (CAPACITY, draft.capacity),
        (OPENS_MINUTES_BEFORE, draft.opens_minutes_before),
        (TURN_SECONDS, draft.turn_seconds),
    ):
        if value is not None and not limits.low <= value <= limits.high:
            raise Refused("bad_request", limits.message)
    if draft.room_mode not in Meeting.RoomMode.values:
        raise Refused("bad_request", "Please choose how the talking piece moves.")
    if not draft.facilitators:
        raise Refused("bad_request", "A meeting needs at least one facilitator.")
    allowed = set(
        Membership.objects.filter(
            circle=circle,
            state=Membership.State.ACTIVE,
            role__in=[Membership.Role.FACILITATOR, Membership.Role.HOST],
        ).values_list("user_id", flat=True)
    )
    if any(person.pk not in allowed for person in draft.facilitators):
        raise Refused("bad_request", "Facilitators must be facilitators or hosts of the circle.")


def _apply_draft(meeting: Meeting, draft: MeetingDraft) -> None:
    meeting.title = draft.title.strip()
    meeting.description = draft.description.strip()
    meeting.starts_at = draft.starts_at
    meeting.time_zone = draft.time_zone
    meeting.duration_minutes = draft.duration_minutes
    meeting.capacity = draft.capacity
    meeting.opens_minutes_before = draft.opens_minutes_before
    meeting.room_mode = draft.room_mode
    meeting.turn_seconds = draft.turn_seconds


def _series_template(series: MeetingSeries, draft: MeetingDraft) -> None:
    series.title = draft.title.strip()
    series.description = draft.description.strip()
    series.time_zone = draft.time_zone
    series.duration_minutes = draft.duration_minutes
    series.capacity = draft.capacity
    series.opens_minutes_before = draft.opens_minutes_before
    series.room_mode = draft.room_mode
    series.turn_seconds = draft.turn_seconds


def schedule_meeting(
    actor, circle: Circle, draft: MeetingDraft, *, frequency: str = "", until=None, now=None
) -> Meeting:
    """Create a meeting, or a series and its occurrences ahead; returns the first meeting."""
    now = now or timezone.now()
    if not permissions.can_schedule(actor, circle):
        raise Refused("forbidden", permissions.SCHEDULE_REFUSAL)
    _check_draft(circle, draft, now)
    if frequency and frequency not in MeetingSeries.Frequency.values:
        raise Refused("bad_request", "Please choose how often the meeting repeats.")
    if until is not None and until <= draft.starts_at:
        raise Refused("bad_request", "A series must end after its first meeting.")
    with transaction.atomic():
        if not frequency:
            meeting = Meeting(circle=circle, created_by=actor)
            _apply_draft(meeting, draft)
            meeting.save()
            meeting.facilitators.set(draft.facilitators)
            _audit(actor, "meetings.meeting.scheduled", meeting, starts_at=_iso(meeting.starts_at))
            return meeting
        series = MeetingSeries(
            circle=circle,
            frequency=frequency,
            first_start=draft.starts_at,
            until=until,
            created_by=actor,
        )
        _series_template(series, draft)
        series.save()
        series.facilitators.set(draft.facilitators)
        extend_series(series, now=now)
        first = series.meetings.order_by("starts_at").first()
        _audit(
            actor,
            "meetings.series.scheduled",
            first,
            circle=circle,
            series_id=series.pk,
            frequency=frequency,
            starts_at=_iso(series.first_start),
            until=_iso(until),
        )
        return first


def extend_series(series: MeetingSeries, *, now=None) -> int:
    """Create the series' occurrences up to ``SERIES_HORIZON`` ahead; safe to repeat.

    Occurrences that already exist (even moved or cancelled ones) are never recreated:
    each is keyed by the start the rule gave it (``occurrence_start``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
        start = max(series.first_start, series.generated_until or series.first_start)
        # Always at least the first occurrence, however far ahead the series starts.
        horizon = max(now + SERIES_HORIZON, series.first_start + timedelta(minutes=1))
        starts = occurrences(
            series.frequency,
            series.first_start,
            series.time_zone,
            after=start,
            before=horizon,
            until=series.until,
        )
        existing = set(series.meetings.values_list("occurrence_start", flat=True))
        facilitators = list(series.facilitators.all())
        created = 0
        for occurrence in starts:
            if occurrence in existing or occurrence <= now:
                continue
            meeting = Meeting.objects.create(
                circle_id=series.circle_id,
                series=series,
                occurrence_start=occurrence,
                starts_at=occurrence,
                title=series.title,
                description=series.description,
                time_zone=series.time_zone,
                duration_minutes=series.duration_minutes,
                capacity=series.capacity,
                opens_minutes_before=series.opens_minutes_before,
                room_mode=series.room_mode,
                turn_seconds=series.turn_seconds,
                created_by=series.created_by,
            )
            meeting.facilitators.set(facilitators)
            created += 1
        series.generated_until = max(horizon, series.generated_until or horizon)
        series.save(update_fields=["generated_until"])
    return created


# --- Editing and cancelling -----------------------------------------------------------------

THIS, FOLLOWING = "this", "following"


def _people_answering(meeting: Meeting) -> list:
    return [
        entry.user
        for entry in RSVP.objects.filter(
            meeting=meeting, response__in=[GOING, WAITLISTED]
        ).select_related("user")
    ]


def _edit_locked(actor, meeting: Meeting, draft: MeetingDraft, now) -> bool:
    """Apply ``draft`` to a locked meeting; returns whether anything changed."""
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Refused(
            "bad_request", "This meeting was cancelled or has ended, so it can't be edited."
        )
    start_changed = draft.starts_at != meeting.starts_at
    _check_draft(meeting.circle, draft, now, check_start=start_changed)
    if not start_changed and meeting.ends_at <= now:
        raise Refused("bad_request", "This meeting is over, so it can't be edited.")

    before = (
        meeting.title,
        meeting.description,
        meeting.starts_at,
        meeting.time_zone,
        meeting.duration_minutes,
        meeting.capacity,
        meeting.opens_minutes_before,
        meeting.room_mode,
        meeting.turn_seconds,
        _facilitator_ids(meeting),
    )
    new_facilitators = {person.pk for person in draft.facilitators}
    going_count = (
        RSVP.objects.filter(meeting=meeting, response=GOING)
        .exclude(user_id__in=new_facilitators)
        .count()
    )
    if draft.capacity is not None and draft.capacity < going_count:
        raise Refused(
            "bad_request",
            f"{going_count} people are already going, so the capacity can't be less than "
            f"{going_count}.",
        )
    _apply_draft(meeting, draft)
    after = (*[getattr(meeting, name) for name in _EDITABLE], new_facilitators)
    if after == before:
        return False
    meeting.going_count = going_count
    meeting.revision = F("revision") + 1
    meeting.save()
    meeting.refresh_from_db(fields=["revision"])
    meeting.facilitators.set(draft.facilitators)
    _promote(meeting, now)
    moved = start_changed or before[4] != meeting.duration_minutes

    def text(person) -> str:
        if moved:
            return (
                f"“{meeting.title}” has moved: it now starts "
                f"{when_for(person, meeting.starts_at)} and lasts "
                f"{meeting.duration_minutes} minutes."
            )
        return f"The details of “{meeting.title}” were updated."

    notify(_people_answering(meeting), Notification.Kind.CHANGED, meeting, text)
    changed = [
        name
        for name, old, new in zip((*_EDITABLE, "facilitators"), before, after, strict=True)
        if old != new
    ]
    _audit(actor, "meetings.meeting.edited", meeting, fields=changed)
    return True


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


_EDITABLE = (
    "title",
    "description",
    "starts_at",
    "time_zone",
    "duration_minutes",
    "capacity",
    "opens_minutes_before",
    "room_mode",
    "turn_seconds",
)


def edit_meeting(actor, meeting: Meeting, draft: MeetingDraft, *, apply_to=THIS, now=None):
    """Change one meeting, or (``apply_to="following"``) it and every later occurrence of its
    series. Following occurrences keep their RSVPs; a change of start time moves each of
    them by the series' rule in the (possibly new) zone, so local wall time is kept."""
    now = now or timezone.now()
    if apply_to not in (THIS, FOLLOWING):
        raise Refused("bad_request", "Choose this meeting only, or this and the following ones.")
    with transaction.atomic():
        meeting = lock_meeting(meeting.pk)
        if not permissions.can_manage_meeting(actor, meeting):
            raise Refused("forbidden", permissions.MANAGE_REFUSAL)
        if apply_to == THIS or meeting.series_id is None:
            _edit_locked(actor, meeting, draft, now)
            return meeting
        return _edit_following(actor, meeting, draft, now)


def _edit_following(actor, meeting: Meeting, draft: MeetingDraft, now) -> Meeting:
    """Split the series at ``meeting``: the old one stops before it, a new one (with the new
    template and rule start) carries it and every later scheduled occurrence."""
    old = MeetingSeries.objects.select_for_update().get(pk=meeting.series_id)
    pivot = meeting.occurrence_start or meeting.starts_at
    following = list(
        old.meetings.filter(occurrence_start__gte=pivot, status=Meeting.Status.SCHEDULED)
        .exclude(pk=meeting.pk)
        .order_by("occurrence_start")
        .values_list("pk", flat=True)
    )
    new = MeetingSeries(
        circle=old.circle,
        frequency=old.frequency,
        first_start=draft.starts_at,
        until=old.until,
        generated_until=old.generated_until,
        created_by=actor,
    )
    _series_template(new, draft)
    new.save()
    new.facilitators.set(draft.facilitators)
    old.until = pivot
    old.save(update_fields=["until"])

    # Each occurrence keeps its place in the rule: the k-th after the pivot in the old
    # series becomes the k-th of the new one (a cancelled one in between keeps its slot).
    utc = zoneinfo.ZoneInfo("UTC")
    old_rule = build_rule(old.frequency, old.first_start, old.time_zone)
    last = max(
        [pivot, *old.meetings.filter(pk__in=following).values_list("occurrence_start", flat=True)]
    )
    zone = zoneinfo.ZoneInfo(old.time_zone) if old.time_zone else utc
    slots = {
        start.astimezone(utc): index
        for index, start in enumerate(
            old_rule.between(pivot.astimezone(zone), last.astimezone(zone), inc=True)
        )
    }
    targets = {
        meeting_id: slots.get(start)
        for meeting_id, start in old.meetings.filter(pk__in=following).values_list(
            "pk", "occurrence_start"
        )
    }
    new_rule = build_rule(new.frequency, new.first_start, new.time_zone)
    new_starts = [
        start.astimezone(utc) for start in islice(new_rule, max([0, *slots.values()]) + 1)
    ]
    moves = [(meeting.pk, new_starts[0])] + [
        (meeting_id, new_starts[targets[meeting_id]])
        for meeting_id in following
        if targets.get(meeting_id) is not None
    ]
    for meeting_id, occurrence in moves:
        target = meeting if meeting_id == meeting.pk else lock_meeting(meeting_id)
        if new.until is not None and occurrence >= new.until:
            _cancel_locked(actor, target, "This meeting no longer fits the series.", now)
            continue
        _edit_locked(actor, target, _draft_at(draft, occurrence), now)
        Meeting.objects.filter(pk=target.pk).update(series=new, occurrence_start=occurrence)
    _audit(actor, "meetings.series.split", meeting, series_id=old.pk, new_series_id=new.pk)
    meeting.refresh_from_db()
    return meeting


def _draft_at(draft: MeetingDraft, starts_at) -> MeetingDraft:
    return MeetingDraft(**{**draft.__dict__, "starts_at": starts_at})


def _cancel_locked(actor, meeting: Meeting, reason: str, now, *, by_staff=False) -> bool:
    if meeting.status == Meeting.Status.CANCELLED:
        return False
    if meeting.status != Meeting.Status.SCHEDULED or meeting.ends_at <= now:
        raise Refused("bad_request", "This meeting has already happened, so it can't be cancelled.")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.revision = F("revision") + 1
    meeting.save(update_fields=["status", "cancel_reason", "revision", "updated_at"])
    meeting.refresh_from_db(fields=["revision"])
    notify(
        _people_answering(meeting),
        Notification.Kind.CANCELLED,
        meeting,
        lambda person: (
            f"“{meeting.title}” on {when_for(person, meeting.starts_at)} is "
            f"cancelled. The facilitator said: {reason}"
        ),
    )
    _audit(actor, "meetings.meeting.cancelled", meeting, reason, by_staff=by_staff or None)
    transaction.on_commit(partial(_close_room_of_cancelled, meeting.pk))
    return True


def _close_room_of_cancelled(meeting_id: int) -> None:
    """Anyone already in the room of a cancelled meeting sees it end."""
    if store.load_state(meeting_id) is not None:
        system.end_room(meeting_id)


def cancel_meeting(actor, meeting: Meeting, reason: str, *, apply_to=THIS, now=None) -> int:
    """Cancel a meeting (or it and every later one of its series) and tell everyone who
    answered going or waitlisted, with the reason. Returns how many were cancelled;
    cancelling a cancelled meeting changes nothing."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise Refused("bad_request", "Please give a reason: it is sent to everyone who answered.")
    if len(reason) > 500:
        raise Refused("bad_request", "Please keep the reason under 500 characters.")
    if apply_to not in (THIS, FOLLOWING):
        raise Refused("bad_request", "Choose this meeting only, or this and the following ones.")
    with transaction.atomic():
        meeting = lock_meeting(meeting.pk)
        if not permissions.can_manage_meeting(actor, meeting):
            raise Refused("forbidden", permissions.MANAGE_REFUSAL)
        cancelled = int(_cancel_locked(actor, meeting, reason, now))
        if apply_to == FOLLOWING and meeting.series_id is not None:
            series = MeetingSeries.objects.select_for_update().get(pk=meeting.series_id)
            pivot = meeting.occurrence_start or meeting.starts_at
            series.until = pivot
            series.save(update_fields=["until"])
            later = series.meetings.filter(
                occurrence_start__gt=pivot, status=Meeting.Status.SCHEDULED
            ).order_by("occurrence_start")
            for meeting_id in later.values_list("pk", flat=True):
                cancelled += _cancel_locked(actor, lock_meeting(meeting_id), reason, now)
    return cancelled


# --- Notifications ------------------------------------------------------------------------


def mark_notifications_read(user, *, now=None) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def cancel_meeting_as_staff(actor, meeting: Meeting, reason: str = "") -> int:
    """Site staff cancel from the admin (for example a meeting that breaks the rules)."""
    if not circle_permissions.is_staff(actor):
        raise Refused("forbidden", "Only site staff can cancel from the admin.")
    with transaction.atomic():
        meeting = lock_meeting(meeting.pk)
        reason = reason.strip() or "Cancelled by Hearth's staff."
        return int(_cancel_locked(actor, meeting, reason, timezone.now(), by_staff=True))
