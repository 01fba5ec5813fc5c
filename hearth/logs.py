"""Structured logs: one JSON object a line, one line a request and one a room command.

A line is ``{"time", "level", "logger", "event", ...fields}``: ``event`` is the message
(a dotted name such as ``http.request`` or ``room.command``) and the fields are what the
call passed in ``extra``. Nothing a person wrote is ever logged: not a share, a note, a
message, a search, nor a URL's query string or path (a path can carry an invite or
calendar token), only the route's pattern and its numeric ids.

The standard library is enough for this (a formatter and a middleware), so Hearth adds
no logging dependency.
"""

import json
import logging
import time
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

logger = logging.getLogger("hearth.request")


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON (tracebacks included, escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Probes that would fill the log with nothing news: logged only when they fail.
QUIET_ROUTES = {"healthz"}


class RequestLogMiddleware:
    """One ``http.request`` line for every request that reaches Django (static files are
    served before it): method, route pattern, view, numeric ids, status, duration, the
    account's id. Never the path, the query string or anything posted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else None
        if route in QUIET_ROUTES and response.status_code < 400:
            return response
        user = getattr(request, "user", None)
        fields = {
            "method": request.method,
            "route": route,
            "view": match.view_name if match is not None else None,
            "ids": {
                key: value
                for key, value in (match.kwargs.items() if match is not None else ())
                if isinstance(value, int)
            },
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user.pk if getattr(user, "is_authenticated", False) else None,
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(level, "http.request", extra=fields)
        return response
