"""The HTTP admission gate (``hearth.admission``): a burst gets in a few requests at a time,
in arrival order, on the gate's own threads; a request that waits too long gets the busy
page, never a 500; static files, the health check and WebSockets never wait behind pages;
a place comes free only when its thread has. The last test runs a real Daphne and shows a
burst of a hundred requests starting no hundred threads."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from hearth.admission import AdmissionGate, Places
from tests.servers import daphne, database_url_for_tests


def scope(path: str = "/me/", *, kind: str = "http", method: str = "GET", query: bytes = b""):
    return {"type": kind, "path": path, "method": method, "query_string": query, "headers": []}


async def call(app, request_scope) -> list[dict]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(request_scope, receive, send)
    return sent


async def ok(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def status_of(sent: list[dict]) -> int:
    return sent[0]["status"]


def test_a_burst_gets_in_three_at_a_time_in_arrival_order_on_the_gates_own_threads():
    inside, most, order, threads = 0, 0, [], set()

    async def app(request_scope, receive, send):
        nonlocal inside, most
        order.append(request_scope["path"])
        inside += 1
        most = max(most, inside)
        threads.add(await sync_to_async(lambda: threading.current_thread().name)())
        await asyncio.sleep(0.005)
        inside -= 1
        await ok(send)

    gate = AdmissionGate(app, concurrency=3, queue_timeout=30)

    async def burst():
        return await asyncio.gather(*(call(gate, scope(f"/r/{i}/")) for i in range(40)))

    results = asyncio.run(burst())

    assert [status_of(sent) for sent in results] == [200] * 40
    assert most == 3
    assert order == [f"/r/{i}/" for i in range(40)]
    assert len(threads) == 3
    assert all(name.startswith("http-") for name in threads)


def test_a_request_that_waits_past_the_timeout_gets_the_busy_page_and_changes_nothing():
    release = asyncio.Event()
    reached = []

    async def app(request_scope, receive, send):
        reached.append(request_scope["path"])
        await release.wait()
        await ok(send)

    gate = AdmissionGate(app, concurrency=1, queue_timeout=0.2)

    async def scenario():
        holder = asyncio.create_task(call(gate, scope("/slow/")))
        await asyncio.sleep(0.05)
        page = await call(gate, scope("/circles/", query=b"q=grief"))
        form = await call(gate, scope("/circles/evening-grief/join/", method="POST"))
        release.set()
        return await holder, page, form, await call(gate, scope("/after/"))

    held, page, form, after = asyncio.run(scenario())

    assert reached == ["/slow/", "/after/"], "the waiting requests never reached Django"
    assert status_of(held) == 200 and status_of(after) == 200
    for sent in (page, form):
        assert status_of(sent) == 503
        headers = dict(sent[0]["headers"])
        assert headers[b"retry-after"] == b"5"
        assert headers[b"cache-control"] == b"no-store"
        assert headers[b"x-content-type-options"] == b"nosniff"
        assert b"frame-ancestors 'none'" in headers[b"content-security-policy"]
        assert int(headers[b"content-length"]) == len(sent[1]["body"])
    page_body, form_body = page[1]["body"].decode(), form[1]["body"].decode()
    assert "Hearth is very busy for a moment" in page_body
    assert 'href="/circles/?q=grief">Try again</a>' in page_body
    assert "not saved yet" in form_body
    assert "Try again</a>" not in form_body


def test_static_files_the_health_check_and_websockets_never_wait_behind_pages():
    release = asyncio.Event()
    passed = []

    async def app(request_scope, receive, send):
        if request_scope["path"] == "/slow/":
            await release.wait()
        passed.append(request_scope["path"])
        await ok(send)

    gate = AdmissionGate(
        app,
        concurrency=1,
        queue_timeout=0.2,
        side_prefixes=("/static/",),
        side_paths=frozenset({"/healthz"}),
    )

    async def scenario():
        holder = asyncio.create_task(call(gate, scope("/slow/")))
        await asyncio.sleep(0.05)
        answers = [
            await call(gate, scope("/static/css/hearth.css")),
            await call(gate, scope("/healthz")),
            await call(gate, scope("/ws/meetings/1/room/", kind="websocket")),
            await call(gate, scope("/healthzzz")),  # only the health check itself
        ]
        release.set()
        await holder
        return answers

    answers = asyncio.run(scenario())

    assert [status_of(sent) for sent in answers] == [200, 200, 200, 503]
    assert passed[:3] == ["/static/css/hearth.css", "/healthz", "/ws/meetings/1/room/"]


def test_a_place_is_free_again_only_once_a_cancelled_requests_view_has_finished():
    """A request cancelled while its view still runs on the place's thread: the next
    request waits in the queue (and its timeout counts) until that view is done."""
    view_may_end = threading.Event()

    def slow_view():
        view_may_end.wait(10)

    async def app(request_scope, receive, send):
        if request_scope["path"] == "/slow/":
            await sync_to_async(slow_view)()
        await ok(send)

    gate = AdmissionGate(app, concurrency=1, queue_timeout=0.3)

    async def scenario():
        cancelled = asyncio.create_task(call(gate, scope("/slow/")))
        await asyncio.sleep(0.05)
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        while_running = await call(gate, scope("/next/"))
        view_may_end.set()
        await asyncio.sleep(0.1)
        return while_running, await call(gate, scope("/after/"))

    while_running, after = asyncio.run(scenario())

    assert status_of(while_running) == 503
    assert status_of(after) == 200


def test_a_place_handed_over_as_its_waiter_gives_up_is_not_lost():
    """A waiter's task is cancelled (the server gave up on it) just as a place came free
    for it: the place goes to the next in line, not nowhere."""

    async def scenario():
        places = Places(1)
        first = await places.take(1)
        leaving = asyncio.create_task(places.take(5))
        staying = asyncio.create_task(places.take(5))
        await asyncio.sleep(0.01)
        places.give_back(first)  # handed to ``leaving``, which has not resumed yet
        leaving.cancel()
        await asyncio.gather(leaving, return_exceptions=True)
        return await asyncio.wait_for(staying, 1)

    assert asyncio.run(scenario()) is not None


# --- A real server -------------------------------------------------------------------


def threads_of(port: int) -> int:
    """The thread count of the process listening on ``port`` (found in /proc)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"daphne" in b" ".join(words) and str(port).encode() in words:
            status = (cmdline.parent / "status").read_text().splitlines()
            return int(next(line for line in status if line.startswith("Threads:"))[8:])
    raise AssertionError(f"no daphne on port {port}")


