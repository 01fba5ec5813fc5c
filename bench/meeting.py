"""The meeting bench: how many circles one server holds, on a real meeting's load.

R rooms meet at once, each with ten people (a facilitator and nine members) connected
through two real daphne processes (``hearth.asgi``) on PostgreSQL and a Redis of the
bench's own (started here, so its CPU and commands are the bench's alone). Everyone
signs in over HTTP with the real sign-in form (a session cookie), opens the room page,
confirms the circle's agreements for the meeting, then opens the room's socket; the
people of each room alternate between the two processes, so every room spans both.

Each room then meets, compressed in time, with a real circle's mix per turn: the piece
moves by raised hands and, from halfway, a round; the holder shares 200-1,500
characters; three to six others react; now and then a hand is raised and lowered, a
``sync`` asked for, the holder nudged by the facilitator, someone reconnects; two people
join late and one leaves early. One turn stands for ``MEETING_MINUTES_PER_TURN`` minutes
of a real meeting. Then everyone stays connected and nobody acts: the room at rest.

It prints, for each R: server CPU seconds a room's meeting adds per room-minute (the two
ASGI processes, and separately the PostgreSQL backends of the bench's database and the
bench's Redis; the sockets' cost at rest for the meeting's duration is taken out, since
it is counted per minute of the clock below), queries per room-minute, p50/p99 delivery
latency of shares and reactions (send to receive on one clock), lost and reordered
events, memory per socket; at rest, CPU, queries and Redis commands per room per minute;
the rooms per core those costs imply; and the load generator's own CPU, which is the
limit once it nears one core (the clients are one asyncio loop). It asserts nothing
about time. docs/performance.md has results.

Knobs: ``BENCH_ROOMS`` (``10,50,100,200``), ``BENCH_TURNS`` per room (6), ``BENCH_TURN_PACE``
(seconds per compressed turn; by default 0.15 s per room, at least 1.5 s, so the servers'
load per second stays about the same at every R: compressed 100-fold, R = 30 rooms would
already ask more than two cores), ``BENCH_REST_SECONDS`` (40).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import websockets

from bench import fanout
from bench.counting import query_count_path

ROOMS = tuple(int(n) for n in os.environ.get("BENCH_ROOMS", "10,50,100,200").split(","))
TURNS = int(os.environ.get("BENCH_TURNS", "6"))
REST_SECONDS = float(os.environ.get("BENCH_REST_SECONDS", "40"))
PEOPLE_PER_ROOM = 10
MEETING_MINUTES_PER_TURN = 4  # a three-minute turn and the quiet around it
PASSWORD = "bench-meeting-password"  # noqa: S105 - throwaway members of a local bench
WORDS = (
    "I have been carrying this for a while and it helps to say it here. Some days are "
    "lighter than others; this week the mornings were the hard part, and I noticed I was "
    "kinder to myself when I said it out loud to someone. "
) * 12
SIGN_IN_THREADS = 8
CONNECT_CONCURRENCY = 20
CONNECT_ATTEMPTS = 6
WAIT_SECONDS = 30
PRIVATE_FRAMES = {"ack", "error", "nudge", "nudged", "resources", "reported", "mute", "removed"}
PRIVATE_FRAMES |= {"support_alert", "support_acknowledged", "your_share_hidden"}


# --- Services ----------------------------------------------------------------------------------


@dataclass
class Redis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def info(self) -> tuple[float, int]:
        """(CPU seconds, commands served) so far."""
        import redis

        client = redis.Redis(port=self.port)
        cpu = client.info("cpu")
        stats = client.info("commandstats")
        client.close()
        calls = sum(entry["calls"] for entry in stats.values())
        return cpu["used_cpu_sys"] + cpu["used_cpu_user"], calls


def start_redis() -> Redis:
    port = fanout._free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            fanout.socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Redis(port, process)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the bench's redis-server did not start")


def rss_bytes(server: fanout.Server) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


def query_count(server: fanout.Server) -> int:
    path = query_count_path(server.process.pid)
    path.unlink(missing_ok=True)
    server.process.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError, ValueError):
            return int(path.read_text())
        time.sleep(0.02)
    raise RuntimeError(f"the {server.name} server did not tell its query count")


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the bench's database (not this one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    cpu = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu


@dataclass
class Meter:
    """Every cost the bench measures, read at one moment."""

    asgi_cpu: float
    postgres: dict[int, float]
    redis_cpu: float
    redis_commands: int
    queries: int
    client_cpu: float
    at: float

    @classmethod
    def read(cls, servers, redis: Redis) -> Meter:
        redis_cpu, redis_commands = redis.info()
        return cls(
            asgi_cpu=sum(server.cpu_seconds() for server in servers),
            postgres=postgres_cpu(),
            redis_cpu=redis_cpu,
            redis_commands=redis_commands,
            queries=sum(query_count(server) for server in servers),
            client_cpu=time.process_time(),
            at=time.monotonic(),
        )

    def since(self, before: Meter) -> dict[str, float]:
        postgres = sum(cpu - before.postgres.get(pid, 0.0) for pid, cpu in self.postgres.items())
        return {
            "asgi_cpu": self.asgi_cpu - before.asgi_cpu,
            "postgres_cpu": postgres,
            "redis_cpu": self.redis_cpu - before.redis_cpu,
            "redis_commands": self.redis_commands - before.redis_commands - 2,  # our INFOs
            "queries": self.queries - before.queries,
            "client_cpu": self.client_cpu - before.client_cpu,
            "seconds": self.at - before.at,
        }


# --- People and rooms -------------------------------------------------------------------------


@dataclass
class Person:
    email: str
    cookie: str = ""


def make_people(count: int) -> tuple[object, list[Person]]:
    """A circle with agreements and ``count`` active members who can sign in."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from circles.models import AgreementVersion, Circle, Membership
    from members.models import User

    stamp = f"{int(time.time())}-{os.getpid()}"
    Circle.objects.filter(slug__startswith="bench-meeting-").delete()
    User.objects.filter(email__endswith="@meeting.bench.invalid").delete()
    circle = Circle.objects.create(
        name=f"Bench meeting circle {stamp}",
        slug=f"bench-meeting-{stamp}",
        description="A benchmark.",
        agreements_version=1,
    )
    AgreementVersion.objects.create(
        circle=circle, version=1, text="- We listen without fixing.\n- What is said stays here."
    )
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            email=f"p{i}-{stamp}@meeting.bench.invalid",
            display_name=f"Person {i}",
            password=password,
        )
        for i in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    Membership.objects.bulk_create(
        Membership(
            circle=circle,
            user=user,
            role=Membership.Role.FACILITATOR
            if i % PEOPLE_PER_ROOM == 0
            else Membership.Role.MEMBER,
            state=Membership.State.ACTIVE,
            accepted_version=1,
        )
        for i, user in enumerate(users)
    )
    return circle, [Person(user.email) for user in users]


