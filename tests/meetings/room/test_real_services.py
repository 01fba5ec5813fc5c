"""The room on real services at rest and after a fault: a Redis of the test's own (so it
can be stopped and started again), two Daphne processes on PostgreSQL, clients over real
WebSockets.

- A room that stays silent for a minute keeps every socket open (redis-py 8 gives each
  connection a 5-second read timeout, exactly channels-redis' blocking read: without
  the channel layer's own timeout every consumer died of it; see docs/dependencies.md).
- Redis stopped for five seconds mid-turn and started empty again: every process is
  live again by itself, every client ends with the state a fresh client gets, events
  reach everyone live again, and the holder keeps the piece.
- A consumer that dies releases its presence at once: the room sees the person leave.
- ``/healthz`` answers within a second with sockets open, and 503 while Redis is down.

The servers and the Redis are shared by the tests of this module (starting them costs
seconds); each test builds its own meeting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest
import websockets
from django.db import connection
from django.test import Client

from meetings.room import store
from meetings.room.models import RoomConnection
from tests.factories import MembershipFactory
from tests.meetings.room.conftest import make_meeting
from tests.meetings.room.reducer import apply_event
from tests.redis_server import RedisServer
from tests.servers import daphne, database_url_for_tests
from tests.servers_faults import CRASH_FRAME

pytestmark = pytest.mark.services

QUIET_SECONDS = 60
OUTAGE_SECONDS = 5
LIVE_AGAIN_SECONDS = 10  # the p95 bound, from Redis answering again


@pytest.fixture(scope="module")
def services(django_db_setup, django_db_blocker, tmp_path_factory):
    """Our own Redis and two Daphne processes on the test database."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.fail("these tests need PostgreSQL: run them with make test")
        database_url = database_url_for_tests()
    directory = tmp_path_factory.mktemp("real-services")
    redis = RedisServer(directory)
    redis.start()
    logs = [directory / f"server-{name}.log" for name in ("a", "b")]
    with ExitStack() as stack:
        stack.callback(redis.stop)
        urls = [
            stack.enter_context(
                daphne(
                    log,
                    database_url,
                    application="tests.servers_faults:application",
                    REDIS_URL=redis.url,
                )
            )
            for log in logs
        ]
        yield redis, urls, logs


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class Person:
    """A browser tab in the room: applies every event to its last ``state`` as the page
    does, and reconnects (after a second, as the page's first retry) when closed."""

    def __init__(self, name: str, url: str, cookie: str, meeting_id: int):
        self.name = name
        self.port = _port(url)
        self.cookie = cookie
        self.meeting_id = meeting_id
        self.state: dict | None = None
        self.live: list[dict] = []  # events received as events (not through a state)
        self.closes: list[int | None] = []
        self.gaps: list[tuple[int, int]] = []
        self.answers: dict[str, dict] = {}  # the last ack or error for each ref sent
        self.changed = asyncio.Event()
        self.ws = None
        self.task: asyncio.Task | None = None
        self.stopped = False

    async def connect(self) -> Person:
        self.task = asyncio.create_task(self._run())
        await self.wait_for(lambda: self.state is not None)
        return self

    async def _run(self) -> None:
        while not self.stopped:
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{self.port}/ws/meetings/{self.meeting_id}/room/",
                    origin=f"http://127.0.0.1:{self.port}",
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=5,
                ) as ws:
                    self.ws = ws
                    async for text in ws:
                        self._receive(json.loads(text))
            except websockets.ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
            except OSError:
                self.closes.append(None)
            else:
                if self.ws is not None and self.ws.close_code is not None:
                    self.closes.append(self.ws.close_code)
            self.ws = None
            self.changed.set()
            if not self.stopped:
                await asyncio.sleep(1)

    def _receive(self, frame: dict) -> None:
        if frame["type"] in ("ack", "error") and frame.get("ref"):
            self.answers[frame["ref"]] = frame
        if frame["type"] == "state":
            self.state = frame
        elif frame["type"] != "ack" and "seq" in frame and self.state is not None:
            self.live.append(frame)
            if frame["seq"] != self.state["seq"] + 1:  # the server must never show a gap
                self.gaps.append((self.state["seq"], frame["seq"]))
            else:
                self.state = apply_event(self.state, frame)
        self.changed.set()

    async def send(self, frame_type: str, **fields) -> None:
        await self.ws.send(json.dumps({"type": frame_type, **fields}))

    async def wait_for(self, condition, timeout: float = 10) -> None:
        async def waiting():
            while not condition():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(waiting(), timeout)

    async def fresh_state(self) -> dict:
        """What a fresh client would be told now (a ``sync`` answers with a new state)."""
        before = self.state
        await self.send("sync")
        await self.wait_for(lambda: self.state is not before)
        return self.state

    async def leave(self) -> None:
        self.stopped = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await self.task


