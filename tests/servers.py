"""Real ASGI servers for tests that need one: Daphne in a subprocess on a free port, on the
test database (data must be committed for the server to see it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_tests() -> str:
    """The URL of the database the tests run on (pytest-django's, not the configured one)."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


@contextmanager
def daphne(
    log_path: Path,
    database_url: str,
    application: str = "hearth.asgi:application",
    **env: str,
) -> Iterator[str]:
    """Serve ``application`` until the block ends; yields the server's base URL once its
    ``/healthz`` answers. ``env`` adds to (or overrides) the test process's environment."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server must stay async-safe
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, application],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None:
                break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the test server at {url} did not start; see {log_path}")


def require_real_services(*, database=True, redis=True) -> None:
    """Fail (never skip) a test that needs PostgreSQL or Redis when they are not set up:
    the README promises these tests fail when a service is missing."""
    missing = []
    if database and connection.vendor != "postgresql":
        missing.append("DATABASE_URL (PostgreSQL)")
    if redis and not os.environ.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
        missing.append("REDIS_URL")
    if missing:
        pytest.fail(f"This test needs {' and '.join(missing)}: run it with make test.")
