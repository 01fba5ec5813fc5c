"""``hearth.asgi`` with one fault a test can inject: a room socket whose client sends
``CRASH_FRAME`` has its consumer die right there, as an unexpected error would kill it
(Channels then closes the socket with 1011 and never calls ``disconnect``). Served only
by tests (``tests.servers.daphne(application="tests.servers_faults:application")``)."""

from hearth.asgi import application as hearth_application

CRASH_FRAME = "test: kill this consumer"


class ConsumerKilled(RuntimeError):
    pass


async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return await hearth_application(scope, receive, send)

    async def receive_or_die():
        message = await receive()
        if message.get("type") == "websocket.receive" and message.get("text") == CRASH_FRAME:
            raise ConsumerKilled("killed by the test")
        return message

    return await hearth_application(scope, receive_or_die, send)
