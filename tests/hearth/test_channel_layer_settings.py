"""The channel layer's Redis connections outlast its blocking receive.

channels-redis receives with a BZPOPMIN that Redis holds open for ``brpop_timeout``
seconds (5). redis-py 8 gives every connection a 5-second read timeout by default, so
without a longer one of our own every quiet socket's consumer died of "Timeout reading
from ..." (issue 16). A version of either library, or a settings change, that brings that
back fails here at once (and in tests/meetings/room/test_real_services.py after a minute).
"""

from channels_redis.core import RedisChannelLayer
from django.conf import settings


def _pool_options():
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer = RedisChannelLayer(**config)
    return layer, layer.create_pool(0).connection_kwargs


def test_the_channel_layer_reads_for_longer_than_redis_blocks_a_receive():
    layer, options = _pool_options()
    assert options["socket_timeout"] > layer.brpop_timeout + 1


def test_the_channel_layer_still_notices_a_redis_that_stopped_answering():
    _, options = _pool_options()
    assert options["socket_timeout"] is not None
    assert options["socket_connect_timeout"] is not None
