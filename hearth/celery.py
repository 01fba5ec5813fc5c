import os

from celery import Celery

from hearth.env import one_line_configuration_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")

app = Celery("hearth")


@app.on_configure.connect
def _read_settings_first(sender, **kwargs):
    """Celery reads Django's settings lazily, deep inside its start-up: read them here
    first, so a bad variable stops the worker and beat with the same one line as
    manage.py."""
    from django.conf import settings

    with one_line_configuration_errors():
        settings.INSTALLED_APPS  # noqa: B018 - imports the settings module


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["meetings.room"])
