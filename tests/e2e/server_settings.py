"""Settings for the ASGI server that browser journeys talk to (run in a subprocess)."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["HEARTH_E2E_MAIL_DIR"]
