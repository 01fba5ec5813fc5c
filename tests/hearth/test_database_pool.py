"""Database connections per server process stay within the pool's bound whatever the load,
a burst queues instead of failing, and a pool exhausted past its timeout answers the calm
busy page (503 with Retry-After), never a 500, and recovers by itself.

Each test runs a real Daphne process on the test database with a small pool, and counts
that process's PostgreSQL connections itself (``pg_stat_activity`` for the test database
and the server's own ``application_name``) from a connection of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from psycopg_pool import PoolTimeout

from hearth import views
from hearth.busy import DatabaseBusyMiddleware, is_database_busy
from tests.servers import ROOT, daphne, database_url_for_tests

pytestmark = pytest.mark.services

POOL_MAX = 4


def fetch(
    url: str, cookie: str = "", data: bytes | None = None, timeout: float = 120
) -> tuple[int, dict, str]:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class ConnectionWatch:
    """Counts one server's PostgreSQL connections every few milliseconds until stopped."""

    def __init__(self, database_url: str, database: str, application: str):
        self.database_url = database_url
        self.database = database
        self.application = application
        self.counts: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def count(self, cursor, *, waiting_on_a_lock: bool = False) -> int:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s"
        if waiting_on_a_lock:
            query += " AND wait_event_type = 'Lock'"
        cursor.execute(query, [self.database, self.application])
        return cursor.fetchone()[0]

    def _run(self):
        with psycopg.connect(self.database_url, autocommit=True) as conn, conn.cursor() as cursor:
            while not self._stop.is_set():
                self.counts.append(self.count(cursor))
                time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)

    @property
    def peak(self) -> int:
        return max(self.counts)


@contextmanager
def server_with_pool(tmp_path, **pool_env):
    """A Daphne process whose connections carry their own application_name."""
    assert connection.vendor == "postgresql", "run with make test (PostgreSQL and Redis)"
    application = f"hearth-pool-test-{uuid.uuid4().hex[:8]}"
    base_url = database_url_for_tests()
    env = {
        "DATABASE_POOL_MAX": str(POOL_MAX),
        "DATABASE_POOL_TIMEOUT": "90",  # queueing is the point; a slow machine must not 503
        **pool_env,
    }
    with daphne(
        tmp_path / "server.log", f"{base_url}?application_name={application}", **env
    ) as url:
        watch = ConnectionWatch(base_url, connection.settings_dict["NAME"], application)
        yield url, watch


@pytest.fixture
def member_cookie(transactional_db, member, circle):
    client = Client()
    client.force_login(member)
    return f"sessionid={client.cookies['sessionid'].value}"


def pages(url: str) -> list[str]:
    return [f"{url}/me/", f"{url}/circles/evening-grief/", f"{url}/circles/"]


class HealthPoll:
    """Asks /healthz every 200 ms while the load runs."""

    def __init__(self, url: str):
        self.url = url
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.statuses.append(fetch(f"{self.url}/healthz")[0])
            time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=130)


def test_300_page_loads_in_a_row_stay_within_the_pool(tmp_path, member_cookie):
    with server_with_pool(tmp_path) as (url, watch), watch, HealthPoll(url) as health:
        urls = pages(url)
        statuses = [fetch(urls[i % len(urls)], member_cookie)[0] for i in range(300)]

    assert statuses == [200] * 300
    assert health.statuses, "healthz was asked during the load"
    assert set(health.statuses) == {200}
    assert watch.counts, "the connections were counted during the load"
    assert 1 <= watch.peak <= POOL_MAX, f"the server opened {watch.peak} connections"


def test_100_page_loads_at_once_queue_within_the_pool_and_none_fails(tmp_path, member_cookie):
    with server_with_pool(tmp_path) as (url, watch), watch, HealthPoll(url) as health:
        urls = pages(url)
        with ThreadPoolExecutor(max_workers=100) as executor:
            results = list(
                executor.map(lambda i: fetch(urls[i % len(urls)], member_cookie), range(100))
            )

    statuses = [status for status, _, _ in results]
    assert statuses == [200] * 100, "a burst queues for a connection; nobody gets an error"
    assert health.statuses
    assert set(health.statuses) == {200}
    assert 1 <= watch.peak <= POOL_MAX, f"the server opened {watch.peak} connections"


