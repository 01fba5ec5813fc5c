"""The store's hand-written SQL against the ORM: lock + read + save of one room row.

``python -m bench.store_sql`` (on a migrated PostgreSQL database, ``DATABASE_URL``) builds
one room in the middle of a long meeting (12 people, 200 shares kept in its state) and
times, over ``BENCH_ITERATIONS`` transactions each (3,000 unless told):

- **read, state cached**: lock the row and read it when this process has decoded its
  revision already (the common case: every command after the first);
- **read, cold**: the same with nothing cached (the state is fetched and decoded);
- **save**: write a new state that changed no share (most commands);
- **save, one share more**: write a state with one share appended (a share);
- **claim a ref**: record a command's (participant, ref) as answered, learning whether
  it was already (``INSERT … ON CONFLICT DO NOTHING`` against ``get_or_create``).

each way: the store's own statements (``store._read``, ``store._save``), and the same
work with the ORM. It prints microseconds per transaction and asserts nothing. Figures
and their reading: docs/performance.md, "Hand-written SQL in the store".
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Case, F, JSONField, Value, When  # noqa: E402
from django.utils import timezone  # noqa: E402

from meetings.room import rules, state_cache, store  # noqa: E402
from meetings.room.models import CommandRecord, Room  # noqa: E402
from meetings.room.rules import RoomState  # noqa: E402

ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "3000"))
ROUNDS = 10


def _room() -> int:
    from meetings.models import Meeting
    from tests.factories import CircleFactory

    meeting = Meeting.objects.create(
        circle=CircleFactory(),
        title="Benchmark circle",
        starts_at=timezone.now(),
        duration_minutes=60,
        turn_seconds=120,
    )
    participants = tuple(
        rules.Participant(
            participant_id=i, user_id=10_000 + i, display_name=f"Person {i}", role="member", seat=i
        )
        for i in range(1, 13)
    )
    shares = tuple(
        rules.ShareMeta(share_id=i, participant_id=1 + i % 12, turn_id=i) for i in range(1, 201)
    )
    state = RoomState(participants=participants, shares=shares, seq=400, status="live")
    Room.objects.create(
        meeting=meeting,
        state=state.core_to_json(),
        shares=[rules.share_to_json(s) for s in shares],
    )
    return meeting.pk


def orm_read(meeting_id: int) -> tuple[int, RoomState]:
    """The store's ``_read(lock=True)`` with the ORM: the same CASE, as expressions."""
    cached_revision, cached_state = state_cache.cached(meeting_id)

    def unless_cached(column):
        return Case(
            When(revision=cached_revision, then=Value(None)),
            default=F(column),
            output_field=JSONField(),
        )

    revision, core, shares = (
        Room.objects.select_for_update()
        .filter(pk=meeting_id)
        .annotate(core=unless_cached("state"), share_list=unless_cached("shares"))
        .values_list("revision", "core", "share_list")
        .get()
    )
    if revision == cached_revision:
        return revision, cached_state
    state = RoomState.from_json({**core, "shares": shares})
    state_cache.remember_after_commit(meeting_id, revision, state)
    return revision, state


def orm_save(meeting_id: int, revision: int, before: RoomState, state: RoomState) -> None:
    """The store's ``_save`` with the ORM: one UPDATE; the shares column written whole."""
    turn, deadline = rules.next_deadline(state) or (None, None)
    assignments = {
        "state": state.core_to_json(),
        "seq": state.seq,
        "status": state.status,
        "next_deadline": deadline,
        "next_deadline_turn": turn,
        "updated_at": timezone.now(),
        "revision": revision + 1,
    }
    if state.shares is not before.shares:
        assignments["shares"] = [rules.share_to_json(share) for share in state.shares]
    Room.objects.filter(pk=meeting_id).update(**assignments)
    state_cache.remember_after_commit(meeting_id, revision + 1, state)


def orm_claim(meeting_id: int, ref: str) -> bool:
    """The store's ``_claim`` with the ORM."""
    _, created = CommandRecord.objects.get_or_create(
        meeting_id=meeting_id,
        participant_id=1,
        ref=ref,
        defaults={"fingerprint": "0" * 16, "created_at": timezone.now()},
    )
    return created


def _round(work) -> float:
    """Microseconds per transaction over one round; each transaction rolls back."""
    count = ITERATIONS // ROUNDS
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic():
            work()
            transaction.set_rollback(True)
    return (time.perf_counter() - started) / count * 1e6


def _compare(sql, orm) -> tuple[float, float]:
    """Medians over ROUNDS, the two ways taking turns (the machine's load hits both)."""
    rounds = [(_round(sql), _round(orm)) for _ in range(ROUNDS)]
    return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)


def main() -> None:
    with transaction.atomic():
        meeting_id = _room()
        transaction.on_commit(lambda: None)
    state_cache._decoded.clear()
    with transaction.atomic():
        store._read(meeting_id, lock=True)  # committed: the process now holds revision 1
    revision, state = state_cache.cached(meeting_id)
    moved_on = replace(state, seq=state.seq + 1)
    one_more = replace(
        state,
        seq=state.seq + 1,
        shares=(*state.shares, rules.ShareMeta(share_id=201, participant_id=1, turn_id=201)),
    )

    def cold(read):
        def work():
            state_cache._decoded.pop(meeting_id, None)
            read()

        return work

    def sql_save(after):
        return lambda: store._save(
            Room(meeting_id=meeting_id, revision=revision), state, after, timezone.now()
        )

    def orm_save_of(after):
        return lambda: orm_save(meeting_id, revision, state, after)

    cases = [
        (
            "read, state cached",
            lambda: store._read(meeting_id, lock=True),
            lambda: orm_read(meeting_id),
        ),
        ("read, cold", None, None),
        ("save", sql_save(moved_on), orm_save_of(moved_on)),
        ("save, one share more", sql_save(one_more), orm_save_of(one_more)),
        (
            "claim a ref",
            lambda: store._claim(meeting_id, (1, "ref-1"), "0" * 16, timezone.now()),
            lambda: orm_claim(meeting_id, "ref-1"),
        ),
    ]
    print(f"{ITERATIONS} transactions each, median of {ROUNDS} rounds, µs per transaction")
    print(f"{'case':<24}{'SQL':>10}{'ORM':>10}{'ORM/SQL':>10}")
    for name, sql, orm in cases:
        if sql is None:  # cold reads: drop this process's decoded copy before each read
            warm = state_cache._decoded.get(meeting_id)
            sql_us, orm_us = _compare(
                cold(lambda: store._read(meeting_id, lock=True)), cold(lambda: orm_read(meeting_id))
            )
            state_cache._decoded[meeting_id] = warm
        else:
            sql_us, orm_us = _compare(sql, orm)
        print(f"{name:<24}{sql_us:>10.0f}{orm_us:>10.0f}{orm_us / sql_us:>10.2f}")
    Room.objects.get(pk=meeting_id).meeting.circle.delete()


if __name__ == "__main__":
    main()
