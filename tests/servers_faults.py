"""``hearth.asgi`` with faults a test can inject over a real socket, served only by tests
(``tests.servers.daphne(application="tests.servers_faults:application")``); every other
frame passes through untouched.

- ``CRASH_FRAME``: the consumer dies right there, as an unexpected error would kill it
  (Channels then closes the socket with 1011 and never calls ``disconnect``).
- ``DATABASE_AWAY + frame``: ``frame`` is handled as if the database were away at that
  moment (the room answers it with ``error`` ``unavailable``)."""

from django.db import OperationalError

from hearth.asgi import application as hearth_application
from meetings.room import socket_work

CRASH_FRAME = "test: kill this consumer"
DATABASE_AWAY = "test: database away "


class ConsumerKilled(RuntimeError):
    pass


def _database_away_once():
    handle_frame = socket_work.handle_frame

    def away(*args):
        socket_work.handle_frame = handle_frame
        raise OperationalError("the database is away (a test's fault)")

    socket_work.handle_frame = away


async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return await hearth_application(scope, receive, send)

    async def receive_with_faults():
        message = await receive()
        text = message.get("text") if message.get("type") == "websocket.receive" else None
        if text == CRASH_FRAME:
            raise ConsumerKilled("killed by the test")
        if text and text.startswith(DATABASE_AWAY):
            _database_away_once()
            message = {**message, "text": text.removeprefix(DATABASE_AWAY)}
        return message

    return await hearth_application(scope, receive_with_faults, send)