def _healthz(url: str) -> tuple[int, float, dict]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, time.monotonic() - started, json.loads(body)


def _people(circle, count):
    from circles.models import Membership
    from tests.factories import UserFactory

    users = [UserFactory(display_name=f"Person {n}") for n in range(count)]
    for user in users:
        MembershipFactory(circle=circle, user=user, role=Membership.Role.MEMBER)
    return users


def _sit_down(services, circle, facilitator, members):
    """A meeting with the facilitator and ``members``, spread over both processes."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=members)
    _, urls, _ = services
    everyone = [facilitator, *members]
    return meeting, [
        Person(user.display_name, urls[index % 2], _cookie(user), meeting.pk)
        for index, user in enumerate(everyone)
    ]


def test_a_quiet_room_keeps_every_socket_open_for_a_minute(
    services, transactional_db, circle, facilitator
):
    _meeting, people = _sit_down(services, circle, facilitator, _people(circle, 3))
    _, urls, logs = services
    logged_before = [log.stat().st_size for log in logs]

    async def scenario():
        for person in people:
            await person.connect()
        fern, milo = people[0], people[1]
        await milo.send("raise_hand")
        await fern.send("start")
        for person in people:
            await person.wait_for(lambda p=person: p.state["holder"] is not None)

        started = time.monotonic()
        slowest_healthz = 0.0
        while time.monotonic() - started < QUIET_SECONDS:
            await asyncio.sleep(5)
            for url in urls:  # the process is busy with open sockets: still quick
                status, seconds, _ = await asyncio.to_thread(_healthz, url)
                assert status == 200
                slowest_healthz = max(slowest_healthz, seconds)

        assert [person.closes for person in people] == [[]] * len(people)
        assert [person.gaps for person in people] == [[]] * len(people)
        await milo.send("share", text="After a long silence.")
        for person in people:
            await person.wait_for(
                lambda p=person: any(e["type"] == "shared" for e in p.live), timeout=5
            )
        for person in people:
            await person.leave()
        return slowest_healthz

    slowest_healthz = asyncio.run(scenario())
    assert slowest_healthz < 1.0
    for log, start in zip(logs, logged_before, strict=True):
        with log.open() as text:
            text.seek(start)
            logged = text.read()
        assert "Timeout reading" not in logged
        assert "channel layer failed" not in logged


def test_after_a_redis_restart_every_client_is_live_again_and_the_holder_keeps_the_piece(
    services, transactional_db, circle, facilitator
):
    redis, urls, _ = services
    _meeting, people = _sit_down(services, circle, facilitator, _people(circle, 3))

    async def scenario():
        for person in people:
            await person.connect()
        fern, milo = people[0], people[1]
        await milo.send("raise_hand")
        await fern.send("start")
        for person in people:
            await person.wait_for(lambda p=person: p.state["holder"] is not None)
        turn = milo.state["holder"]["turn_id"]

        redis.stop()
        await asyncio.sleep(0.5)
        for url in urls:  # the channel layer is down, and /healthz says so at once
            status, seconds, body = await asyncio.to_thread(_healthz, url)
            assert status == 503
            assert body["checks"]["channel_layer"].startswith("down")
            assert seconds < 1.0
        await asyncio.sleep(OUTAGE_SECONDS - 0.5)
        redis.start()
        answering = time.monotonic()

        # Every process is live again by itself: an event reaches every client live.
        live_again = {}
        pending = set(range(len(people)))
        while pending and time.monotonic() - answering < 3 * LIVE_AGAIN_SECONDS:
            seen = [len(person.live) for person in people]
            if fern.ws is not None:
                await fern.send("extend", seconds=1)
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline and pending:
                for index in list(pending):
                    person = people[index]
                    if any(e["type"] == "turn_extended" for e in person.live[seen[index] :]):
                        live_again[person.name] = time.monotonic() - answering
                        pending.discard(index)
                await asyncio.sleep(0.05)
        assert not pending, f"never live again: {[people[i].name for i in pending]}"

        await milo.send("share", text="Said after the restart.")
        for person in people:
            await person.wait_for(
                lambda p=person: any(
                    e["type"] == "shared" and e["text"] == "Said after the restart." for e in p.live
                ),
                timeout=LIVE_AGAIN_SECONDS,
            )
        shown = [person.state for person in people]
        fresh = [await person.fresh_state() for person in people]
        for person in people:
            await person.leave()
        return turn, live_again, shown, fresh, [person.gaps for person in people]

    turn, live_again, shown, fresh, gaps = asyncio.run(scenario())
    print("live again after Redis answered (s):", live_again)
    assert gaps == [[]] * len(people)
    assert max(live_again.values()) < LIVE_AGAIN_SECONDS
    assert shown == fresh
    assert fresh[0]["holder"]["turn_id"] == turn
    assert fresh[0]["holder"]["participant_id"] == 2


def test_shares_sent_around_a_redis_restart_are_shared_exactly_once_and_the_author_knows(
    services, transactional_db, circle, facilitator
):
    """The page's outbox, played by hand: each share has its ref, and every share not yet
    answered is sent again after any reconnect, then all of them once more (a reload in
    the middle of sending). Nothing may be lost, nothing doubled, every ref answered."""
    redis, _, _ = services
    _meeting, people = _sit_down(services, circle, facilitator, _people(circle, 2))
    texts = {f"around-{n}": f"Said around the restart, number {n}." for n in range(6)}
    refs = list(texts)

    async def scenario():
        for person in people:
            await person.connect()
        fern, milo, olive = people
        await milo.send("raise_hand")
        await fern.send("start")
        await milo.wait_for(lambda: (milo.state["holder"] or {}).get("participant_id") == 2)

        async def try_to_share(ref):
            with contextlib.suppress(websockets.ConnectionClosed, AttributeError):
                await milo.send("share", text=texts[ref], ref=ref)

        for ref in refs[:2]:
            await try_to_share(ref)
        redis.stop()
        for ref in refs[2:4]:
            await try_to_share(ref)
            await asyncio.sleep(OUTAGE_SECONDS / 2)
        redis.start()
        for ref in refs[4:]:
            await try_to_share(ref)
        deadline = time.monotonic() + 3 * LIVE_AGAIN_SECONDS
        while set(milo.answers) != set(refs) and time.monotonic() < deadline:
            await asyncio.sleep(1)
            for ref in refs:
                if ref not in milo.answers:
                    await try_to_share(ref)
        first_answers = dict(milo.answers)
        for ref in refs:
            await try_to_share(ref)
        await milo.wait_for(
            lambda: all(milo.answers[ref] is not first_answers[ref] for ref in refs),
            timeout=LIVE_AGAIN_SECONDS,
        )
        fresh = await olive.fresh_state()
        for person in people:
            await person.leave()
        return first_answers, dict(milo.answers), fresh

    first, again, fresh = asyncio.run(scenario())
    print("answers:", {ref: answer.get("code", answer["type"]) for ref, answer in first.items()})
    assert set(first) == set(refs), "every share's author was answered"
    said = [share["text"] for share in fresh["shares"]]
    for ref in refs:
        if first[ref]["type"] == "ack":
            assert said.count(texts[ref]) == 1, ref
            assert again[ref]["type"] == "ack" and again[ref]["repeat"], ref
        else:  # refused: the author was told, and the words were not shared
            assert said.count(texts[ref]) == 0, ref
            assert again[ref]["code"] == first[ref]["code"], ref
    assert sum(answer["type"] == "ack" for answer in first.values()) >= 4


def test_a_consumer_that_dies_releases_its_presence_and_the_holders_grace_starts(
    services, transactional_db, circle, facilitator, member
):
    meeting, (fern, milo) = _sit_down(services, circle, facilitator, [member])

    async def scenario():
        await fern.connect()
        await milo.connect()
        await milo.send("raise_hand")
        await fern.send("start")
        await fern.wait_for(lambda: (fern.state["holder"] or {}).get("participant_id") == 2)
        milo.stopped = True  # no reconnecting: the tab is gone
        await milo.ws.send(CRASH_FRAME)
        await fern.wait_for(
            lambda: any(e["type"] == "left" and e["participant_id"] == 2 for e in fern.live),
            timeout=5,
        )
        await milo.task
        await fern.leave()
        return milo.closes

    closes = asyncio.run(scenario())
    assert closes == [1011]
    assert not RoomConnection.objects.filter(meeting=meeting, participant_id=2).exists()
    state = store.load_state(meeting.pk)
    assert not state.participant(2).present
    assert state.holder.participant_id == 2
    assert state.holder.grace_deadline is not None


def test_healthz_answers_within_a_second_while_sockets_are_open(
    services, transactional_db, circle, facilitator
):
    _, urls, _ = services
    _meeting, people = _sit_down(services, circle, facilitator, _people(circle, 5))

    async def scenario():
        for person in people:
            await person.connect()
        timings = []
        for _ in range(3):
            for url in urls:
                status, seconds, body = await asyncio.to_thread(_healthz, url)
                assert status == 200, body
                timings.append(seconds)
        for person in people:
            await person.leave()
        return timings

    assert max(asyncio.run(scenario())) < 1.0
