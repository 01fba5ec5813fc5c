"""What the room keeps about a person: for "download my data" and for deleting an account.

``export_room_data(user)`` is a ``members.data`` section; ``forget_user(user)`` is for the
account's ``pre_delete``: the person's shares stay (until the retention purge) as "a
former member", and their name leaves every room's state.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import connection
from django.db.models import Q

from meetings.room import store
from meetings.room.models import Reaction, Room, Share
from meetings.room.rules import RoomState
from members.models import display_name_of


def export_room_data(user) -> dict[str, Any]:
    """The shares this person wrote (still kept) and the reactions they gave."""
    shares = Share.objects.filter(author=user).select_related("meeting").order_by("created_at")
    reactions = Reaction.objects.filter(user=user).select_related("share__meeting")
    return {
        "shares": [
            {
                "meeting": share.meeting.title,
                "meeting_id": share.meeting_id,
                "created_at": share.created_at.isoformat(),
                "content_warning": share.content_warning,
                "text": share.text,
                "hidden": share.hidden_at is not None,
            }
            for share in shares
        ],
        "reactions": [
            {
                "meeting_id": reaction.share.meeting_id,
                "share_id": reaction.share.share_id,
                "kind": reaction.kind,
                "created_at": reaction.created_at.isoformat(),
            }
            for reaction in reactions
        ],
    }


def forget_user(user) -> int:
    """Replace the person's name in their shares and in every room's state by "a former
    member"; returns how many rooms changed. Safe to repeat. Each room is changed through
    the store (under its row lock, as a new revision), with no event: the name returns
    only in the next snapshot."""
    former = display_name_of(None)
    store.rename_author(user.pk, former)
    changed = 0

    def forget(state: RoomState) -> RoomState:
        nonlocal changed
        participants = tuple(
            replace(p, display_name=former)
            if p.user_id == user.pk and p.display_name != former
            else p
            for p in state.participants
        )
        alerts = tuple(  # their support requests: name and note
            replace(a, display_name=former, note="")
            if a.user_id == user.pk and a.display_name != former
            else a
            for a in state.alerts
        )
        changed += sum(
            new is not old for new, old in zip(participants, state.participants, strict=True)
        )
        changed += sum(new is not old for new, old in zip(alerts, state.alerts, strict=True))
        return replace(state, participants=participants, alerts=alerts)

    for meeting_id in _rooms_with(user.pk):
        store.rewrite_state(meeting_id, forget)
    return changed


def _rooms_with(user_id: int) -> list[int]:
    rooms = Room.objects.all()
    if connection.vendor == "postgresql":  # jsonb containment, on the server
        rooms = rooms.filter(
            Q(state__participants__contains=[{"user_id": user_id}])
            | Q(state__alerts__contains=[{"user_id": user_id}])
        )
    return [
        pk
        for pk, state in rooms.values_list("pk", "state")
        if any(p["user_id"] == user_id for p in state.get("participants", []))
        or any(a.get("user_id") == user_id for a in state.get("alerts", []))
    ]
