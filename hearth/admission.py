"""How many HTTP requests a server process works on at once.

Django's ASGI handler gives every request a thread of its own. In a burst (two hundred
members pressing "I'm going" at the same moment) a process would start two hundred
threads that fight for one interpreter lock, and the request holding the meeting's row
lock gets a sliver of the processor while everyone waits for it (docs/performance.md,
"The RSVP burst").

``AdmissionGate`` lets ``HTTP_CONCURRENCY`` requests in at a time, each on one of as many
long-lived worker threads; the rest wait their turn in arrival order, as coroutines that
hold no thread and no database connection. A request that has waited
``HTTP_QUEUE_TIMEOUT`` seconds without a turn gets the busy page (503 with
``Retry-After``): it has changed nothing, so sending it again is safe. Static files and
the health check have a small queue of their own, so they never wait behind pages: they
touch nobody's data, and a load balancer must see a busy process as alive. WebSockets
are not HTTP requests and pass straight through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.utils.encoding import escape_uri_path

from hearth.busy import BUSY_HEADERS, busy_page, route_of

logger = logging.getLogger(__name__)

SIDE_PLACES = 2  # static files and the health check, on a queue of their own


class Places:
    """``count`` places, each a single-thread executor that lives as long as the process,
    handed out strictly first come, first served: a request that arrives while others wait
    queues behind them, even at the moment a place comes free."""

    def __init__(self, count: int):
        self.free = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{index}")
            for index in range(count)
        ]
        self.waiting: deque[asyncio.Future] = deque()

    async def take(self, timeout: float) -> ThreadPoolExecutor | None:
        """A free place, or ``None`` after ``timeout`` seconds without one."""
        if self.free and not self.waiting:
            return self.free.pop()
        waiter = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        taken = False
        try:
            async with asyncio.timeout(timeout):
                place = await waiter
                taken = True
                return place
        except TimeoutError:
            return None
        finally:
            if waiter in self.waiting:
                self.waiting.remove(waiter)
            elif not taken and waiter.done() and not waiter.cancelled():
                # Handed over just as the wait ended (its time ran out, or its task was
                # cancelled): the next in line gets it.
                self.give_back(waiter.result())

    def give_back(self, place: ThreadPoolExecutor) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(place)
                return
        self.free.append(place)


class AdmissionGate:
    """ASGI middleware: at most ``concurrency`` HTTP requests inside ``app`` at once.

    Static files and the health check (``side_prefixes``, ``side_paths``) have a queue of
    their own with ``SIDE_PLACES`` places, so they never wait behind pages and forms, and
    a flood of them (any made-up ``/static/…`` path is a request too) is bounded as well.
    """

    def __init__(
        self,
        app,
        *,
        concurrency: int,
        queue_timeout: float,
        side_prefixes: tuple[str, ...] = (),
        side_paths: frozenset[str] = frozenset(),
    ):
        self.app = app
        self.places = Places(concurrency)
        self.side_places = Places(SIDE_PLACES)
        self.queue_timeout = queue_timeout
        self.side_prefixes = side_prefixes
        self.side_paths = side_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        side = path in self.side_paths or path.startswith(self.side_prefixes)
        places = self.side_places if side else self.places
        place = await places.take(self.queue_timeout)
        if place is None:
            await _send_busy(scope, send, self.queue_timeout)
            return
        try:
            # The request's synchronous work (middleware, view, ORM) runs on its place's
            # thread instead of a new thread of its own.
            async with ThreadSensitiveContext(executor=place):
                await self.app(scope, receive, send)
        finally:
            _give_back_when_idle(places, place)


def _give_back_when_idle(places: Places, place: ThreadPoolExecutor) -> None:
    """Free the place once its thread has finished: a request cancelled (its client gone,
    the server stopping) can leave its view still running there, and the next request
    must wait in the queue, where its timeout counts, not behind that view unseen."""
    loop = asyncio.get_running_loop()

    def idle(_future) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server stopped
            loop.call_soon_threadsafe(places.give_back, place)

    place.submit(_nothing).add_done_callback(idle)


def _nothing() -> None:
    """Queued behind whatever the place's thread is doing, to learn when it is done."""


# This answer is sent before Django's middleware, so it carries its own subset of the
# headers the middleware adds: enough for a page that loads only Hearth's own stylesheet
# and icon, runs no script and can be framed by nobody.
STANDALONE_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'"),
]


async def _send_busy(scope, send, waited: float) -> None:
    method, path = scope["method"], escape_uri_path(scope["path"])
    route = await sync_to_async(route_of, thread_sensitive=False)(scope["path"])
    logger.warning(
        "An HTTP request waited %ss for a turn; answered 503: %s %s", waited, method, route
    )
    query = scope.get("query_string", b"").decode("latin-1")
    body = await sync_to_async(busy_page, thread_sensitive=False)(
        method, f"{path}?{query}" if query else path
    )
    encoded = body.encode()
    headers = [(name.lower().encode(), value.encode()) for name, value in BUSY_HEADERS.items()]
    headers += [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(encoded)).encode()),
        *STANDALONE_SECURITY_HEADERS,
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": encoded})


def gate(app):
    """``app`` behind the gate the settings describe, or ``app`` itself when it is off."""
    if not settings.HTTP_CONCURRENCY:
        return app
    return AdmissionGate(
        app,
        concurrency=settings.HTTP_CONCURRENCY,
        queue_timeout=settings.HTTP_QUEUE_TIMEOUT,
        side_prefixes=(settings.STATIC_URL,),
        side_paths=frozenset({"/healthz"}),
    )
