"""Three facilitators follow the same member up at once, from three reasons: the member's
membership row lock lets one through, and the others are told someone just did. Without
the lock, the database's "one open follow-up per member and circle" still holds."""

import threading

import pytest
from django.db import connection

from circles.models import Membership
from hearth.refusal import Refused
from meetings.followups import actions
from meetings.followups.models import FollowUp, FollowUpMessage
from moderation.models import ModerationAction


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(actor, reason):
        try:
            barrier.wait()
            actions.open_follow_up(actor, reason, f"Hello from {actor.display_name}.")
            outcomes.append("ok")
        except Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def three_at_once(
    facilitator, host, meeting_facilitator, support_event, asked_reason, lower_reason
):
    return [(facilitator, support_event), (host, asked_reason), (meeting_facilitator, lower_reason)]


def _assert_one_thread():
    assert FollowUp.objects.count() == 1
    assert FollowUpMessage.objects.count() == 1
    assert ModerationAction.objects.filter(action="meetings.follow_up.opened").count() == 1


@pytest.mark.django_db(transaction=True)
def test_three_follow_ups_at_once_open_one_thread(three_at_once):
    assert _at_once(three_at_once) == ["ok", "refused", "refused"]
    _assert_one_thread()


class _NoLock:
    """Stands in for ``Membership`` in the action: the same rows, no row lock."""

    class objects:
        @staticmethod
        def select_for_update():
            return Membership.objects.all()


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_constraint_still_allows_one(monkeypatch, three_at_once):
    monkeypatch.setattr(actions, "Membership", _NoLock)
    assert _at_once(three_at_once) == ["ok", "refused", "refused"]
    _assert_one_thread()
