"""Settings for the real Celery worker that test_reminders_worker.py starts.

The test suite's settings, but with tasks going through the Redis broker (not eager) and
email written to files the test can read, on a queue of its own.
"""

import os

from tests.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["HEARTH_WORKER_MAIL_DIR"]
# A queue of its own, so no other worker on the same Redis takes these tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ["HEARTH_WORKER_QUEUE"]
