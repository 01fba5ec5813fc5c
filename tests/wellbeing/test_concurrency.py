"""Two requests at once: the strategy's row lock makes "this helped me" count once."""

import threading

import pytest
from django.db import connection

from hearth.refusal import Refused
from meetings.wellbeing import actions
from meetings.wellbeing.models import Strategy, StrategyHelped


def _at_once(function, *args, times=4):
    barrier = threading.Barrier(times)
    outcomes = []

    def run():
        try:
            barrier.wait()
            function(*args)
            outcomes.append("ok")
        except Refused as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_helped_clicked_four_times_at_once_counts_once(other_member, strategy_factory):
    strategy = strategy_factory()
    outcomes = _at_once(actions.mark_helped, other_member, strategy.pk)
    assert outcomes == ["bad_request", "bad_request", "bad_request", "ok"]
    assert Strategy.objects.get().helped_count == 1
    assert StrategyHelped.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_check_out_sent_twice_at_once_records_one_safety_event(member, open_meeting):
    from moderation.models import SafetyEvent

    actions.record_check_in(member, open_meeting.pk, "arriving", 5)
    outcomes = _at_once(actions.record_check_in, member, open_meeting.pk, "leaving", 1)
    assert outcomes == ["ok"] * 4
    assert SafetyEvent.objects.count() == 1
