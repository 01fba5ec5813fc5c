"""The room socket's side of voice: a voice frame in, its addressee's sockets out.

``RoomConsumer`` hands every ``voice_*`` frame to ``receive`` before its command path, and
delivers the ``voice.signal`` messages this sends to the addressee's participant group
(on whichever server process their sockets are). Nothing here is stored or logged but the
refusal's code.
"""

from __future__ import annotations

import json
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from circles.models import Circle
from hearth import groups
from hearth.refusal import REFUSAL_MESSAGES, Refused
from meetings.room import snapshots, store
from meetings.room.protocol import error_frame, ref_of
from meetings.room.rules import RoomState
from meetings.room.voice import budget, signaling

log = logging.getLogger("hearth.room")

SIGNAL_MESSAGE = "voice.signal"  # the channel-layer message type; RoomConsumer.voice_signal


def voice_frame_of(text: str | None) -> dict | None:
    """The decoded frame if ``text`` is a voice frame, else None (the command path's)."""
    if text is None or '"voice_' not in text:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if signaling.is_voice_frame(data) else None


async def receive(consumer, data: dict) -> None:
    """Check the frame and forward it, or answer the sender with an ``error``."""
    try:
        to, frame = await database_sync_to_async(_judge)(
            consumer.meeting_id, consumer.participant_id, consumer.user_id, data
        )
    except Refused as refusal:
        await consumer.send(text_data=snapshots.encode(_refusal_frame(refusal, data)))
        return
    except Exception:  # the database or the cache is away: say so, keep the socket
        log.exception("room voice frame failed meeting=%s", consumer.meeting_id)
        frame = error_frame("unavailable", REFUSAL_MESSAGES["unavailable"], ref_of(data))
        await consumer.send(text_data=snapshots.encode(frame))
        return
    group = groups.participant_group(consumer.meeting_id, to)
    await consumer.channel_layer.group_send(group, {"type": SIGNAL_MESSAGE, "frame": frame})


def _refusal_frame(refusal: Refused, data: dict) -> dict:
    return error_frame(refusal.code, refusal.message, ref_of(data))


def _judge(meeting_id: int, participant_id: int, user_id: int, data: dict) -> tuple[int, str]:
    """The addressee and the encoded frame they get; raises ``Refused``."""
    if not budget.within_budget(user_id):
        raise Refused("rate_limited")
    frame = signaling.parse(data)
    enabled = Circle.objects.filter(meetings__pk=meeting_id, voice_enabled=True).exists()
    state = (store.load_state(meeting_id) if enabled else None) or RoomState()
    signaling.check(
        state,
        participant_id,
        frame,
        enabled=enabled,
        max_voices=settings.VOICE_MAX_PARTICIPANTS,
    )
    return frame.to, snapshots.encode(signaling.forwarded(frame, participant_id))
