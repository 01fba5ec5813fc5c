"""A calm 503 when the database has no connection free for a request.

Each server process lends its requests at most ``DATABASE_POOL_MAX`` connections (see
``DATABASES`` in settings). A burst queues for one; a request that still has none after
``DATABASE_POOL_TIMEOUT`` seconds is answered with the "busy" page, status 503 and a
``Retry-After``, never a 500. It has changed nothing yet (it never reached the database),
so sending it again is safe, and the next request finds the pool as soon as load drops.

Two places catch it, because Django converts an exception into a response where it is
raised: ``DatabaseBusyMiddleware.process_exception`` for views, and ``hearth.views.server_error``
(the 500 handler) for middleware that reaches the database first (the session and the
member's time zone).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from psycopg_pool import PoolTimeout, TooManyRequests

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
BUSY_ERRORS = (PoolTimeout, TooManyRequests)


def is_database_busy(error: BaseException | None) -> bool:
    """Whether ``error`` is (or was caused by) the pool having no connection to give."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, BUSY_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def busy_response(request) -> HttpResponse:
    """The busy page. It is rendered without the request's context on purpose: that
    context (the member, their messages) would ask the database again."""
    logger.warning(
        "No database connection came free within %ss for %s %s; answered 503. Pool: %s",
        settings.DATABASE_POOL_TIMEOUT,
        request.method,
        route_of(request.path_info),
        _pool_stats(),
    )
    response = HttpResponse(busy_page(request.method, request.get_full_path()), status=503)
    for header, value in BUSY_HEADERS.items():
        response[header] = value
    return response


def route_of(path: str) -> str:
    """The URL pattern ``path`` matches, for the logs: never the path itself, which can
    carry an invite or calendar token (hearth/logs.py)."""
    try:
        return resolve(path).route
    except Resolver404:
        return "(no route)"


BUSY_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def busy_page(method: str, full_path: str) -> str:
    """The busy page's HTML. Its "Try again" leads to the same page for a GET; a POST is
    re-sent from the browser's own form (Back), where what the person typed still is."""
    # One leading slash: "//elsewhere.example/" would be a link off the site.
    again_url = "/" + full_path.lstrip("/") if method in ("GET", "HEAD") else None
    return render_to_string(
        "errors/503.html", {"retry_after": RETRY_AFTER_SECONDS, "again_url": again_url}
    )


def _pool_stats() -> dict:
    pool = getattr(connection, "pool", None)
    if pool is None:
        return {}
    stats = pool.get_stats()
    keys = ("pool_max", "pool_size", "pool_available", "requests_waiting")
    return {key: stats[key] for key in keys if key in stats}


class DatabaseBusyMiddleware:
    """Turn a view's pool timeout into the busy page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            return busy_response(request)
        return None