def make_meetings(circle, people_count: int, rooms: int) -> list[int]:
    """One open meeting per room; its first person facilitates, the other nine are going."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings.models import RSVP, Meeting
    from members.models import User

    users = list(
        User.objects.filter(memberships__circle=circle).order_by("pk")[: rooms * PEOPLE_PER_ROOM]
    )
    meetings = []
    for index in range(rooms):
        seats = users[index * PEOPLE_PER_ROOM : (index + 1) * PEOPLE_PER_ROOM]
        meeting = Meeting.objects.create(
            circle=circle,
            title=f"Bench meeting {index}",
            starts_at=timezone.now() - timedelta(minutes=5),
            duration_minutes=240,
            turn_seconds=1800,
            room_mode=Meeting.RoomMode.QUEUE,
        )
        meeting.facilitators.add(seats[0])
        RSVP.objects.bulk_create(
            RSVP(meeting=meeting, user=user, response=RSVP.Response.GOING) for user in seats[1:]
        )
        Meeting.objects.filter(pk=meeting.pk).update(going_count=len(seats) - 1)
        meetings.append(meeting.pk)
    return meetings


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _csrf(jar) -> str:
    return next(cookie.value for cookie in jar if cookie.name == "csrftoken")


def sign_in(base: str, person: Person) -> None:
    """As a browser does: the sign-in page, then the form with its CSRF token."""
    opener, jar = _opener()
    opener.open(f"{base}/accounts/login/", timeout=WAIT_SECONDS).read()
    form = {"login": person.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(jar)}
    body = urllib.parse.urlencode(form).encode()
    opener.open(f"{base}/accounts/login/", body, timeout=WAIT_SECONDS).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"{person.email} could not sign in")
    person.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())


def enter(base: str, person: Person, meeting_id: int) -> None:
    """Open the room page and confirm the circle's agreements for this meeting."""
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", person.cookie)]
    page = opener.open(f"{base}/meetings/{meeting_id}/room/", timeout=WAIT_SECONDS)
    page.read()
    if not page.geturl().endswith(f"/meetings/{meeting_id}/room/"):
        raise RuntimeError(f"{person.email} did not get the room page of {meeting_id}")
    csrf = re.search(r"csrftoken=([^;]+)", person.cookie).group(1)
    body = urllib.parse.urlencode({"version": 1, "csrfmiddlewaretoken": csrf}).encode()
    request = urllib.request.Request(  # noqa: S310 - the bench's own http:// server
        f"{base}/meetings/{meeting_id}/agree/", body, headers={"Accept": "application/json"}
    )
    answer = json.loads(opener.open(request, timeout=WAIT_SECONDS).read())
    if not answer.get("ok"):
        raise RuntimeError(f"{person.email} could not confirm the agreements: {answer}")


