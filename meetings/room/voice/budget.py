"""Voice frames' own rate budget, apart from the room commands' (meetings.room.limits).

Joining a room of twelve takes a few dozen frames in a second, which the commands' 20 in
10 seconds would refuse; a runaway page still meets this one. Counted per account in the
shared cache, like the commands' budget, so more tabs or server processes never buy more.
While the cache is away nobody is limited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hearth.cache import count_in_window
from meetings.room import limits

log = logging.getLogger("hearth.room")


def within_budget(user_id: int, count: Callable[[str, int], int] = count_in_window) -> bool:
    """Count one voice frame of the account; whether it is still within the budget."""
    try:
        used = count(f"room:voice-rate:{user_id}", limits.VOICE_RATE_LIMIT_SECONDS)
    except Exception as error:
        log.warning("room voice rate not counted: %s", type(error).__name__)
        return True
    return used <= limits.VOICE_RATE_LIMIT_FRAMES
