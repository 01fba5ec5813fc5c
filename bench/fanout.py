"""The room's fan-out benchmark: one holder sharing to N connected clients.

Three servers, the same clients, the same messages:

- **hearth**: the real talking circle (``hearth.asgi`` under daphne, PostgreSQL, the Redis
  channel layer). Each share is a room command (one locked transaction), then one
  broadcast whose event is JSON-encoded once; each consumer sends the ready text.
- **peer**: the stock Channels chat consumer of the Channels tutorial under daphne, on the
  same Redis layer: ``group_send``, then one ``json.dumps`` per recipient.
- **floor**: a bare ``websockets`` broadcast server that encodes once (no Django, no Redis).

For N = 10, 50 and 200 listeners (plus the holder, who also receives every message) it
prints p50/p99 delivery latency (send to receive, one clock: clients and holder live in
this process), delivered messages per second, the server process's CPU seconds per
delivered message, lost and reordered messages, and the ratios to the floor and the peer.
It asserts nothing about time. Results and how to reproduce them: docs/performance.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "10,50,200").split(","))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "200"))
SEND_INTERVAL = 0.01
FILLER = "I have been carrying this for a while and it helps to say it here. " * 3
CONNECT_CONCURRENCY = 20
DELIVERY_TIMEOUT = 60


# --- Servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _start(name: str, command: list[str], env: dict, health: bool) -> Server:
    port = _free_port()
    log = Path(f"/tmp/hearth-bench-{name}.log")  # noqa: S108 - a local benchmark's log
    process = subprocess.Popen(
        [arg.replace("{port}", str(port)) for arg in command],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if health:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            else:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Server(name, port, process, log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the {name} server did not start; see {log}")


def start_servers(env: dict) -> dict[str, Server]:
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}"]
    hearth = daphne
    if os.environ.get("BENCH_PROFILE"):  # a cProfile of the room's server, for tuning
        hearth = [sys.executable, "-m", "cProfile", "-o", os.environ["BENCH_PROFILE"], *daphne[1:]]
    return {
        "floor": _start("floor", [sys.executable, "-m", "bench.floor", "{port}"], env, False),
        "peer": _start("peer", [*daphne, "bench.peer:application"], env, False),
        "hearth": _start("hearth", [*hearth, "hearth.asgi:application"], env, True),
    }


# --- Data for the real room --------------------------------------------------------------------


@dataclass
class RoomFixture:
    meetings: dict[int, int]  # N -> meeting id
    holder_cookie: str
    listener_cookies: list[str]
    cleanup: list = field(default_factory=list)


def make_rooms(sizes, listeners: int) -> RoomFixture:
    """A circle, a facilitator who will hold the piece, members going to one meeting per N."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from circles.models import Circle, Membership
    from meetings.models import RSVP, Meeting
    from members.models import User

    stamp = f"{int(time.time())}-{os.getpid()}"
    # An interrupted run may have left its people and circle behind.
    Circle.objects.filter(slug__startswith="bench-").delete()
    User.objects.filter(email__endswith="@bench.invalid").delete()
    circle = Circle.objects.create(
        name=f"Bench circle {stamp}", slug=f"bench-{stamp}", description="A benchmark."
    )

    def person(name: str, role: str) -> User:
        user = User(email=f"{name}-{stamp}@bench.invalid", display_name=name)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(circle=circle, user=user, role=role, state="active")
        return user

    def cookie(user: User) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return f"sessionid={session.session_key}"

    holder = person("Holder", Membership.Role.FACILITATOR)
    members = [person(f"Listener {i}", Membership.Role.MEMBER) for i in range(listeners)]
    meetings = {}
    for size in sizes:
        meeting = Meeting.objects.create(
            circle=circle,
            title=f"Bench N={size}",
            starts_at=timezone.now() - timedelta(minutes=5),
            duration_minutes=240,
            turn_seconds=1800,
            room_mode=Meeting.RoomMode.QUEUE,
        )
        meeting.facilitators.add(holder)
        RSVP.objects.bulk_create(
            RSVP(meeting=meeting, user=user, response=RSVP.Response.GOING) for user in members
        )
        Meeting.objects.filter(pk=meeting.pk).update(going_count=len(members))
        meetings[size] = meeting.pk
    fixture = RoomFixture(meetings, cookie(holder), [cookie(user) for user in members])
    fixture.cleanup = [circle, holder, *members]
    return fixture


def remove_rooms(fixture: RoomFixture) -> None:
    for obj in fixture.cleanup:
        obj.delete()


# --- Clients -----------------------------------------------------------------------------------


class Client:
    """One connected client; records when each numbered message arrived."""

    def __init__(self, target: str, expected: int):
        self.target = target
        self.expected = expected
        self.arrivals: list[tuple[int, float]] = []
        self.done = asyncio.Event()
        self.ready = asyncio.Event()
        self.turn = asyncio.Event()
        self.seq = 0

    async def open(self, url: str, origin: str, cookie: str | None) -> Client:
        headers = {"Cookie": cookie} if cookie else None
        self.ws = await websockets.connect(
            url, origin=origin, additional_headers=headers, max_queue=None
        )
        self.reader = asyncio.create_task(self._read())
        if self.target != "hearth":
            self.ready.set()
        await self.ready.wait()
        return self

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                now = time.perf_counter()
                frame = json.loads(text)
                if self.target == "hearth":
                    kind = frame.get("type")
                    self.seq = max(self.seq, frame.get("seq", 0))
                    if kind == "state":
                        self.ready.set()
                    elif kind == "turn_started":
                        self.turn.set()
                    if kind != "shared":
                        continue
                    message = frame["text"]
                else:
                    message = frame["message"]
                self.arrivals.append((int(message.split(" ", 2)[1]), now))
                if len(self.arrivals) >= self.expected:
                    self.done.set()
        except websockets.ConnectionClosed:
            self.done.set()

    async def send_message(self, index: int) -> None:
        text = f"bench {index} {FILLER}"
        if self.target == "hearth":
            # Like the page, every share carries a ref of its own (the room dedupes on it).
            share = {"type": "share", "text": text, "ref": f"bench-{index}"}
            await self.ws.send(json.dumps(share))
        elif self.target == "peer":
            await self.ws.send(json.dumps({"message": text}))
        else:
            await self.ws.send(text)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