# --- Clients -----------------------------------------------------------------------------------


class Tally:
    """What every client of a run saw: latencies, and each socket's order of events."""

    def __init__(self):
        self.sent: dict[tuple, float] = {}
        self.share_ms: list[float] = []
        self.reaction_ms: list[float] = []
        self.gaps = 0
        self.reordered = 0
        self.resyncs = 0
        self.errors: list[dict] = []
        self.handshakes_retried = 0
        self.never_connected = 0
        self.last_left = 0.0


class RoomClient:
    """One person's socket. It checks that events arrive one seq after another."""

    def __init__(self, room: Room, person: Person, url: str, origin: str):
        self.room, self.person, self.url, self.origin = room, person, url, origin
        self.participant_id: int | None = None
        self.next_seq = 0
        self.states_asked = 0
        self.own_shares: dict[str, int] = {}
        self.connected = False

    async def connect(self) -> None:
        self.state = asyncio.get_running_loop().create_future()
        self.states_asked += 1
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                self.ws = await websockets.connect(
                    self.url, origin=self.origin, additional_headers={"Cookie": self.person.cookie}
                )
                break
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                # daphne drops a handshake its application did not answer within 5 s;
                # the page's script tries again, and so does the bench (and counts it).
                self.room.tally.handshakes_retried += 1
                await asyncio.sleep(1 + attempt)
        else:
            self.room.tally.never_connected += 1  # this person stays out of the meeting
            return
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.state, WAIT_SECONDS)
        self.connected = True

    async def close(self) -> None:
        self.connected = False
        await self.ws.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def _read(self) -> None:
        tally = self.room.tally
        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in self.ws:
                now = time.perf_counter()
                frame = json.loads(text)
                kind = frame["type"]
                if kind == "error":
                    tally.errors.append(frame)
                if kind in PRIVATE_FRAMES:
                    continue
                if kind == "state":
                    if self.states_asked:
                        self.states_asked -= 1
                    else:
                        tally.resyncs += 1
                    self.next_seq = frame["seq"] + 1
                    self.participant_id = frame["you"]["participant_id"]
                    self.room.seen(self, frame)
                    if not self.state.done():
                        self.state.set_result(None)
                    continue
                seq = frame["seq"]
                if seq < self.next_seq:
                    tally.reordered += 1
                    continue
                tally.gaps += seq - self.next_seq
                self.next_seq = seq + 1
                if kind == "shared":
                    token = frame["text"].split(" ", 1)[0]
                    if frame["participant_id"] == self.participant_id:
                        self.own_shares[token] = frame["share_id"]
                    else:
                        tally.share_ms.append((now - tally.sent[("s", token)]) * 1000)
                elif kind == "reaction" and frame["participant_id"] != self.participant_id:
                    key = (self.room.index, frame["share_id"], frame["participant_id"])
                    key = ("r", *key, frame["kind"])
                    tally.reaction_ms.append((now - tally.sent[key]) * 1000)
                self.room.seen(self, frame)


