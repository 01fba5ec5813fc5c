"""What each person in the talking circle may see of its state.

``public_state`` is the snapshot everyone receives (``meetings.room.frames`` adds the
private parts: one's own participant id, facilitators' alerts); ``participant_public``,
``room_public`` and ``holder_public`` are also the payloads of the rules' events, so a
snapshot plus the events since always equals a fresh snapshot. A user id, a share's text
or a support note never leaves through here except to the facilitators it is meant for.
"""

from __future__ import annotations

from typing import Any

from meetings.room.values import Holder, Participant, RoomState, SupportAlert, iso


def participant_public(participant: Participant) -> dict[str, Any]:
    """What everyone in the room may see of a participant (never their user id)."""
    return {
        "participant_id": participant.participant_id,
        "display_name": participant.display_name,
        "role": participant.role,
        "present": participant.present,
        "muted": participant.muted,
        "away": participant.away,
    }


def public_state(state: RoomState) -> dict[str, Any]:
    """The snapshot sent on connect and on sync; events then bring it up to date."""
    return {
        "seq": state.seq,
        "room": room_public(state),
        "holder": None if state.holder is None else holder_public(state.holder),
        "queue": list(state.queue),
        "participants": [participant_public(p) for p in state.seated()],
    }


def room_public(state: RoomState) -> dict[str, Any]:
    return {
        "status": state.status,
        "mode": state.mode,
        "locked": state.locked,
        "turn_seconds": state.turn_seconds,
    }


def holder_public(holder: Holder) -> dict[str, Any]:
    return {
        "participant_id": holder.participant_id,
        "turn_id": holder.turn_id,
        "deadline": iso(holder.deadline),
        "remaining": holder.remaining,
    }


def alert_public(alert: SupportAlert) -> dict[str, Any]:
    """What facilitators are shown of a support alert (the ``support_alert`` frame's
    fields); ``holds_piece`` is filled in by whoever knows the state it was opened in."""
    return {
        "alert_id": alert.alert_id,
        "reason": alert.reason,
        "participant_id": alert.participant_id,
        "display_name": alert.display_name,
        "note": alert.note,
        "share_id": alert.share_id,
        "created_at": iso(alert.created_at),
    }


def open_alerts(state: RoomState) -> list[dict[str, Any]]:
    """The support alerts nobody has acknowledged yet, oldest first (facilitators only)."""
    return [
        {**alert_public(a), "holds_piece": _held_for(state, a.participant_id)}
        for a in state.alerts
        if a.acknowledged_by is None
    ]


def _held_for(state: RoomState, participant_id: int | None) -> bool:
    holder = state.holder
    return holder is not None and holder.held and holder.participant_id == participant_id


def not_shared_yet(state: RoomState) -> list[int]:
    """Who in the room has not shared in this meeting yet, in seat order (facilitators
    only ever see this; nothing measures how long anyone spoke)."""
    shared = {share.participant_id for share in state.shares}
    return [p.participant_id for p in state.seated() if p.participant_id not in shared]
