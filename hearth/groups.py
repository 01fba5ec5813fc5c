"""Every channel-layer group's name, in one place. A group is spelled only by these.

- ``room_group``: every socket in one meeting's room, on every server process.
- ``moderators_group``: the room's connected facilitators, hosts and staff (support
  alerts, report answers).
- ``participant_group``: every socket of one participant of a room (a nudge).
- ``user_group``: every socket of one account (moderation closes them on a suspension).
"""


def room_group(meeting_id: int) -> str:
    return f"room.{meeting_id}"


def moderators_group(meeting_id: int) -> str:
    return f"room.{meeting_id}.moderators"


def participant_group(meeting_id: int, participant_id: int) -> str:
    return f"room.{meeting_id}.participant.{participant_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"