@contextmanager
def sessions_locked(database_url: str):
    """Hold an exclusive lock on the sessions table, so any request that reads a session
    waits in PostgreSQL while keeping the pool's connection."""
    with psycopg.connect(database_url) as conn:
        conn.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()


def test_an_exhausted_pool_answers_the_busy_page_and_recovers_by_itself(tmp_path, member_cookie):
    with server_with_pool(tmp_path, DATABASE_POOL_MAX="1", DATABASE_POOL_TIMEOUT="1") as (
        url,
        watch,
    ):
        with psycopg.connect(database_url_for_tests(), autocommit=True) as conn:
            cursor = conn.cursor()
            with sessions_locked(database_url_for_tests()):
                # One member's page takes the pool's only connection and waits on the lock.
                holder = ThreadPoolExecutor(max_workers=1)
                held = holder.submit(fetch, f"{url}/me/", member_cookie)
                deadline = time.monotonic() + 20
                while not watch.count(cursor, waiting_on_a_lock=True):
                    assert time.monotonic() < deadline, "the first page never reached the lock"
                    time.sleep(0.05)

                # A visitor's page (the view asks the database), a member's page (their
                # session is read in middleware) and a member's form: all wait a second,
                # then get the busy page.
                page, form = f"{url}/circles/evening-grief/", f"{url}/circles/evening-grief/join/"
                visitor = fetch(f"{url}/circles/", timeout=15)
                other = fetch(page, "sessionid=another-session", timeout=15)
                posted = fetch(form, "sessionid=another-session", data=b"", timeout=15)
                waiting_holder_status = None if held.done() else "still waiting"

            assert held.result(timeout=60)[0] == 200, "the page that waited on the lock ends well"
            holder.shutdown()
            assert watch.count(cursor) <= 1

        after = [fetch(page, member_cookie)[0] for page in pages(url)]
        health = fetch(f"{url}/healthz")[0]

    assert waiting_holder_status == "still waiting"
    for status, headers, body in (visitor, other, posted):
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert "Hearth is very busy for a moment" in body
        assert "Traceback" not in body
    assert 'href="/circles/">Try again</a>' in visitor[2]
    assert "not saved yet" in posted[2]
    assert "Try again</a>" not in posted[2]
    assert after == [200, 200, 200], "the site recovers as soon as the connection is free"
    assert health == 200


# --- Celery's prefork worker ------------------------------------------------------------

CELERY_CHILDREN = 2


@pytest.mark.filterwarnings("ignore:task_always_eager has no effect on send_task")
def test_a_prefork_celery_worker_holds_at_most_one_connection_per_child(transactional_db, tmp_path):
    """Celery forks its children after settings load; the pool is made lazily in each
    child and Celery closes it after every task, so a child never holds more than the one
    connection its task uses, whatever DATABASE_POOL_MAX says (with DATABASE_POOL_MIN at
    its default of 0: a pool that opens with spare connections would open them per task)."""
    import redis
    from celery import current_app

    assert connection.vendor == "postgresql", "run with make test (PostgreSQL and Redis)"
    application = f"hearth-celery-test-{uuid.uuid4().hex[:8]}"
    queue = application
    base_url = database_url_for_tests()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_POOL")}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
        "SECRET_KEY": "x" * 50,
        "HTTPS_ONLY": "0",
        "DATABASE_URL": f"{base_url}?application_name={application}",
        "DATABASE_POOL_MAX": "8",
    }
    command = [sys.executable, "-m", "celery", "-A", "hearth", "worker", "--pool=prefork"]
    command += [f"--concurrency={CELERY_CHILDREN}", "-Q", queue, "--loglevel=INFO"]
    broker = redis.Redis.from_url(settings.REDIS.url)
    watch = ConnectionWatch(base_url, connection.settings_dict["NAME"], application)
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        with watch:
            for _ in range(40):
                current_app.send_task("meetings.room.tasks.expire_due_turns", queue=queue)
            deadline = time.monotonic() + 90
            while broker.llen(queue):
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()
                assert time.monotonic() < deadline, "the worker did not take its tasks"
                time.sleep(0.2)
            time.sleep(2)  # the last tasks finish
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        broker.delete(queue)

    assert watch.peak >= 1, "the tasks reached the database"
    # One more than the children: a connection a child has just closed can still be listed
    # for a few milliseconds while its next task's opens. A pool opening spare connections
    # per task shows twice the children.
    assert watch.peak <= CELERY_CHILDREN + 1, f"the worker opened {watch.peak} connections"


