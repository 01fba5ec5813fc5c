"""The room's state as JSON for the database, and back, exactly.

The store keeps ``core_to_json`` in ``Room.state`` and each share's ``share_to_json`` in
``Room.shares``; ``from_json`` reads what either wrote, rows from before a field existed
included. Nothing here is ever sent to a client: ``meetings.room.public`` decides that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetings.room import values


def to_json(state: values.RoomState) -> dict[str, Any]:
    """The state as JSON-safe values, for a database JSON column."""
    return {**core_to_json(state), "shares": [share_to_json(s) for s in state.shares]}


def core_to_json(state: values.RoomState) -> dict[str, Any]:
    """``to_json`` without the shares, which grow all meeting long: the store keeps
    them in a column of their own and writes only the ones a command changed."""
    return {
        "status": state.status,
        "mode": state.mode,
        "locked": state.locked,
        "turn_seconds": state.turn_seconds,
        "seq": state.seq,
        "participants": [_participant_to_json(p) for p in state.participants],
        "queue": list(state.queue),
        "holder": None if state.holder is None else _holder_to_json(state.holder),
        "alerts": [_alert_to_json(a) for a in state.alerts],
        "next_participant_id": state.next_participant_id,
        "next_turn_id": state.next_turn_id,
        "next_share_id": state.next_share_id,
        "next_alert_id": state.next_alert_id,
    }


def from_json(data: dict[str, Any]) -> values.RoomState:
    """The state ``to_json`` wrote, exactly."""
    return values.RoomState(
        status=data["status"],
        mode=data["mode"],
        locked=data["locked"],
        turn_seconds=data["turn_seconds"],
        seq=data["seq"],
        participants=tuple(_participant_from_json(p) for p in data["participants"]),
        queue=tuple(data["queue"]),
        holder=None if data["holder"] is None else _holder_from_json(data["holder"]),
        shares=tuple(_share_from_json(s) for s in data["shares"]),
        alerts=tuple(_alert_from_json(a) for a in data.get("alerts", ())),
        next_participant_id=data["next_participant_id"],
        next_turn_id=data["next_turn_id"],
        next_share_id=data["next_share_id"],
        next_alert_id=data.get("next_alert_id", 1),
    )


def _participant_to_json(participant: values.Participant) -> dict[str, Any]:
    return {
        "participant_id": participant.participant_id,
        "user_id": participant.user_id,
        "display_name": participant.display_name,
        "role": participant.role,
        "seat": participant.seat,
        "connections": participant.connections,
        "muted": participant.muted,
        "removed": participant.removed,
        "away": participant.away,
        "away_at": values.iso(participant.away_at),
        "leave_queue_at": values.iso(participant.leave_queue_at),
    }


def _participant_from_json(data: dict[str, Any]) -> values.Participant:
    """A participant as ``_participant_to_json`` wrote it (rows from before issue 11 have
    no away fields)."""
    return values.Participant(
        **{key: data[key] for key in _PARTICIPANT_KEYS},
        away=data.get("away", False),
        away_at=_from_iso(data.get("away_at")),
        leave_queue_at=_from_iso(data.get("leave_queue_at")),
    )


_PARTICIPANT_KEYS = (
    "participant_id",
    "user_id",
    "display_name",
    "role",
    "seat",
    "connections",
    "muted",
    "removed",
)


def _alert_to_json(alert: values.SupportAlert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "reason": alert.reason,
        "participant_id": alert.participant_id,
        "display_name": alert.display_name,
        "created_at": values.iso(alert.created_at),
        "note": alert.note,
        "share_id": alert.share_id,
        "acknowledged_by": None if alert.acknowledged_by is None else list(alert.acknowledged_by),
        "user_id": alert.user_id,
    }


def _alert_from_json(data: dict[str, Any]) -> values.SupportAlert:
    by = data["acknowledged_by"]
    return values.SupportAlert(
        alert_id=data["alert_id"],
        reason=data["reason"],
        participant_id=data["participant_id"],
        display_name=data["display_name"],
        created_at=_from_iso(data["created_at"]),
        note=data["note"],
        share_id=data["share_id"],
        acknowledged_by=None if by is None else (by[0], by[1]),
        user_id=data.get("user_id"),
    )


def _from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _holder_to_json(holder: values.Holder) -> dict[str, Any]:
    return {
        "participant_id": holder.participant_id,
        "turn_id": holder.turn_id,
        "deadline": values.iso(holder.deadline),
        "remaining": holder.remaining,
        "grace_deadline": values.iso(holder.grace_deadline),
        "held": holder.held,
    }


def _holder_from_json(data: dict[str, Any]) -> values.Holder:
    return values.Holder(
        participant_id=data["participant_id"],
        turn_id=data["turn_id"],
        deadline=_from_iso(data["deadline"]),
        remaining=data["remaining"],
        grace_deadline=_from_iso(data["grace_deadline"]),
        held=data.get("held", False),
    )


def share_to_json(share: values.ShareMeta) -> dict[str, Any]:
    return {
        "share_id": share.share_id,
        "participant_id": share.participant_id,
        "turn_id": share.turn_id,
        "hidden": share.hidden,
        "reactions": [list(reaction) for reaction in sorted(share.reactions)],
    }


def _share_from_json(data: dict[str, Any]) -> values.ShareMeta:
    return values.ShareMeta(
        share_id=data["share_id"],
        participant_id=data["participant_id"],
        turn_id=data["turn_id"],
        hidden=data["hidden"],
        reactions=frozenset((pid, kind) for pid, kind in data["reactions"]),
    )
