"""Settings for the servers the benchmark starts: the real settings, quieter, with the
room's per-account rate limit lifted so one holder can share as fast as the bench asks,
sign-in's per-address limit lifted (every bench member signs in from 127.0.0.1), a fast
password hasher for the bench's own throwaway members, and a count of the queries each
process makes (``bench.counting``)."""

import bench.counting  # noqa: F401 - counts queries; the meeting bench reads them
from hearth.settings import *  # noqa: F403

ROOM_RATE_LIMIT_FRAMES = 10**9
ACCOUNT_RATE_LIMITS = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Pages render without `collectstatic`: the bench measures the room, not static files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
