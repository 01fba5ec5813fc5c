"""The client's address behind a load balancer, trusted only as far as configured.

Every rate limit keyed by address (allauth's login, sign-up and password-reset limits)
reads ``REMOTE_ADDR``, which Django takes from the ASGI scope's ``client``; the room's
sockets see the same scope. Behind a load balancer that is the balancer's address, so one
limit would be shared by everyone. ``ForwardedClientMiddleware`` wraps the whole ASGI
application and, when ``TRUSTED_PROXY_COUNT`` says how many proxies stand in front of
Hearth, replaces ``client`` with the address the outermost of them saw: the entry that
many places from the right of ``X-Forwarded-For``. Entries further left were written by
the client and are never believed.

Daphne's own ``--proxy-headers`` is not used: it takes the *leftmost* entry and believes
it from anyone, so a client could pick its own address (and its own rate-limit bucket)
behind any balancer that appends to the header, as most do.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

FORWARDED_FOR = b"x-forwarded-for"


def forwarded_client(
    headers: list[tuple[bytes, bytes]], peer: list | tuple | None, trusted: int
) -> list | tuple | None:
    """The client address for a request with these headers from ``peer``."""
    if trusted <= 0:
        return peer
    values = [value.decode("latin-1") for name, value in headers if name.lower() == FORWARDED_FOR]
    hops = [hop.strip() for hop in ",".join(values).split(",") if hop.strip()]
    if len(hops) < trusted:
        # It did not come through every proxy (someone reached an inner one, or Hearth,
        # directly): the header may be made up, the peer is real.
        return peer
    address = _clean(hops[-trusted])
    if address is None:
        return peer
    return [address, 0]


def _clean(hop: str) -> str | None:
    """An address from one X-Forwarded-For entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:80")."""
    if hop.startswith("["):
        hop = hop[1:].split("]", 1)[0]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


class ForwardedClientMiddleware:
    """ASGI middleware: set ``scope["client"]`` from ``X-Forwarded-For`` as configured."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        trusted = settings.TRUSTED_PROXY_COUNT
        if trusted and scope["type"] in ("http", "websocket"):
            client = forwarded_client(scope.get("headers", []), scope.get("client"), trusted)
            scope = {**scope, "client": client}
        return await self.app(scope, receive, send)