class Room:
    """One meeting's ten people and what its facilitator's socket knows of the room."""

    def __init__(self, index: int, meeting_id: int, people: list[Person], bases, tally: Tally):
        self.index, self.meeting_id, self.tally = index, meeting_id, tally
        self.clients = []
        for seat, person in enumerate(people):
            base = bases[seat % len(bases)]
            url = f"ws{base.removeprefix('http')}/ws/meetings/{meeting_id}/room/"
            self.clients.append(RoomClient(self, person, url, base))
        self.holder: int | None = None
        self.queue: list[int] = []
        self.changed = asyncio.Event()
        self.rng = random.Random(index)
        self.pace = 0.0  # seconds per turn: turn_pace(R)

    @property
    def facilitator(self) -> RoomClient:
        return self.clients[0]

    def seen(self, client: RoomClient, frame: dict) -> None:
        self.changed.set()
        if client is not self.facilitator:
            return
        if frame["type"] == "state":
            self.holder = (frame.get("holder") or {}).get("participant_id")
            self.queue = frame["queue"]
        elif frame["type"] == "turn_started":
            self.holder = frame["participant_id"]
        elif frame["type"] == "turn_ended":
            self.holder = None
        if "queue" in frame and frame["type"] != "state":
            self.queue = frame["queue"]

    async def until(self, condition) -> None:
        """Wait until ``condition()`` holds; it is looked at again after every frame."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), deadline - time.monotonic())
            except TimeoutError:
                who = [(c.participant_id, c.connected) for c in self.clients]
                raise RuntimeError(
                    f"room {self.index} stuck: holder {self.holder}, queue {self.queue}, {who}, "
                    f"errors: {self.tally.errors[-3:]}"
                ) from None

    def by_participant(self, participant_id: int) -> RoomClient:
        return next(c for c in self.clients if c.participant_id == participant_id)

    def others(self, holder: RoomClient) -> list[RoomClient]:
        return [c for c in self.clients if c.connected and c is not holder]

    async def meet(self) -> None:
        """The compressed meeting: TURNS turns with a real circle's mix of actions."""
        rng, pace, late = self.rng, self.pace, self.clients[-2:]
        await asyncio.sleep(rng.uniform(0, pace))  # rooms do not move in step
        facilitator = self.facilitator
        await facilitator.send({"type": "start"})
        speaker = self.clients[1]
        await speaker.send({"type": "raise_hand"})
        await self.until(lambda: self.holder is not None)
        for turn in range(TURNS):
            while not self.by_participant(self.holder).connected:
                await self.skip_the_absent_holder()
            holder = self.by_participant(self.holder)
            token = f"r{self.index}t{turn}"
            text = f"{token} {WORDS[: rng.randint(200, 1500)]}"
            self.tally.sent[("s", token)] = time.perf_counter()
            await holder.send({"type": "share", "text": text, "ref": token})
            await self.until(lambda token=token, holder=holder: token in holder.own_shares)
            share_id = holder.own_shares[token]
            if turn == 1:  # two people arrive late
                await asyncio.gather(*(client.connect() for client in late))
            kinds = ("heard", "thanks", "me_too", "strength")
            for reactor in rng.sample(self.others(holder), rng.randint(3, 6)):
                await asyncio.sleep(pace * 0.4 / 6)
                kind = rng.choice(kinds)
                key = ("r", self.index, share_id, reactor.participant_id, kind)
                self.tally.sent[key] = time.perf_counter()
                await reactor.send({"type": "react", "share_id": share_id, "kind": kind})
            bystander = rng.choice(self.others(holder)[1:])
            pid = bystander.participant_id
            if turn % 3 == 1 and pid not in self.queue:
                await bystander.send({"type": "raise_hand"})
                await self.until(lambda pid=pid: pid in self.queue)
                await bystander.send({"type": "lower_hand"})
                await self.until(lambda pid=pid: pid not in self.queue)
            if turn % 4 == 2:
                bystander.states_asked += 1
                await bystander.send({"type": "sync"})
            if turn % 4 == 3:
                await facilitator.send({"type": "nudge", "text_id": "default-1"})
            if turn % 5 == 4 and bystander is not facilitator:
                await bystander.close()
                await bystander.connect()
            if turn == TURNS * 2 // 3 and self.clients[2] is not holder:
                await self.clients[2].close()  # someone leaves early
                self.tally.last_left = time.monotonic()
            if turn == TURNS // 2:
                await facilitator.send({"type": "start_round"})
                await self.until(self.someone_queued)
            if not self.someone_queued():
                await rng.choice(self.others(holder)).send({"type": "raise_hand"})
                await self.until(self.someone_queued)
            await asyncio.sleep(pace * 0.4)
            await holder.send({"type": "end_turn"})
            if turn < TURNS - 1:
                await self.until(lambda h=holder.participant_id: self.holder not in (None, h))

    async def skip_the_absent_holder(self) -> None:
        """The piece reached someone just as they left: the facilitator skips them."""
        if not self.someone_queued():
            await self.others(self.facilitator)[0].send({"type": "raise_hand"})
            await self.until(self.someone_queued)
        gone = self.holder
        await self.facilitator.send({"type": "skip"})
        await self.until(lambda: self.holder not in (None, gone))

    def someone_queued(self) -> bool:
        """Whether the piece has someone connected to go to next."""
        connected = {c.participant_id for c in self.clients if c.connected}
        return any(pid in connected and pid != self.holder for pid in self.queue)

    def short_of(self, seq: int) -> int:
        """Events the room had that a still-connected socket never got."""
        return sum(max(seq + 1 - c.next_seq, 0) for c in self.clients if c.connected)


