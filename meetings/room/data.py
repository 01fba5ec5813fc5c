"""What the room keeps about a person: for "download my data" and for deleting an account.

``export_room_data(user)`` is a ``members.data`` section; ``forget_user(user)`` is for the
account's ``pre_delete``: the person's shares stay (until the retention purge) as "a
former member", and their name leaves every room's state.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from meetings.room.models import Reaction, Room, Share
from meetings.room.values import RoomState
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
    member"; returns how many rooms changed. Safe to repeat. Each room is changed under
    its row lock, with no event: the name returns only in the next snapshot."""
    former = display_name_of(None)
    Share.objects.filter(author=user).update(display_name=former)
    changed = 0
    for meeting_id in _rooms_with(user.pk):
        with transaction.atomic():
            room = Room.objects.select_for_update().get(pk=meeting_id)
            data = room.state
            for participant in data.get("participants", []):
                if participant["user_id"] == user.pk and participant["display_name"] != former:
                    participant["display_name"] = former
                    changed += 1
            for alert in data.get("alerts", []):  # their support requests: name and note
                if alert.get("user_id") == user.pk and alert["display_name"] != former:
                    alert.update(display_name=former, note="")
                    changed += 1
            RoomState.from_json({**data, "shares": room.shares})  # still a valid state
            # A new revision, or a process that remembers the old state (with the name)
            # would keep using it, and write it back with its next command.
            room.revision += 1
            room.save(update_fields=["state", "revision", "updated_at"])
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
