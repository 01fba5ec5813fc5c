"""After commit, never before: channel-layer messages and signals that must not go out for a
change that rolls back.

``send_on_commit(group, message)`` sends one channel-layer message once the current
transaction commits (at once outside one). A send that fails is logged, never raised: the
change stands, and whoever missed the message catches up from a fresh snapshot (the room)
or from the database (a suspended account's sessions are already gone).

A room consumer runs the store in a database thread and must not wait on Redis there:
inside ``collecting_sends()`` the committed sends of this thread are collected instead, and
the consumer awaits them on its event loop (``meetings.room.relay.broadcast``).

``signal_on_commit(signal, sender, **kwargs)`` sends a Django signal after commit (circles'
``membership_changed`` and ``circle_changed``, whose receivers act on the room).
"""

import logging
import threading
from contextlib import contextmanager
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger("hearth")

_collecting = threading.local()


def send_on_commit(group: str, message: dict[str, Any]) -> None:
    transaction.on_commit(partial(_send, group, message))


def signal_on_commit(signal, sender, **kwargs) -> None:
    transaction.on_commit(partial(signal.send, sender=sender, **kwargs))


def _send(group: str, message: dict[str, Any]) -> None:
    """Send now, or hand the message to the block that is collecting. Only ever called
    from ``transaction.on_commit``."""
    outbox = getattr(_collecting, "outbox", None)
    if outbox is not None:
        outbox.append((group, message))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        log.exception("channel-layer send after commit failed group=%s", group)


@contextmanager
def collecting_sends():
    """Collect what commits inside the block would send, instead of sending it from this
    (database) thread. Yields the list of ``(group, message)``; whatever did not commit is
    never in it."""
    outer = getattr(_collecting, "outbox", None)
    _collecting.outbox = []
    try:
        yield _collecting.outbox
    finally:
        _collecting.outbox = outer
