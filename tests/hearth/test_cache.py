"""The cache backend and its window counter (the room's per-account rate limit)."""

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

import hearth.cache
from hearth.cache import RedisCache, count_in_window


@pytest.fixture
def redis_cache():
    """Fails, never skips, without the Redis cache (the README promises it)."""
    if not isinstance(caches["default"], RedisCache):
        pytest.fail("This test needs REDIS_URL (the Redis cache): run it with make test.")


needs_redis = pytest.mark.usefixtures("redis_cache")


@needs_redis
def test_the_redis_cache_reuses_one_client_per_pool():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client


@needs_redis
def test_a_window_counts_every_hit_and_always_ends():
    assert [count_in_window("test:window", 10) for _ in range(3)] == [1, 2, 3]
    key = cache.make_and_validate_key("test:window")
    ttl = cache._cache.get_client(write=True).ttl(key)
    assert 0 < ttl <= 10, "a counter without an expiry would lock an account out for good"


@needs_redis
def test_a_later_hit_does_not_stretch_the_window():
    count_in_window("test:stretch", 10)
    key = cache.make_and_validate_key("test:stretch")
    client = cache._cache.get_client(write=True)
    client.expire(key, 3)
    count_in_window("test:stretch", 10)
    assert client.ttl(key) <= 3


def test_without_redis_the_window_is_counted_with_add_and_incr(monkeypatch):
    monkeypatch.setattr(hearth.cache, "cache", LocMemCache("window-test", {}))
    assert [count_in_window("test:local", 10) for _ in range(3)] == [1, 2, 3]
