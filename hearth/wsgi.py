import os

from django.core.wsgi import get_wsgi_application

from hearth.env import one_line_configuration_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")

with one_line_configuration_errors():
    application = get_wsgi_application()
