"""The channel layer's Redis connections outlast its blocking receive.

channels-redis receives with a BZPOPMIN that Redis holds open for ``brpop_timeout``
seconds (5). redis-py 8 gives every connection a 5-second read timeout by default, so
without a longer one of our own every quiet socket's consumer died of "Timeout reading
from ..." (issue 16). A version of either library, or a settings change, that brings that
back fails here at once (and in tests/meetings/room/test_real_services.py after a minute).
"""

from channels_redis.core import RedisChannelLayer
from django.conf import settings


def _layer_and_connection():
    """The configured layer and one of its connections as redis-py builds it (with
    redis-py's own defaults for whatever the settings leave out)."""
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    pool = layer.create_pool(0)
    return layer, pool.connection_class(**pool.connection_kwargs)


def test_the_channel_layer_reads_for_longer_than_redis_blocks_a_receive():
    layer, connection = _layer_and_connection()
    assert connection.socket_timeout is not None
    assert connection.socket_timeout > layer.brpop_timeout + 1


def test_the_channel_layer_gives_up_on_a_redis_that_does_not_answer():
    _, connection = _layer_and_connection()
    assert connection.socket_connect_timeout is not None
    assert connection.socket_connect_timeout <= 5
