"""Settings for the server the voice bench starts: the bench's, plus what serving the room
page itself takes without ``collectstatic`` (the fan-out bench only opens sockets)."""

from bench.settings import *  # noqa: F403
from bench.settings import STORAGES

WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
