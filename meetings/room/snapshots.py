"""The frames the server builds from a room's state: each person's ``state`` snapshot,
the support alert a facilitator is sent, the room's next deadline, and the one JSON
encoding every frame travels in."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from meetings.room import rules
from meetings.room.models import Share
from meetings.room.rules import Participant, RoomState


def encode(frame: dict[str, Any]) -> str:
    """The one JSON encoding of a frame."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def snapshot(meeting_id: int, state: RoomState, participant_id: int | None) -> dict[str, Any]:
    """The ``state`` frame for one participant: the public state, who they are, and the
    shares (with their text) that are still visible."""
    frame = {"type": "state", **rules.public_state(state)}
    me = state.participant(participant_id)
    frame["you"] = None if me is None else _you(me, meeting_id)
    if me is not None and me.can_moderate:
        frame["not_shared_yet"] = rules.not_shared_yet(state)
        frame["support_alerts"] = rules.open_alerts(state)
    metas = {meta.share_id: meta for meta in state.shares if not meta.hidden}
    shares = Share.objects.filter(
        meeting_id=meeting_id, share_id__in=list(metas), hidden_at__isnull=True
    ).order_by("share_id")
    frame["shares"] = [_share_public(share, metas[share.share_id], me) for share in shares]
    return frame


def _you(me: Participant, meeting_id: int) -> dict[str, Any]:
    return {
        "participant_id": me.participant_id,
        "display_name": me.display_name,
        "role": me.role,
        "muted": me.muted,
        "can_moderate": me.can_moderate,
        "mute": mute_of(meeting_id, me) if me.muted else None,
    }


def mute_of(meeting_id: int, me: Participant) -> dict[str, Any]:
    """What a muted person is told of their mute: moderation's mute in the circle (until
    when), or a facilitator's in this room (until they unmute, at most the meeting)."""
    from circles.models import Membership

    until = (
        Membership.objects.filter(
            user_id=me.user_id, circle__meetings=meeting_id, muted_until__gt=timezone.now()
        )
        .values_list("muted_until", flat=True)
        .first()
    )
    if until is not None:
        return {"scope": "circle", "until": until.isoformat()}
    return {"scope": "meeting", "until": None}


def _share_public(share: Share, meta: rules.ShareMeta, me: Participant | None) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for _pid, kind in meta.reactions:
        counts[kind] = counts.get(kind, 0) + 1
    mine = sorted(kind for pid, kind in meta.reactions if me and pid == me.participant_id)
    return {
        "share_id": share.share_id,
        "participant_id": share.participant_id,
        "display_name": share.author_name,
        "text": share.text,
        "content_warning": share.content_warning,
        "created_at": share.created_at.isoformat(),
        "reactions": {kind: counts[kind] for kind in rules.REACTION_KINDS if kind in counts},
        "my_reactions": mine,
    }


def alert_frame(state: RoomState, alert: rules.SupportAlert) -> dict[str, Any]:
    opened = next(a for a in rules.open_alerts(state) if a["alert_id"] == alert.alert_id)
    return {"type": "support_alert", **opened}


def timer_of(state: RoomState) -> list | None:
    """The room's next deadline as ``[turn_id, iso moment]`` (JSON-safe), or None."""
    deadline = rules.next_deadline(state)
    return None if deadline is None else [deadline[0], deadline[1].isoformat()]
