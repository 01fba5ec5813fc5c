"""The RSVP burst: 200 members press "I'm going" at the same moment on a meeting of twelve.

The members are signed in (the real sign-in form) to one of two daphne processes each;
a barrier releases all their POSTs to ``/meetings/<id>/rsvp/`` at once, as a browser
sends them (session cookie, CSRF token, no redirect followed). Beside it, a raw SQL loop
does the same locked work (lock the meeting, read the count and the member's answer,
insert the RSVP, bump the count, commit) for as many members from as many threads,
through a psycopg pool of as many connections as the two processes may hold
(``2 * DATABASE_POOL_MAX``).

It prints RSVPs a second, p50/p99 answer time, the HTTP statuses, the most PostgreSQL
connections the bench's database had open at once, the CPU each RSVP cost the two
daphnes, the database's backends and this process (the load generator: if it nears the
machine's cores, the figures measure the bench), and checks what must be exact:
twelve going, the rest waitlisted in arrival order (FIFO: the waitlist's order is the
order the RSVPs were written in), nothing lost. It asserts nothing about time.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import fanout, meeting

MEMBERS = int(os.environ.get("BENCH_RSVP_MEMBERS", "200"))
CAPACITY = 12
TRIALS = int(os.environ.get("BENCH_RSVP_TRIALS", "2"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Burst:
    name: str
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    most_connections: int
    going: int
    waitlisted: int
    fifo: bool
    server_cpu: float | None = None  # the two daphnes' CPU seconds over the burst
    postgres_cpu: float | None = None  # the bench database's backends'
    client_cpu: float | None = None  # this process's (the load generator's)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


class ConnectionWatch:
    """The most connections the bench's database had at once, sampled every 20 ms."""

    def __init__(self, database_url: str):
        import psycopg

        self.connection = psycopg.connect(database_url.replace("postgres://", "postgresql://"))
        self.connection.autocommit = True
        self.most = 0
        self.running = True
        self.thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        while self.running:
            (count,) = self.connection.execute(query).fetchone()
            self.most = max(self.most, count - 1)  # not this one
            time.sleep(0.02)

    def __enter__(self) -> ConnectionWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.connection.close()


def make_meeting(circle, facilitator) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from meetings.models import Meeting

    meeting = Meeting.objects.create(
        circle=circle,
        title="Bench burst",
        starts_at=timezone.now() + timedelta(days=2),
        capacity=CAPACITY,
    )
    meeting.facilitators.add(facilitator)
    return meeting.pk


def outcome(meeting_id: int) -> tuple[int, int, bool]:
    """(going, waitlisted, whether the waitlist is in the order the answers were written)."""
    from meetings.models import RSVP

    rsvps = RSVP.objects.filter(meeting_id=meeting_id)
    going = rsvps.filter(response=RSVP.Response.GOING).count()
    waitlist = list(rsvps.filter(response=RSVP.Response.WAITLISTED).order_by("waitlisted_at", "pk"))
    times = [entry.waitlisted_at for entry in waitlist]
    fifo = [entry.pk for entry in waitlist] == sorted(entry.pk for entry in waitlist)
    return going, len(waitlist), fifo and len(set(times)) == len(times)


def _cpu(servers) -> tuple[float, dict[int, float], float]:
    return (
        sum(server.cpu_seconds() for server in servers),
        meeting.postgres_cpu(),
        time.process_time(),
    )


def _cpu_since(servers, before, watch: ConnectionWatch) -> tuple[float, float, float]:
    """CPU over the burst: the daphnes, PostgreSQL's backends one by one (a backend that
    ended meanwhile would otherwise take its whole history with it), less the watch's own
    backend, and this process."""
    server, postgres, client = _cpu(servers)
    watcher = watch.connection.info.backend_pid
    backends = sum(cpu - before[1].get(pid, 0.0) for pid, cpu in postgres.items() if pid != watcher)
    return server - before[0], backends, client - before[2]


def http_burst(servers, people, meeting_id: int, database_url: str) -> Burst:
    bases = [f"http://127.0.0.1:{server.port}" for server in servers]
    barrier = threading.Barrier(len(people))
    latencies, statuses = [], {}
    lock = threading.Lock()

    def press(index: int) -> None:
        person = people[index]
        csrf = next(part for part in person.cookie.split("; ") if part.startswith("csrftoken="))
        body = urllib.parse.urlencode(
            {"response": "going", "csrfmiddlewaretoken": csrf.split("=", 1)[1]}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the bench's own http:// server
            f"{bases[index % len(bases)]}/meetings/{meeting_id}/rsvp/",
            body,
            headers={"Cookie": person.cookie},
        )
        opener = urllib.request.build_opener(_NoRedirect)
        barrier.wait()
        started = time.perf_counter()
        try:
            status = opener.open(request, timeout=120).status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    with ConnectionWatch(database_url) as watch:
        cpu_before = _cpu(servers)
        started = time.perf_counter()
        with ThreadPoolExecutor(len(people)) as pool:
            list(pool.map(press, range(len(people))))
        seconds = time.perf_counter() - started
        cpu = _cpu_since(servers, cpu_before, watch)
    going, waitlisted, fifo = outcome(meeting_id)
    return Burst(
        "HTTP, 2 daphnes", seconds, latencies, statuses, watch.most, going, waitlisted, fifo, *cpu
    )