@dataclass
class Result:
    target: str
    n: int
    p50_ms: float
    p99_ms: float
    msgs_per_s: float
    cpu_per_msg_us: float
    delivered: int
    lost: int
    reordered: int


async def run_one(server: Server, n: int, fixture: RoomFixture) -> Result:
    base = f"ws://127.0.0.1:{server.port}"
    origin = f"http://127.0.0.1:{server.port}"
    if server.name == "hearth":
        url = f"{base}/ws/meetings/{fixture.meetings[n]}/room/"
    elif server.name == "peer":
        url = f"{base}/ws/chat/"
    else:
        url = base
    holder = await Client(server.name, MESSAGES).open(url, origin, fixture.holder_cookie)
    if server.name == "hearth":
        await holder.ws.send(json.dumps({"type": "raise_hand"}))
        await holder.ws.send(json.dumps({"type": "start"}))
        await asyncio.wait_for(holder.turn.wait(), 10)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    settled = holder.seq + n  # in the room, each listener's arrival is one event

    async def listener(i: int) -> Client:
        async with gate:
            client = Client(server.name, MESSAGES)
            return await client.open(url, origin, fixture.listener_cookies[i])

    listeners = await asyncio.gather(*(listener(i) for i in range(n)))
    everyone = [holder, *listeners]
    if server.name == "hearth":  # wait until everyone has seen every join
        while min(client.seq for client in everyone) < settled:
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # let the servers go quiet before measuring
    cpu_before = server.cpu_seconds()
    sent = {}
    for index in range(MESSAGES):
        sent[index] = time.perf_counter()
        await holder.send_message(index)
        await asyncio.sleep(SEND_INTERVAL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(c.done.wait() for c in everyone)), DELIVERY_TIMEOUT)
    cpu_used = server.cpu_seconds() - cpu_before
    latencies, last_arrival, reordered = [], sent[0], 0
    for client in everyone:
        order = [index for index, _ in client.arrivals]
        if order != sorted(set(order)):
            reordered += 1
        for index, arrived in client.arrivals:
            latencies.append(arrived - sent[index])
            last_arrival = max(last_arrival, arrived)
    for client in everyone:
        await client.close()
    delivered = len(latencies)
    expected = len(everyone) * MESSAGES
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return Result(
        target=server.name,
        n=n,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p99_ms=quantiles[98] * 1000,
        msgs_per_s=delivered / max(last_arrival - sent[0], 1e-9),
        cpu_per_msg_us=cpu_used / max(delivered, 1) * 1e6,
        delivered=delivered,
        lost=expected - delivered,
        reordered=reordered,
    )


# --- Running it ------------------------------------------------------------------------------


def _environment() -> dict:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("The fan-out bench needs DATABASE_URL (PostgreSQL) and REDIS_URL: `make bench`.")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    return env


def _table(results: list[Result]) -> str:
    by = {(r.target, r.n): r for r in results}
    lines = [
        "| N | server | p50 ms | p99 ms | msgs/s | CPU µs/msg | lost | reordered "
        "| CPU vs floor | CPU vs peer | p50 vs floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        floor, peer = by.get(("floor", r.n), r), by.get(("peer", r.n), r)
        lines.append(
            f"| {r.n} | {r.target} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.msgs_per_s:,.0f} "
            f"| {r.cpu_per_msg_us:.1f} | {r.lost} | {r.reordered} "
            f"| {r.cpu_per_msg_us / max(floor.cpu_per_msg_us, 1e-9):.2f}x "
            f"| {r.cpu_per_msg_us / max(peer.cpu_per_msg_us, 1e-9):.2f}x "
            f"| {r.p50_ms / max(floor.p50_ms, 1e-9):.2f}x |"
        )
    return "\n".join(lines)


def _ensure_database(database_url: str) -> None:
    """Create the bench's database on first use, so `make bench` works on a fresh machine."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url)
    server = psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def main() -> None:
    env = _environment()
    _ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"Fan-out bench: {MESSAGES} messages per run, one every {SEND_INTERVAL * 1000:.0f} ms")
    fixture = make_rooms(SIZES, max(SIZES))
    servers = start_servers(env)
    results = []
    try:
        for n in SIZES:
            for name in os.environ.get("BENCH_SERVERS", "floor,peer,hearth").split(","):
                result = asyncio.run(run_one(servers[name], n, fixture))
                results.append(result)
                print(
                    f"N={n:<4} {name:<7} p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms"
                    f"  {result.msgs_per_s:9,.0f} msgs/s  {result.cpu_per_msg_us:7.1f} µs CPU/msg"
                    f"  lost {result.lost}  reordered {result.reordered}",
                    flush=True,
                )
    finally:
        for server in servers.values():
            server.stop()
        remove_rooms(fixture)
    print()
    print(_table(results))
