"""One socket's ordering of the room's event batches, as a plain class.

Batches of events (one per command, ``first_seq``..``last_seq``) may overtake each other
on the way, or arrive before the socket's first ``state`` frame. The ``Sequencer`` says
what to do with each: drop it (already delivered), keep it (too early), or deliver it
now; which frames of a batch are still new; and when a socket is behind the room and
needs the whole state again (a catch-up look or a recovery). It sends nothing and does
no I/O: the consumer acts on its answers.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

Batch = dict[str, Any]


class Verdict(Enum):
    OLD = "old"  # every event of it was delivered already
    KEPT = "kept"  # no state frame yet: the first one sorts it out
    GAP = "gap"  # a batch before it is missing: kept until that one comes (or a resync)
    NEXT = "next"  # deliver it now


class Sequencer:
    def __init__(self) -> None:
        self.last_seq = 0
        self.seated = False
        self.waiting: dict[int, Batch] = {}
        self._catch_up_mark: int | None = None

    def offer(self, batch: Batch) -> Verdict:
        """A batch arrived: what to do with it (early ones are kept here)."""
        if batch["last_seq"] <= self.last_seq:
            return Verdict.OLD
        if not self.seated:
            self.waiting[batch["first_seq"]] = batch
            return Verdict.KEPT
        if batch["first_seq"] > self.last_seq + 1:
            self.waiting[batch["first_seq"]] = batch
            return Verdict.GAP
        return Verdict.NEXT

    def take(self, batch: Batch) -> list[str]:
        """The batch's frames not delivered yet; the socket is at its ``last_seq`` after."""
        skip = self.last_seq - batch["first_seq"] + 1
        self.last_seq = batch["last_seq"]
        return batch["frames"][max(skip, 0) :]

    def next_waiting(self) -> Batch | None:
        """The kept batch that comes next, if it is here (stale ones are dropped)."""
        for first_seq in sorted(self.waiting):
            if first_seq > self.last_seq + 1:
                return None
            batch = self.waiting.pop(first_seq)
            if batch["last_seq"] > self.last_seq:
                return batch
        return None

    def seat(self, seq: int) -> None:
        """A ``state`` frame at ``seq`` is being sent: kept batches it covers are dropped."""
        self.last_seq = max(self.last_seq, seq)
        self.seated = True
        self.waiting = {k: b for k, b in self.waiting.items() if b["last_seq"] > self.last_seq}

    def behind(self, seq: int) -> bool:
        """The room was at ``seq``: has this seated socket missed any of it?"""
        return self.seated and self.last_seq < seq

    def catch_up(self, seq: int) -> int | None:
        """The room was at ``seq`` at the relay's look now. When the socket is still short
        of what the room had at the look before (events take milliseconds on the way and
        the looks are seconds apart, so it missed one), that seq; otherwise None."""
        missed, self._catch_up_mark = self._catch_up_mark, seq
        return missed if missed is not None and self.behind(missed) else None

    @property
    def has_waiting(self) -> bool:
        return bool(self.waiting)