# --- Running it ------------------------------------------------------------------------------


@dataclass
class Result:
    rooms: int
    sockets: int
    room_minutes: float
    active: dict
    rest: dict
    share_ms: list = field(default_factory=list)
    reaction_ms: list = field(default_factory=list)
    lost: int = 0
    reordered: int = 0
    resyncs: int = 0
    bytes_per_socket: float = 0.0
    shares: int = 0
    handshakes_retried: int = 0
    never_connected: int = 0
    errors: list = field(default_factory=list)


def _quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    return statistics.median(values), statistics.quantiles(values, n=100)[98]


async def run_rooms(rooms: list[Room], servers, redis: Redis) -> Result:
    before_connect = sum(rss_bytes(server) for server in servers)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(client: RoomClient) -> None:
        async with gate:
            await client.connect()

    on_time = [c for room in rooms for c in room.clients[:-2]]
    await asyncio.gather(*(connect(client) for client in on_time))
    await asyncio.sleep(2)
    start = await asyncio.to_thread(Meter.read, servers, redis)
    await asyncio.gather(*(room.meet() for room in rooms))
    await asyncio.sleep(2)  # the last events on their way
    end = await asyncio.to_thread(Meter.read, servers, redis)
    sockets = sum(1 for room in rooms for client in room.clients if client.connected)
    memory = sum(rss_bytes(server) for server in servers) - before_connect
    # Whoever left early is marked away GRACE_SECONDS later (an event in their room): the
    # rest begins after that, so it measures nothing but rest.
    from meetings.room.rules import GRACE_SECONDS

    tally = rooms[0].tally
    await asyncio.sleep(max(1.0, tally.last_left + GRACE_SECONDS + 2 - time.monotonic()))
    rest_start = await asyncio.to_thread(Meter.read, servers, redis)
    await asyncio.sleep(REST_SECONDS)
    rest_end = await asyncio.to_thread(Meter.read, servers, redis)

    from meetings.room.store import current_seq

    # An event committed a moment ago may still be on its way: each socket gets a few
    # seconds to reach its room's last seq before what it lacks counts as lost.
    last = {room.index: await asyncio.to_thread(current_seq, room.meeting_id) for room in rooms}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(room.short_of(last[room.index]) for room in rooms):
        await asyncio.sleep(0.1)
    lost = tally.gaps + sum(room.short_of(last[room.index]) for room in rooms)
    if lost:
        print(f"  lost: {tally.gaps} skipped in a socket's stream, the rest never arrived")
    for room in rooms:
        await asyncio.gather(*(c.close() for c in room.clients if c.connected))
    return Result(
        rooms=len(rooms),
        sockets=sockets,
        room_minutes=len(rooms) * TURNS * MEETING_MINUTES_PER_TURN,
        active=end.since(start),
        rest=rest_end.since(rest_start),
        share_ms=tally.share_ms,
        reaction_ms=tally.reaction_ms,
        lost=lost,
        reordered=tally.reordered,
        resyncs=tally.resyncs,
        bytes_per_socket=memory / max(sockets, 1),
        shares=sum(len(c.own_shares) for room in rooms for c in room.clients),
        errors=tally.errors,
        handshakes_retried=tally.handshakes_retried,
        never_connected=tally.never_connected,
    )