def raw_burst(user_ids: list[int], meeting_id: int, database_url: str, pool_size: int) -> Burst:
    """The same locked work as ``meetings.actions.rsvp`` in hand-written SQL."""
    from psycopg_pool import ConnectionPool

    conninfo = database_url.replace("postgres://", "postgresql://")
    barrier = threading.Barrier(len(user_ids))
    latencies = []
    lock = threading.Lock()
    pool = ConnectionPool(conninfo, min_size=pool_size, max_size=pool_size, open=True)
    pool.wait()

    def press(user_id: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        with pool.connection() as connection, connection.transaction():
            capacity, count = connection.execute(
                "SELECT capacity, going_count FROM meetings_meeting WHERE id = %s FOR UPDATE",
                [meeting_id],
            ).fetchone()
            existing = connection.execute(
                "SELECT response FROM meetings_rsvp WHERE meeting_id = %s AND user_id = %s",
                [meeting_id, user_id],
            ).fetchone()
            if existing is None:
                going = count < capacity
                connection.execute(
                    "INSERT INTO meetings_rsvp (meeting_id, user_id, response, waitlisted_at, "
                    "created_at, updated_at) VALUES (%s, %s, %s, %s, now(), now())",
                    [
                        meeting_id,
                        user_id,
                        "going" if going else "waitlisted",
                        None if going else time_now(),
                    ],
                )
                if going:
                    connection.execute(
                        "UPDATE meetings_meeting SET going_count = going_count + 1 WHERE id = %s",
                        [meeting_id],
                    )
        with lock:
            latencies.append(time.perf_counter() - started)

    with ConnectionWatch(database_url) as watch:
        started = time.perf_counter()
        with ThreadPoolExecutor(len(user_ids)) as threads:
            list(threads.map(press, user_ids))
        seconds = time.perf_counter() - started
    pool.close()
    going, waitlisted, fifo = outcome(meeting_id)
    name = f"raw SQL, pool of {pool_size}"
    return Burst(name, seconds, latencies, {}, watch.most, going, waitlisted, fifo)


def time_now():
    from django.utils import timezone

    return timezone.now()


def _line(burst: Burst) -> str:
    quantiles = statistics.quantiles(burst.latencies, n=100)
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(burst.statuses.items())) or "-"
    exact = burst.going == CAPACITY and burst.waitlisted == MEMBERS - CAPACITY and burst.fifo
    per_rsvp = [
        "-" if seconds is None else f"{1000 * seconds / len(burst.latencies):.1f}"
        for seconds in (burst.server_cpu, burst.postgres_cpu, burst.client_cpu)
    ]
    return (
        f"| {burst.name} | {burst.per_second:.0f} | {statistics.median(burst.latencies):.2f} "
        f"| {quantiles[98]:.2f} | {statuses} | {burst.most_connections} | {burst.going} "
        f"| {burst.waitlisted} | {'yes' if burst.fifo else 'NO'} | {'yes' if exact else 'NO'} "
        f"| {' | '.join(per_rsvp)} |"
    )


def main() -> None:
    env = fanout._environment()
    fanout._ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from members.models import User

    call_command("migrate", verbosity=0)
    circle, people = meeting.make_people(MEMBERS + 1)
    facilitator = User.objects.get(email=people[0].email)
    people = people[1:]
    pool_max = settings.DATABASE_POOL_MAX
    print(
        f'RSVP burst: {MEMBERS} members press "I\'m going" at once on a meeting of '
        f"{CAPACITY}, over 2 daphnes (DATABASE_POOL_MAX={pool_max} each); {TRIALS} trials",
        flush=True,
    )
    servers = [fanout._start(f"rsvp-{i}", meeting._daphne(), env, True) for i in range(2)]
    lines = []
    try:
        bases = [f"http://127.0.0.1:{server.port}" for server in servers]
        with ThreadPoolExecutor(meeting.SIGN_IN_THREADS) as pool:
            list(pool.map(lambda i: meeting.sign_in(bases[i % 2], people[i]), range(MEMBERS)))
        user_ids = list(
            User.objects.filter(email__in=[p.email for p in people]).values_list("pk", flat=True)
        )
        for _ in range(TRIALS):
            meeting_id = make_meeting(circle, facilitator)
            http = http_burst(servers, people, meeting_id, env["DATABASE_URL"])
            raw = raw_burst(
                user_ids, make_meeting(circle, facilitator), env["DATABASE_URL"], 2 * pool_max
            )
            for burst in (http, raw):
                lines.append(_line(burst))
                print(lines[-1], flush=True)
            print(f"HTTP burst / raw loop: {http.per_second / raw.per_second:.2f}x", flush=True)
    finally:
        for server in servers:
            server.stop()
        circle.delete()
        User.objects.filter(email__endswith="@meeting.bench.invalid").delete()
    print()
    print(
        "| burst | RSVPs/s | p50 s | p99 s | HTTP statuses | most connections | going "
        "| waitlisted | FIFO | exact | server CPU ms/RSVP | PG CPU ms/RSVP "
        "| load generator CPU ms/RSVP |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))
