"""The talking circle's Celery beat tasks: the turn-timer backstop, closing rooms, and the
retention purge of shares. Each is safe to run twice, and at any time.

Beat entries (see docs/room.md): ``expire_due_turns`` every 5 seconds,
``release_lost_connections`` every 30 seconds, ``close_rooms`` every minute,
``purge_expired_shares`` every 15 minutes.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from meetings.models import ROOM_GRACE_AFTER_END, Meeting
from meetings.room import presence, store, system
from meetings.room.models import Room, Share

log = logging.getLogger("hearth.room")


@shared_task(ignore_result=True)
def expire_due_turns() -> int:
    """End turns whose time (or reconnect grace) ran out while no server's timer did it:
    the rooms' deadlines fire even with nobody connected."""
    fired = store.expire_due()
    if fired:
        log.info("room backstop expired turns=%s", fired)
    return fired


@shared_task(ignore_result=True)
def release_lost_connections() -> int:
    """Disconnect in their rooms the sockets of server processes that stopped without
    closing them (their heartbeat ran out), so a holder's reconnect grace starts."""
    return presence.release_lost_connections()


@shared_task(ignore_result=True)
def close_rooms() -> int:
    """End every room 30 minutes after its meeting's scheduled end (if nobody ended it)."""
    now = timezone.now()
    candidates = (
        Room.objects.exclude(status="ended")
        .filter(meeting__starts_at__lt=now - ROOM_GRACE_AFTER_END)
        .select_related("meeting")
    )
    closed = 0
    for room in candidates:
        if room.meeting.closes_at <= now:
            system.end_room(room.meeting_id, now=now)
            closed += 1
    if closed:
        log.info("room close rooms=%s", closed)
    return closed


@shared_task(ignore_result=True)
def purge_expired_shares() -> int:
    """Delete what was said in meetings whose circle's retention time has passed since the
    meeting ended (the meeting's ``ended_at``, or its scheduled end), the rooms' records of
    commands (``CommandRecord``) once a room has ended (no command reaches an ended room,
    and none is kept past its meeting's shares), and follow-ups closed more than
    ``HEARTH_FOLLOW_UP_RETENTION_DAYS`` ago. Returns the shares purged."""
    now = timezone.now()
    meeting_ids = (
        Share.objects.filter(meeting__starts_at__lt=now - timedelta(hours=1))
        .values_list("meeting_id", flat=True)
        .distinct()
    )
    purged = 0
    meetings = Meeting.objects.filter(pk__in=list(meeting_ids)).select_related("circle")
    for meeting in meetings:
        ended = meeting.ended_at or meeting.ends_at
        if ended + timedelta(hours=meeting.circle.retention_hours) <= now:
            purged += store.purge_said(meeting.pk)
    store.forget_commands_of_ended_rooms()
    if purged:
        log.info("room purge rows=%s", purged)
    # Follow-ups closed longer ago than their retention go in the same sweep.
    from meetings.followups.actions import purge_closed_follow_ups

    purge_closed_follow_ups(now)
    return purged
