"""The room's turn timers in one process, as a plain class.

One timer per room per event loop: every consumer of the room offers the deadline it
last saw, and the newest offer (by seq) wins. When a timer fires it calls ``expire``
(the idempotent ``Expire`` through the store); timers on other processes (and the
Celery backstop) may fire too, and all but the first are no-ops. The clock, the sleep
and the jitter are injected, so the class is tested without sockets or waiting.
"""

from __future__ import annotations

import asyncio
import random
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime

from django.utils import timezone

TIMER_MARGIN_SECONDS = 0.05  # fire just after the deadline, never just before it
TIMER_JITTER_SECONDS = 0.1  # so the timers of many processes do not all wake at once

Deadline = list  # [turn_id, ISO moment], as the broadcasts carry it


def _jitter() -> float:
    return random.uniform(0, TIMER_JITTER_SECONDS)  # noqa: S311 - not for security


class TurnTimers:
    def __init__(
        self,
        expire: Callable[[int, int], Awaitable[None]],
        *,
        now: Callable[[], datetime] = timezone.now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = _jitter,
    ) -> None:
        self._expire = expire
        self._now = now
        self._sleep = sleep
        self._jitter = jitter
        self._rooms: dict[int, tuple[int, Deadline, asyncio.Task]] = {}

    def offer(self, meeting_id: int, seq: int, deadline: Deadline | None) -> None:
        """The room's deadline as of ``seq`` (None: no deadline). An older offer than the
        one armed is ignored; the same deadline keeps the timer that is running."""
        current = self._rooms.get(meeting_id)
        if current is not None:
            current_seq, current_deadline, task = current
            if seq < current_seq or (deadline == current_deadline and not task.done()):
                return
            if deadline != current_deadline:
                task.cancel()
        if deadline is None:
            self._rooms.pop(meeting_id, None)
            return
        turn_id, moment = deadline
        task = asyncio.create_task(self._fire(meeting_id, turn_id, datetime.fromisoformat(moment)))
        self._rooms[meeting_id] = (seq, deadline, task)

    def armed(self, meeting_id: int) -> Deadline | None:
        """The deadline the room's timer waits for, if one is waiting."""
        current = self._rooms.get(meeting_id)
        return None if current is None or current[2].done() else current[1]

    async def _fire(self, meeting_id: int, turn_id: int, moment: datetime) -> None:
        delay = (moment - self._now()).total_seconds() + TIMER_MARGIN_SECONDS
        await self._sleep(max(delay, 0) + self._jitter())
        await self._expire(meeting_id, turn_id)


_per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def of_running_loop(expire: Callable[[int, int], Awaitable[None]]) -> TurnTimers:
    """The running event loop's timers (made on first use, with ``expire``)."""
    loop = asyncio.get_running_loop()
    timers = _per_loop.get(loop)
    if timers is None:
        timers = _per_loop[loop] = TurnTimers(expire)
    return timers