def run(rooms: int, circle, people: list[Person], servers, redis: Redis) -> Result:
    bases = [f"http://127.0.0.1:{server.port}" for server in servers]
    meetings = make_meetings(circle, len(people), rooms)
    seats = [
        (bases[seat % len(bases)], people[index * PEOPLE_PER_ROOM + seat], meeting_id)
        for index, meeting_id in enumerate(meetings)
        for seat in range(PEOPLE_PER_ROOM)
    ]
    with ThreadPoolExecutor(SIGN_IN_THREADS) as pool:
        list(pool.map(lambda seat: enter(*seat), seats))
    tally = Tally()
    room_list = [
        Room(
            index,
            meeting_id,
            people[index * PEOPLE_PER_ROOM : (index + 1) * PEOPLE_PER_ROOM],
            bases,
            tally,
        )
        for index, meeting_id in enumerate(meetings)
    ]
    for room in room_list:
        room.pace = turn_pace(rooms)
    return asyncio.run(run_rooms(room_list, servers, redis))


def turn_pace(rooms: int) -> float:
    if os.environ.get("BENCH_TURN_PACE"):
        return float(os.environ["BENCH_TURN_PACE"])
    return max(1.5, 0.15 * rooms)


def per_room_minute(result: Result, key: str) -> float:
    """What a room's meeting adds per meeting-minute, over what its sockets cost at rest
    for as long as the compressed meeting took. The bench slows the turns as R grows, so
    the same meeting lasts longer at large R and would otherwise carry more rest with it
    (the rest is counted on its own, per minute of the clock)."""
    resting = at_rest(result, key) * result.rooms * result.active["seconds"] / 60
    return max(result.active[key] - resting, 0.0) / result.room_minutes


def at_rest(result: Result, key: str) -> float:
    """Per room per minute, while everyone is connected and nobody acts."""
    return result.rest[key] / result.rooms / (result.rest["seconds"] / 60)


def rooms_per_core(result: Result) -> float:
    """One core gives 60 CPU seconds a minute; a room needs its meeting's work for the
    minute plus the minute's cost at rest, on the ASGI processes, PostgreSQL and Redis."""
    keys = ("asgi_cpu", "postgres_cpu", "redis_cpu")
    per_minute = sum(per_room_minute(result, k) + at_rest(result, k) for k in keys)
    return 60 / per_minute if per_minute else float("inf")


