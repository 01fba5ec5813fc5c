"""ASGI entry point: HTTP goes to Django, WebSockets to the Channels routes."""

import os

from django.core.asgi import get_asgi_application

from hearth.env import one_line_configuration_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
with one_line_configuration_errors():
    django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from hearth.admission import gate
from hearth.proxy import ForwardedClientMiddleware
from hearth.routing import websocket_urlpatterns

# Behind a load balancer, the client's real address (TRUSTED_PROXY_COUNT) for HTTP and
# WebSockets alike, before anything reads it.
application = ForwardedClientMiddleware(
    ProtocolTypeRouter(
        {
            "http": gate(django_asgi_app),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)
