"""Small typed readers for the environment that fail loudly with a clear message.

Settings call these instead of reading ``os.environ`` directly so that a malformed
variable stops start-up with ``ImproperlyConfigured`` naming the variable, not a
traceback from deep inside a library.
"""

import os
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

CONFIGURATION_ERROR = "Hearth is not configured correctly: {}"


@contextmanager
def one_line_configuration_errors():
    """Stop the process with one line naming the bad setting, not a traceback: manage.py,
    Daphne (``hearth.asgi``), WSGI servers and Celery all start through this."""
    try:
        yield
    except ImproperlyConfigured as error:
        sys.exit(CONFIGURATION_ERROR.format(error))


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    """A number of seconds or similar, decimals allowed (``2.5``)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name} must be a finite number, not {raw!r}.")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {value:g}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


HOSTLESS_SCHEMES = {"sqlite", "console", "file"}


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    """Return a URL variable, or "" when unset; refuse one with the wrong shape."""
    raw = env_str(name)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in schemes)
        raise ImproperlyConfigured(f"{name} must be a URL starting with {allowed} (got {raw!r}).")
    if parts.scheme not in HOSTLESS_SCHEMES and not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must name a host, as in {parts.scheme}://host (got {raw!r})."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port: {raw!r}.") from None
    return raw