# --- The busy page without a server ---------------------------------------------------


def pool_timeout_as_django_raises_it() -> OperationalError:
    """What Django raises when the pool has nothing to give: its own OperationalError,
    caused by psycopg_pool's PoolTimeout."""
    try:
        try:
            raise PoolTimeout("couldn't get a connection after 1.00 sec")
        except PoolTimeout as error:
            raise OperationalError(str(error)) from error
    except OperationalError as error:
        return error


def test_a_pool_timeout_is_recognised_through_djangos_wrapping():
    assert is_database_busy(pool_timeout_as_django_raises_it())
    assert is_database_busy(PoolTimeout("direct"))
    assert not is_database_busy(OperationalError("server closed the connection"))
    assert not is_database_busy(ValueError("unrelated"))
    assert not is_database_busy(None)


def test_a_view_that_finds_no_connection_gets_the_busy_page(rf):
    request = rf.get("/circles/?q=grief")
    middleware = DatabaseBusyMiddleware(lambda request: None)

    response = middleware.process_exception(request, pool_timeout_as_django_raises_it())

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert 'href="/circles/?q=grief">Try again</a>' in response.content.decode()
    assert middleware.process_exception(request, ValueError("other")) is None


def test_the_500_handler_answers_busy_when_middleware_found_no_connection(rf):
    try:
        raise pool_timeout_as_django_raises_it()
    except OperationalError:
        response = views.server_error(rf.post("/circles/evening-grief/join/"))

    assert response.status_code == 503
    assert "not saved yet" in response.content.decode()


def test_the_500_handler_still_answers_500_to_any_other_error(rf):
    try:
        raise RuntimeError("a real bug")
    except RuntimeError:
        response = views.server_error(rf.get("/"))

    assert response.status_code == 500


# --- Sizing from the environment ------------------------------------------------------

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"options": db.get("OPTIONS", {}), "max_age": db["CONN_MAX_AGE"]}))
"""


def read_database_settings(**env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DJANGO_SETTINGS"))
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "hearth.settings",
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://hearth@db.internal:5432/hearth",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def database_settings(**env):
    result = read_database_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_gets_a_bounded_pool_and_no_persistent_connections_by_default():
    found = database_settings()
    assert found["max_age"] == 0
    assert found["options"]["pool"] == {
        "name": "hearth",
        "min_size": 0,
        "max_size": 10,
        "timeout": 10.0,
    }


def test_the_pool_is_sized_from_the_environment():
    found = database_settings(
        DATABASE_POOL_MIN="2", DATABASE_POOL_MAX="6", DATABASE_POOL_TIMEOUT="2.5"
    )
    pool = found["options"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (2, 6, 2.5)


def test_a_pool_max_of_zero_turns_the_pool_off_for_pgbouncer():
    found = database_settings(DATABASE_POOL_MAX="0")
    assert "pool" not in found["options"]
    assert found["max_age"] == 0


def test_sqlite_has_no_pool():
    found = database_settings(DATABASE_URL="sqlite:////tmp/hearth-pool-probe.sqlite3")
    assert "pool" not in found["options"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_POOL_MAX": "many"}, "DATABASE_POOL_MAX must be a whole number"),
        ({"DATABASE_POOL_MAX": "-1"}, "DATABASE_POOL_MAX must be at least 0"),
        ({"DATABASE_POOL_MIN": "5", "DATABASE_POOL_MAX": "2"}, "DATABASE_POOL_MIN (5) must not"),
        ({"DATABASE_POOL_TIMEOUT": "soon"}, "DATABASE_POOL_TIMEOUT must be a number"),
        ({"DATABASE_POOL_TIMEOUT": "0"}, "DATABASE_POOL_TIMEOUT must be at least 0.1"),
        ({"DATABASE_POOL_TIMEOUT": "nan"}, "DATABASE_POOL_TIMEOUT must be a finite number"),
    ],
)
def test_a_malformed_pool_variable_stops_start_up_naming_it(env, message):
    result = read_database_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
