"""Many members answer "going" at the same instant, from real threads on PostgreSQL.

Each thread has its own database connection and transaction; a barrier releases them
together. The control test takes the row lock away (and widens the gap between reading
the count and writing) to prove the race is real: without the lock the same burst goes
wrong, and only the database's CHECK keeps it from overbooking.
"""

import threading
import time

import pytest
from django.db import connection

from meetings import actions
from meetings.models import RSVP, Meeting

pytestmark = pytest.mark.services

CAPACITY = 5
PEOPLE = 24


def answer_all_at_once(meeting, people):
    barrier = threading.Barrier(len(people))
    results, errors = {}, []

    def answer(person):
        try:
            barrier.wait(timeout=30)
            results[person.pk] = actions.rsvp(person, meeting, "going").response
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_concurrent_rsvps_never_overbook_and_keep_arrival_order(
    transactional_db, meeting_factory, members_of
):
    meeting = meeting_factory(capacity=CAPACITY)
    people = members_of(PEOPLE)

    results, errors = answer_all_at_once(meeting, people)

    assert errors == []
    assert len(results) == PEOPLE
    rsvps = list(RSVP.objects.filter(meeting=meeting))
    assert len(rsvps) == PEOPLE, "nothing is lost"
    going = [entry for entry in rsvps if entry.response == "going"]
    waiting = [entry for entry in rsvps if entry.response == "waitlisted"]
    assert len(going) == CAPACITY
    assert len(waiting) == PEOPLE - CAPACITY
    assert Meeting.objects.get(pk=meeting.pk).going_count == CAPACITY
    # Each answer is written under the lock, so row ids follow the order the lock was
    # granted: the waitlist (by time in line) is in that same arrival order, and every
    # waitlisted answer arrived after every going one.
    by_line = sorted(waiting, key=lambda entry: (entry.waitlisted_at, entry.pk))
    assert [entry.pk for entry in by_line] == sorted(entry.pk for entry in waiting)
    assert max(entry.pk for entry in going) < min(entry.pk for entry in waiting)
    positions = [actions.waitlist_position(meeting, entry.user) for entry in by_line]
    assert positions == list(range(1, PEOPLE - CAPACITY + 1))


def test_concurrent_cancellations_promote_each_waiting_member_once(
    transactional_db, meeting_factory, members_of
):
    meeting = meeting_factory(capacity=CAPACITY)
    people = members_of(CAPACITY * 3)
    for person in people:
        actions.rsvp(person, meeting, "going")
    leaving = people[:CAPACITY]

    barrier = threading.Barrier(len(leaving))
    errors = []

    def leave(person):
        try:
            barrier.wait(timeout=30)
            actions.rsvp(person, meeting, "not_going")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(person,)) for person in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    answers = dict(RSVP.objects.filter(meeting=meeting).values_list("user_id", "response"))
    assert [answers[p.pk] for p in people[CAPACITY : CAPACITY * 2]] == ["going"] * CAPACITY
    assert [answers[p.pk] for p in people[CAPACITY * 2 :]] == ["waitlisted"] * CAPACITY
    assert Meeting.objects.get(pk=meeting.pk).going_count == CAPACITY


def test_control_without_the_lock_the_same_burst_goes_wrong(
    transactional_db, meeting_factory, members_of, monkeypatch
):
    def read_without_lock(meeting_id):
        meeting = Meeting.objects.select_related("circle").get(pk=meeting_id)
        time.sleep(0.2)  # everyone reads the count before anyone writes
        return meeting

    monkeypatch.setattr(actions, "lock_meeting", read_without_lock)
    meeting = meeting_factory(capacity=CAPACITY)
    people = members_of(PEOPLE)

    _results, errors = answer_all_at_once(meeting, people)

    rsvps = RSVP.objects.filter(meeting=meeting)
    waitlisted = rsvps.filter(response="waitlisted").count()
    # The race is real: every thread saw free places, so the main test's assertions
    # (no errors, PEOPLE answers, PEOPLE - CAPACITY waitlisted) fail without the lock...
    assert errors or rsvps.count() != PEOPLE or waitlisted != PEOPLE - CAPACITY
    # ...and the last line of defence held: the CHECK refused every place past capacity.
    assert rsvps.filter(response="going").count() <= CAPACITY
    assert Meeting.objects.get(pk=meeting.pk).going_count <= CAPACITY
    assert all("meeting_never_overbooked" in str(error) for error in errors)