@pytest.mark.services
def test_a_burst_on_a_real_server_is_served_by_the_gates_threads(
    tmp_path, transactional_db, member
):
    client = Client()
    client.force_login(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    env = {
        "HTTP_CONCURRENCY": "2",
        "HTTP_QUEUE_TIMEOUT": "90",  # queueing is the point; a slow machine must not 503
        "DATABASE_POOL_MAX": "4",
        "DATABASE_POOL_TIMEOUT": "90",
    }
    with daphne(tmp_path / "server.log", database_url_for_tests(), **env) as url:
        port = int(url.rsplit(":", 1)[1])
        counts = []
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                counts.append(threads_of(port))
                stop.wait(0.02)

        def fetch(_):
            request = urllib.request.Request(f"{url}/me/", headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            with ThreadPoolExecutor(max_workers=100) as pool:
                statuses = list(pool.map(fetch, range(100)))
        finally:
            stop.set()
            watcher.join()

    assert statuses == [200] * 100
    assert counts, "the server's threads were counted during the burst"
    # Daphne's own threads, asgiref's and the database pool's: a handful, and the same
    # whether ten requests wait or a hundred (without the gate this reaches ~100).
    assert max(counts) <= 25, f"the server ran {max(counts)} threads"


def test_the_busy_answer_logs_the_route_not_the_token_and_links_only_within_the_site(caplog):
    release = asyncio.Event()

    async def app(request_scope, receive, send):
        await release.wait()
        await ok(send)

    gate = AdmissionGate(app, concurrency=1, queue_timeout=0.1)

    async def scenario():
        holder = asyncio.create_task(call(gate, scope("/slow/")))
        await asyncio.sleep(0.05)
        feed = await call(gate, scope("/meetings/feed/secret-calendar-token.ics"))
        elsewhere = await call(gate, scope("//elsewhere.example/page"))
        release.set()
        await holder
        return feed, elsewhere

    with caplog.at_level("WARNING", logger="hearth.admission"):
        feed, elsewhere = asyncio.run(scenario())

    assert status_of(feed) == 503 and status_of(elsewhere) == 503
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "meetings/feed/<str:token>.ics" in logged
    assert "secret-calendar-token" not in logged
    assert 'href="/elsewhere.example/page">Try again</a>' in elsewhere[1]["body"].decode()


@pytest.mark.services
def test_on_a_real_server_a_request_that_waits_out_its_turn_gets_the_busy_page(
    tmp_path, transactional_db
):
    """One place, held by a page stuck on a table lock: the next page waits its second
    and gets the gate's busy page, while the stylesheet that page needs and /healthz
    are served from their own queue."""
    import psycopg

    env = {"HTTP_CONCURRENCY": "1", "HTTP_QUEUE_TIMEOUT": "1", "DATABASE_POOL_TIMEOUT": "60"}
    database_url = database_url_for_tests()
    with daphne(tmp_path / "server.log", database_url, **env) as url:

        def fetch(path):
            try:
                with urllib.request.urlopen(f"{url}{path}", timeout=60) as response:  # noqa: S310
                    return response.status, dict(response.headers), response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers), error.read().decode()

        with psycopg.connect(database_url) as lock:
            lock.execute("LOCK TABLE circles_circle IN ACCESS EXCLUSIVE MODE")
            holder = ThreadPoolExecutor(max_workers=1)
            held = holder.submit(fetch, "/circles/")
            time.sleep(1)  # the circles page now holds the only place, waiting on the lock
            busy = fetch("/me/?tab=circles")
            stylesheet = fetch("/static/css/hearth.css")
            health = fetch("/healthz")
            still_waiting = not held.done()
        assert held.result(timeout=60)[0] == 200, "the page that waited on the lock ends well"
        holder.shutdown()
        after = fetch("/circles/")

    status, headers, body = busy
    assert still_waiting
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Hearth is very busy for a moment" in body
    assert 'href="/me/?tab=circles">Try again</a>' in body
    assert "Traceback" not in body
    assert stylesheet[0] == 200 and "body" in stylesheet[2]
    assert health[0] == 200
    assert after[0] == 200, "the site answers again as soon as the place is free"
    assert "waited 1.0s for a turn; answered 503: GET me/" in (tmp_path / "server.log").read_text()
