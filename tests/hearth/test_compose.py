"""docker-compose.yml is tested by running its commands natively: there is no Docker engine
in CI. Each long-running service's real command starts against the local PostgreSQL and
Redis (in place of the ``db`` and ``redis`` containers), and must come up: web answers
``/healthz`` through its own health check, worker answers its health check's Celery ping,
beat starts. A wrong command or variable in the compose file fails here.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DATABASE = "hearth_compose_test"
LOCAL_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/9"
VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")

pytestmark = pytest.mark.services


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable syntax: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = env.get(name, "")
        if operator in (":-", "-") and not value:
            return argument
        if operator in (":?", "?") and not value:
            raise AssertionError(f"compose requires {name}: {argument}")
        return value

    return VARIABLE.sub(replace, text)


def load_compose(env: dict[str, str]) -> dict:
    return yaml.safe_load(interpolate(COMPOSE.read_text(), env))


def service_env(service: dict) -> dict[str, str]:
    env = {key: str(value) for key, value in service["environment"].items()}
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    env["DATABASE_URL"] = LOCAL_DATABASE_URL
    env["REDIS_URL"] = LOCAL_REDIS_URL
    return env


def native_env(service: dict) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), "HOSTNAME": socket.gethostname()}
    return {**env, **service_env(service)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthcheck_command(service: dict) -> list[str]:
    kind, *rest = service["healthcheck"]["test"]
    if kind == "CMD-SHELL":
        return ["sh", "-c", rest[0]]
    assert kind == "CMD", f"unexpected health check form {kind}"
    return rest


def wait_until_healthy(service: dict, env: dict, process: subprocess.Popen, seconds=45) -> None:
    command = healthcheck_command(service)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{command} exited early with {process.returncode}"
        check = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=30)
        if check.returncode == 0:
            return
        time.sleep(1)
    raise AssertionError(f"health check {command} never passed")


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DATABASE}")
    env = {"SECRET_KEY": "compose-test-secret-key-" + "x" * 40}
    yield load_compose(env)
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture(scope="module")
def migrated(compose):
    service = compose["services"]["migrate"]
    result = subprocess.run(
        service["command"], cwd=ROOT, env=native_env(service), capture_output=True, timeout=300
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return compose


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_the_compose_file_requires_a_secret_key():
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        load_compose({})


def test_every_service_has_what_it_needs(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat", "turn"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    for name in ("web", "worker", "beat", "migrate"):
        assert {"TURN_URLS", "TURN_SECRET"} <= set(services[name]["environment"]), name
    assert services["turn"]["profiles"] == ["voice"]


def stun_binding_answered(port: int) -> bool:
    """Whether a STUN Binding request (RFC 8489) to 127.0.0.1:port gets a success answer."""
    transaction = os.urandom(12)
    request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(1)
        sock.sendto(request, ("127.0.0.1", port))
        try:
            answer, _ = sock.recvfrom(2048)
        except TimeoutError:
            return False
    return answer[:2] == b"\x01\x01" and answer[8:20] == transaction


def test_turn_refuses_to_start_without_its_secret(compose):
    service = compose["services"]["turn"]
    env = {"PATH": os.environ["PATH"], **service["environment"]}
    result = subprocess.run(service["command"], env=env, capture_output=True, timeout=30)
    assert result.returncode == 1
    assert b"Set TURN_SECRET" in result.stderr


def test_turn_starts_coturn_with_its_secret_and_answers_stun(tmp_path):
    service = load_compose({"SECRET_KEY": "x" * 50, "TURN_SECRET": "compose-turn-secret"})[
        "services"
    ]["turn"]
    port = free_port()
    script = service["command"][2].replace("--listening-port=3478", f"--listening-port={port}")
    assert script != service["command"][2], "turn must listen on the port compose publishes"
    assert '--static-auth-secret="$TURN_SECRET"' in script and "--use-auth-secret" in script
    env = {"PATH": os.environ["PATH"], **service["environment"]}
    assert env["TURN_SECRET"] == "compose-turn-secret"
    command = [
        *service["command"][:2],
        f"{script} --listening-ip=127.0.0.1 --pidfile={tmp_path}/t.pid",
    ]
    process = start(command, env, tmp_path / "turn.log")
    try:
        deadline = time.monotonic() + 20
        while not stun_binding_answered(port):
            assert process.poll() is None, (tmp_path / "turn.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "turn never answered"
    finally:
        stop(process)


def test_web_serves_healthz(migrated, tmp_path):
    service = migrated["services"]["web"]
    port = str(free_port())
    command = [port if part == "8000" else part for part in service["command"]]
    assert command != service["command"], "web must bind the port that compose publishes"
    check = {
        **service,
        "healthcheck": {
            "test": [p.replace(":8000/", f":{port}/") for p in service["healthcheck"]["test"]]
        },
    }
    env = native_env(service)
    process = start(command, env, tmp_path / "web.log")
    try:
        wait_until_healthy(check, env, process)
    finally:
        stop(process)


def test_worker_answers_a_celery_ping(migrated, tmp_path):
    service = migrated["services"]["worker"]
    env = native_env(service)
    process = start(service["command"], env, tmp_path / "worker.log")
    try:
        wait_until_healthy(service, env, process, seconds=60)
    finally:
        stop(process)


def test_beat_starts(migrated, tmp_path):
    service = migrated["services"]["beat"]
    schedule = tmp_path / "celerybeat-schedule"
    command = [
        str(schedule) if part == "/tmp/celerybeat-schedule" else part for part in service["command"]
    ]
    log = tmp_path / "beat.log"
    process = start(command, native_env(service), log)
    try:
        deadline = time.monotonic() + 30
        while "beat: Starting" not in log.read_text():
            assert process.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "beat did not start"
            time.sleep(0.5)
        time.sleep(2)
        assert process.poll() is None, log.read_text()[-2000:]
    finally:
        stop(process)
        shutil.rmtree(tmp_path, ignore_errors=True)
