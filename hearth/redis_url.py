"""One ``REDIS_URL``, three readers: give each what it understands.

The Django cache and the channel layer (channels-redis) hand the URL to redis-py, which
reads the options it knows from the query string and passes any other one on to the
connection, where it fails at the first command. Celery's broker (kombu) accepts no
connection options in the URL at all (``?socket_timeout=5`` stops the worker with a
``TypeError``) and wants them as transport options, and it spells TLS differently:
``ssl_cert_reqs=CERT_REQUIRED`` (which redis-py refuses) and, when the option is missing
from a ``rediss://`` URL, it falls back to *not checking the certificate*.

``parse_redis_url`` reads the variable once, refuses an option no reader understands,
and returns a URL in redis-py's spelling plus the broker's URL, transport options and TLS
options. A ``rediss://`` URL checks the server's certificate unless it says
``ssl_cert_reqs=none``, for every reader alike.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
CERT_REQS = {
    "none": ssl.CERT_NONE,
    "optional": ssl.CERT_OPTIONAL,
    "required": ssl.CERT_REQUIRED,
}


def _positive_number(value: str) -> float:
    number = float(value)
    if not number > 0 or number == float("inf"):
        raise ValueError
    return number


def _whole_number(minimum: int):
    def parse(value: str) -> int:
        number = int(value)
        if number < minimum:
            raise ValueError
        return number

    return parse


def _flag(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError


def _cert_reqs(value: str) -> str:
    word = value.strip().lower().removeprefix("cert_")
    if word not in CERT_REQS:
        raise ValueError
    return word


def _text(value: str) -> str:
    if not value:
        raise ValueError
    return value


# Every option Hearth accepts in REDIS_URL: its parser, and whether only rediss:// has it.
# All of them are connection options that redis-py and kombu's Redis transport both know.
CONNECTION_OPTIONS = {
    "socket_timeout": _positive_number,
    "socket_connect_timeout": _positive_number,
    "socket_keepalive": _flag,
    "retry_on_timeout": _flag,
    "health_check_interval": _whole_number(0),
    "max_connections": _whole_number(1),
    "client_name": _text,
}
TLS_OPTIONS = {
    "ssl_cert_reqs": _cert_reqs,
    "ssl_ca_certs": _text,
    "ssl_certfile": _text,
    "ssl_keyfile": _text,
    "ssl_check_hostname": _flag,
}


@dataclass(frozen=True)
class RedisSettings:
    url: str
    """For redis-py's ``from_url`` (the cache and the channel layer)."""
    broker_url: str
    """For Celery: the same server, credentials and db, with no query string."""
    broker_transport_options: dict = field(default_factory=dict)
    broker_use_ssl: dict | None = None
    db: int = 0


# channels-redis blocks on Redis for 5 s (BZPOPMIN) while nothing happens; a socket timeout
# must outlast that, with a margin, or quiet rooms drop their sockets (issue 16).
SHORTEST_SOCKET_TIMEOUT = 6


def parse_redis_url(raw: str, name: str = "REDIS_URL") -> RedisSettings:
    parts = urlsplit(raw)
    tls = parts.scheme == "rediss"
    options = _read_options(parts.query, name, tls)
    db = _read_db(parts.path, options.pop("db", None), name)
    if options.get("socket_timeout", SHORTEST_SOCKET_TIMEOUT) < SHORTEST_SOCKET_TIMEOUT:
        raise ImproperlyConfigured(
            f"{name} has socket_timeout={_spell(options['socket_timeout'])}: the channel layer "
            f"waits up to 5 s on Redis while a room is quiet, so a shorter timeout would drop "
            f"quiet rooms' sockets. Leave it out, or give at least {SHORTEST_SOCKET_TIMEOUT}."
        )

    if tls:
        options.setdefault("ssl_cert_reqs", "required")
    netloc = parts.netloc
    query = urlencode({key: _spell(value) for key, value in options.items()})
    url = urlunsplit((parts.scheme, netloc, f"/{db}", query, ""))
    broker_url = urlunsplit((parts.scheme, netloc, f"/{db}", "", ""))

    transport = {key: value for key, value in options.items() if key in CONNECTION_OPTIONS}
    use_ssl = None
    if tls:
        use_ssl = {key: value for key, value in options.items() if key in TLS_OPTIONS}
        use_ssl["ssl_cert_reqs"] = CERT_REQS[use_ssl["ssl_cert_reqs"]]
    return RedisSettings(
        url=url,
        broker_url=broker_url,
        broker_transport_options=transport,
        broker_use_ssl=use_ssl,
        db=db,
    )


def _read_options(query: str, name: str, tls: bool) -> dict:
    known = {**CONNECTION_OPTIONS, **TLS_OPTIONS}
    options: dict = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        if key == "db":
            options["db"] = value
            continue
        if key not in known:
            raise ImproperlyConfigured(
                f"{name} has an option Hearth does not know: {key!r}. Known options: "
                f"db, {', '.join(known)}."
            )
        if key in TLS_OPTIONS and not tls:
            raise ImproperlyConfigured(
                f"{name} has {key}, which only a rediss:// (TLS) URL can use."
            )
        if key in options:
            raise ImproperlyConfigured(f"{name} gives {key} twice.")
        try:
            options[key] = known[key](value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid {key}: {value!r}.") from None
    return options


def _read_db(path: str, from_query: str | None, name: str) -> int:
    from_path = path.strip("/")
    found = [value for value in (from_path, from_query) if value not in (None, "")]
    numbers = set()
    for value in found:
        if not value.isdigit():
            raise ImproperlyConfigured(
                f"{name} must name its database by number, as in redis://host:6379/0 "
                f"(got {value!r})."
            )
        numbers.add(int(value))
    if len(numbers) > 1:
        raise ImproperlyConfigured(f"{name} names two databases: /{from_path} and db={from_query}.")
    return numbers.pop() if numbers else 0


def _spell(value) -> str:
    """redis-py's spelling of an option value in a URL."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
