"""Settings for a real Daphne that tests send many frames to in a few seconds: the test
settings with the room's per-account rate limit lifted (the limit has tests of its own)."""

from tests.settings import *  # noqa: F403

ROOM_RATE_LIMIT_FRAMES = 10_000