def report(results: list[Result]) -> str:
    base = results[0]
    lines = [
        "| R | sockets | s/turn | ASGI CPU s/room-min | PG CPU s/room-min | Redis CPU s/room-min "
        "| queries/room-min | share p50/p99 ms | reaction p50/p99 ms | lost | reordered "
        "| resyncs | handshakes retried / failed | KiB/socket | vs smallest R | rooms/core "
        "| load generator CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        share, reaction = _quantiles(r.share_ms), _quantiles(r.reaction_ms)
        flat = per_room_minute(r, "asgi_cpu") / max(per_room_minute(base, "asgi_cpu"), 1e-9)
        generator = r.active["client_cpu"] / max(r.active["seconds"], 1e-9)
        lines.append(
            f"| {r.rooms} | {r.sockets} | {turn_pace(r.rooms):g} "
            f"| {per_room_minute(r, 'asgi_cpu'):.3f} "
            f"| {per_room_minute(r, 'postgres_cpu'):.3f} | {per_room_minute(r, 'redis_cpu'):.3f} "
            f"| {per_room_minute(r, 'queries'):.1f} | {share[0]:.1f} / {share[1]:.1f} "
            f"| {reaction[0]:.1f} / {reaction[1]:.1f} | {r.lost} | {r.reordered} | {r.resyncs} "
            f"| {r.handshakes_retried} / {r.never_connected} "
            f"| {r.bytes_per_socket / 1024:.0f} | {flat:.2f}x | {rooms_per_core(r):.0f} "
            f"| {generator:.0%} of a core |"
        )
    lines += [
        "",
        "At rest (everyone connected, nobody acting), per room per minute:",
        "",
        "| R | ASGI CPU ms | PG CPU ms | Redis CPU ms | queries | Redis commands |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.rooms} | {at_rest(r, 'asgi_cpu') * 1000:.1f} | "
            f"{at_rest(r, 'postgres_cpu') * 1000:.1f} | {at_rest(r, 'redis_cpu') * 1000:.1f} "
            f"| {at_rest(r, 'queries'):.2f} | {at_rest(r, 'redis_commands'):.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    env = fanout._environment()
    fanout._ensure_database(env["DATABASE_URL"])
    redis = start_redis()
    env = {**env, "REDIS_URL": redis.url}
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"Meeting bench: R = {', '.join(map(str, ROOMS))} rooms of {PEOPLE_PER_ROOM}, "
        f"{TURNS} turns each ({MEETING_MINUTES_PER_TURN} meeting "
        f"minutes a turn), {REST_SECONDS:g} s at rest",
        flush=True,
    )
    circle, people = make_people(max(ROOMS) * PEOPLE_PER_ROOM)
    servers = [fanout._start(f"meeting-{i}", _daphne(), env, True) for i in range(2)]
    results = []
    try:
        bases = [f"http://127.0.0.1:{server.port}" for server in servers]
        with ThreadPoolExecutor(SIGN_IN_THREADS) as pool:
            list(pool.map(lambda i: sign_in(bases[i % 2], people[i]), range(len(people))))
        for rooms in ROOMS:
            result = run(rooms, circle, people, servers, redis)
            results.append(result)
            table = report(results).splitlines()
            print(table[1 + len(results)], "at rest:", table[-1], flush=True)
    finally:
        for server in servers:
            server.stop()
        redis.process.terminate()
        circle.delete()
        from members.models import User

        User.objects.filter(email__endswith="@meeting.bench.invalid").delete()
    print()
    print(report(results))
    if os.environ.get("BENCH_RESULTS"):  # for tests/bench: what each run saw, as JSON
        Path(os.environ["BENCH_RESULTS"]).write_text(json.dumps([summary(r) for r in results]))


def summary(result: Result) -> dict:
    return {
        "rooms": result.rooms,
        "sockets": result.sockets,
        "shares": result.shares,
        "share_deliveries": len(result.share_ms),
        "reaction_deliveries": len(result.reaction_ms),
        "lost": result.lost,
        "reordered": result.reordered,
        "resyncs": result.resyncs,
        "handshakes_retried": result.handshakes_retried,
        "never_connected": result.never_connected,
        "errors": result.errors,
    }


def _daphne() -> list[str]:
    """daphne as Hearth's Dockerfile runs it (no access log)."""
    daphne = "-m daphne --access-log /dev/null -b 127.0.0.1 -p {port} hearth.asgi:application"
    return [sys.executable, *daphne.split()]
