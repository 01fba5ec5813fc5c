"""The process's turn timers, with a fake clock and sleep: no socket, no waiting."""

import asyncio
from datetime import UTC, datetime, timedelta

from meetings.room.turn_timers import TIMER_MARGIN_SECONDS, TurnTimers

NOW = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def deadline(turn_id, seconds):
    return [turn_id, (NOW + timedelta(seconds=seconds)).isoformat()]


class Harness:
    """Timers whose sleeps wait on the test, which releases them one by one."""

    def __init__(self):
        self.fired = []
        self.slept = []
        self.wake = asyncio.Event()
        self.timers = TurnTimers(self.expire, now=lambda: NOW, sleep=self.sleep, jitter=lambda: 0)

    async def expire(self, meeting_id, turn_id):
        self.fired.append((meeting_id, turn_id))

    async def sleep(self, seconds):
        self.slept.append(seconds)
        await self.wake.wait()

    async def settle(self):
        for _ in range(5):
            await asyncio.sleep(0)

    async def release(self):
        self.wake.set()
        await self.settle()


def run(scenario):
    async def main():
        harness = Harness()
        await scenario(harness)
        return harness

    return asyncio.run(main())


def test_a_timer_fires_the_expiry_of_its_turn_just_after_the_deadline():
    async def scenario(h):
        h.timers.offer(1, 5, deadline(7, 30))
        await h.settle()
        assert h.slept == [30 + TIMER_MARGIN_SECONDS]
        await h.release()

    assert run(scenario).fired == [(1, 7)]


def test_an_older_offer_never_replaces_the_newer_one():
    async def scenario(h):
        h.timers.offer(1, 5, deadline(8, 60))
        h.timers.offer(1, 4, deadline(7, 30))
        assert h.timers.armed(1) == deadline(8, 60)
        await h.release()

    assert run(scenario).fired == [(1, 8)]


def test_a_newer_deadline_cancels_the_old_timer_and_none_cancels_it_outright():
    async def scenario(h):
        h.timers.offer(1, 5, deadline(7, 30))
        h.timers.offer(1, 6, deadline(8, 60))
        h.timers.offer(2, 3, deadline(4, 10))
        h.timers.offer(2, 4, None)
        assert h.timers.armed(2) is None
        await h.release()

    assert run(scenario).fired == [(1, 8)]


def test_many_sockets_offering_the_same_deadline_share_one_timer():
    async def scenario(h):
        for seq in (5, 5, 6):
            h.timers.offer(1, seq, deadline(7, 30))
        await h.settle()
        assert len(h.slept) == 1
        await h.release()

    assert run(scenario).fired == [(1, 7)]


def test_a_deadline_already_past_fires_without_waiting():
    async def scenario(h):
        h.timers.offer(1, 5, deadline(7, -10))
        await h.settle()
        assert h.slept == [0]
        await h.release()

    assert run(scenario).fired == [(1, 7)]
