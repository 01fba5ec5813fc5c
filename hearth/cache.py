"""The Redis cache, and counting hits in a time window in one round trip.

Django's ``RedisCache`` builds a new ``redis.Redis`` client (with its table of some 170
response callbacks) for every operation; on the room's hot path that cost more CPU than
the database work. ``RedisCache`` here keeps one client per connection pool: redis-py
clients are safe to share between threads, and the pools are Django's own.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient

    def count_in_window(self, key: str, seconds: int) -> int:
        """One round trip: add a hit to ``key`` and start its window on the first hit."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, seconds, nx=True)
            count, _ = pipe.execute()
        return count


def count_in_window(key: str, seconds: int) -> int:
    """How many hits ``key`` has had in its current window of ``seconds``, this one
    included. The window starts at the first hit; the count lives in the shared cache, so
    every server process counts together."""
    counter = getattr(cache, "count_in_window", None)
    if counter is not None:
        return counter(key, seconds)
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.add(key, 1, seconds)
        return 1
