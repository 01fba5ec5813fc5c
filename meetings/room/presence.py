"""Which server process holds which socket, so a process that dies is noticed.

A socket that closes tells the room (``store.leave``): the person is no longer present
and, if they hold the talking piece, their 30-second reconnect grace starts. So does a
consumer that dies (``RoomConsumer._release``). A process that stops without closing its
sockets never says so, nor does a consumer that died while the database was away. So
each open socket is a ``RoomConnection`` row naming its process, every process refreshes
the heartbeat of the rows of its live sockets (those still attached to a relay), and the
Celery backstop ``release_lost_connections`` treats rows whose heartbeat stopped as
closed sockets. The beat shares its trip to the database with the relay's look at each
room's seq (``relay._keep_watch``).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from meetings.room import store
from meetings.room.models import RoomConnection

log = logging.getLogger("hearth.room")

SERVER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
HEARTBEAT_SECONDS = 20
LOST_AFTER = timedelta(seconds=75)


def opened(meeting_id: int, participant_id: int) -> int:
    """Record a socket this process opened; returns the record's id for ``closed``."""
    return RoomConnection.objects.create(
        meeting_id=meeting_id,
        participant_id=participant_id,
        server=SERVER,
        heartbeat_at=timezone.now(),
    ).pk


def closed(connection_id: int) -> bool:
    """Forget a socket that closed; False when the backstop already released it."""
    deleted, _ = RoomConnection.objects.filter(pk=connection_id).delete()
    return bool(deleted)


def beat(connection_ids: Iterable[int], now: datetime | None = None) -> int:
    """These sockets of this process are alive: refresh their heartbeat. Only those: the
    process being alive says nothing of a socket whose consumer died without deleting
    its record (``relay.live_connections`` names the live ones). A heartbeat younger
    than one beat is left as it is, so each row is written every other beat at most
    (at most about ``2 * HEARTBEAT_SECONDS`` old, well inside ``LOST_AFTER``)."""
    ids = list(connection_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    return RoomConnection.objects.filter(
        server=SERVER, pk__in=ids, heartbeat_at__lte=now - timedelta(seconds=HEARTBEAT_SECONDS)
    ).update(heartbeat_at=now)


def release_lost_connections(now: datetime | None = None) -> int:
    """Disconnect, in their rooms, the sockets of processes whose heartbeat stopped;
    returns how many. Safe to run twice at once: each row is claimed under its lock."""
    now = now or timezone.now()
    lost = RoomConnection.objects.filter(heartbeat_at__lt=now - LOST_AFTER)
    released = 0
    for connection_id in lost.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            row = (
                RoomConnection.objects.select_for_update(skip_locked=True)
                .filter(pk=connection_id)
                .first()
            )
            if row is None:
                continue
            row.delete()
            store.leave(row.meeting_id, row.participant_id, now=now)
            released += 1
            log.info(
                "room lost connection meeting=%s participant=%s server=%s",
                row.meeting_id,
                row.participant_id,
                row.server,
            )
    return released
