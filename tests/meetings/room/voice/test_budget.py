"""Voice frames' own rate budget, counted apart from the room commands'."""

import pytest
from django.core.cache import cache

from meetings.room import limits
from meetings.room.voice.budget import within_budget


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_an_account_may_send_the_whole_budget_and_not_one_frame_more():
    answers = [within_budget(7) for _ in range(limits.VOICE_RATE_LIMIT_FRAMES + 1)]
    assert answers[:-1] == [True] * limits.VOICE_RATE_LIMIT_FRAMES
    assert answers[-1] is False


def test_the_budget_is_per_account_and_apart_from_the_commands_budget():
    for _ in range(limits.VOICE_RATE_LIMIT_FRAMES):
        within_budget(7)
    assert within_budget(8)
    assert cache.get("room:rate:7") is None


def test_joining_a_room_of_twelve_fits_the_budget_and_not_the_commands_one():
    # The holder answers eleven listeners, each connection with six candidates and their end.
    holder_frames = 11 * (1 + 6 + 1)
    assert limits.RATE_LIMIT_FRAMES < holder_frames <= limits.VOICE_RATE_LIMIT_FRAMES


def test_while_the_cache_is_away_nobody_is_limited():
    def away(_key, _seconds):
        raise ConnectionError("redis is away")

    assert within_budget(7, count=away)


def test_the_window_is_the_declared_one():
    seen = []
    within_budget(7, count=lambda key, seconds: seen.append((key, seconds)) or 1)
    assert seen == [("room:voice-rate:7", limits.VOICE_RATE_LIMIT_SECONDS)]
