"""Short-lived TURN credentials, the TURN REST API convention coturn checks with
``use-auth-secret`` / ``static-auth-secret``.

``username = "<expiry unix time>:<random id>"`` and ``credential =
base64(HMAC-SHA1(secret, username))``. coturn recomputes the HMAC from the secret it
shares with Django and refuses a username whose expiry has passed; ``verify`` does the same
check, so the tests can hold Django's side to coturn's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnCredentials:
    username: str
    credential: str
    expires: int  # unix time


def sign(secret: str, username: str) -> str:
    """The credential coturn expects for ``username``."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def credentials_for(secret: str, now: float, lifetime: int) -> TurnCredentials:
    """Credentials valid for ``lifetime`` seconds from ``now``; they name nobody."""
    expires = int(now) + lifetime
    username = f"{expires}:{secrets.token_urlsafe(12)}"
    return TurnCredentials(username, sign(secret, username), expires)


def verify(secret: str, username: str, credential: str, now: float) -> bool:
    """coturn's check: the HMAC matches and the username's expiry is still ahead."""
    expiry, _, _rest = username.partition(":")
    if not expiry.isdigit() or int(expiry) < now:
        return False
    return hmac.compare_digest(sign(secret, username), credential)


def ice_servers(urls: list[str], secret: str, now: float, lifetime: int) -> dict:
    """The ``RTCPeerConnection`` configuration a page gets: relay-only through TURN when it
    is configured, else no servers (peers connect directly)."""
    if not urls or not secret:
        return {"iceServers": [], "iceTransportPolicy": "all"}
    found = credentials_for(secret, now, lifetime)
    server = {"urls": list(urls), "username": found.username, "credential": found.credential}
    return {"iceServers": [server], "iceTransportPolicy": "relay"}
