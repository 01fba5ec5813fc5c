"""``/healthz``: is each service Hearth depends on answering, from this process?

The view is async and runs every check at once, each within ``CHECK_SECONDS``: a check
that does not answer in time counts as down, so a load balancer always gets an answer
within a second. Blocking checks (database, cache, broker) run on a small executor of
their own, never on the thread that serves the process's room sockets (Django runs sync
views and every socket's database work on one shared thread; a health check queued
behind a busy room waited there for seconds). The channel layer is checked on the
process's event loop, through the same receive path the room's sockets use: a round
trip to this process's own channel.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hearth.celery import app as celery_app

CHECK_SECONDS = 0.8

# Three threads: the three blocking checks of one request run side by side. A check that
# hangs keeps its thread; the next request's check then waits and is reported down.
_executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="healthz")


def check_database() -> str | None:
    """``SELECT 1`` through the process's connection pool, unless every connection of the
    pool is lent out: then the database is answering the requests that hold them, and a
    probe queued behind a burst would only report a busy server as down (and a load
    balancer would take exactly the busy servers out)."""
    pool = getattr(connection, "pool", None)  # Django's psycopg pool; None without one
    if pool is not None:
        stats = pool.get_stats()
        if stats.get("pool_available", 0) == 0 and stats.get("pool_size", 0) >= pool.max_size:
            waiting = stats.get("requests_waiting", 0)
            return f"busy: all {pool.max_size} connections in use, {waiting} requests waiting"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # the executor's threads never keep a connection open


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


async def check_channel_layer() -> None:
    """A round trip through this process's own receive path. The channel must have the
    default prefix: channels-redis keeps one Redis queue per process *and prefix*, and
    lets one coroutine at a time block on Redis; a ``healthz.`` channel's queue would
    only be read once a socket's message happened to free the lock (10-17 s in a busy
    process, never in a quiet one)."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    if (await layer.receive(channel)).get("type") != "healthz.ping":
        raise RuntimeError("the channel layer did not return what was sent")


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_SECONDS)


def broker_configured() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


async def _run(check) -> str:
    try:
        if inspect.iscoroutinefunction(check):
            state = await asyncio.wait_for(check(), CHECK_SECONDS)
        else:
            loop = asyncio.get_running_loop()
            state = await asyncio.wait_for(loop.run_in_executor(_executor, check), CHECK_SECONDS)
    except TimeoutError:
        return f"down: no answer within {CHECK_SECONDS} s"
    except Exception as error:
        return f"down: {type(error).__name__}"
    return state or "ok"


async def run_checks() -> dict[str, str]:
    names = [name for name in CHECKS if name != "broker" or broker_configured()]
    results = await asyncio.gather(*(_run(CHECKS[name]) for name in names))
    checks = dict(zip(names, results, strict=True))
    return {name: checks.get(name, "not configured") for name in CHECKS}


@never_cache
@require_GET
async def healthz(request):
    checks = await run_checks()
    healthy = all(not state.startswith("down") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
