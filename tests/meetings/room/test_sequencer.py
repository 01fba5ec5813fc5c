"""The per-socket ordering of the room's batches, without a socket."""

from meetings.room.sequencer import Sequencer, Verdict


def batch(first, last):
    return {
        "first_seq": first,
        "last_seq": last,
        "frames": [f"e{s}" for s in range(first, last + 1)],
    }


def seated_at(seq):
    order = Sequencer()
    order.seat(seq)
    return order


def test_batches_before_the_first_state_are_kept_and_the_state_drops_those_it_covers():
    order = Sequencer()
    assert order.offer(batch(3, 3)) is Verdict.KEPT
    assert order.offer(batch(5, 6)) is Verdict.KEPT
    order.seat(4)
    assert order.seated and order.last_seq == 4
    assert order.next_waiting() == batch(5, 6)
    assert order.next_waiting() is None


def test_the_next_batch_is_delivered_and_an_old_one_dropped():
    order = seated_at(4)
    assert order.offer(batch(5, 5)) is Verdict.NEXT
    assert order.take(batch(5, 5)) == ["e5"]
    assert order.offer(batch(5, 5)) is Verdict.OLD
    assert order.last_seq == 5


def test_a_batch_after_a_gap_waits_until_the_missing_one_arrives():
    order = seated_at(4)
    assert order.offer(batch(7, 8)) is Verdict.GAP
    assert order.has_waiting
    assert order.next_waiting() is None
    assert order.offer(batch(5, 6)) is Verdict.NEXT
    order.take(batch(5, 6))
    assert order.take(order.next_waiting()) == ["e7", "e8"]
    assert not order.has_waiting


def test_only_the_frames_a_socket_has_not_had_are_taken_from_an_overlapping_batch():
    order = seated_at(5)
    assert order.take(batch(4, 7)) == ["e6", "e7"]
    assert order.last_seq == 7


def test_a_fresh_state_drops_the_waiting_batches_it_covers():
    order = seated_at(2)
    order.offer(batch(5, 5))
    order.offer(batch(7, 7))
    order.seat(6)
    assert list(order.waiting) == [7]


def test_a_socket_short_of_the_rooms_seq_at_the_previous_look_needs_the_state_again():
    order = seated_at(3)
    assert order.catch_up(5) is None  # the first look only marks
    assert order.catch_up(6) == 5  # still at 3 when the room had 5 a look ago
    order.take(batch(4, 6))
    assert order.catch_up(6) is None


def test_a_socket_not_seated_yet_is_never_behind():
    order = Sequencer()
    assert not order.behind(10)
    order.catch_up(4)
    assert order.catch_up(5) is None
