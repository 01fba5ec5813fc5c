"""What a newcomer's terminal shows: nothing that looks broken, and a bad setting stops
every process with the same one line, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVICES = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
BAD_REDIS = "Hearth is not configured correctly: REDIS_URL must be a URL starting with"


def run(command, **env):
    clean = {key: value for key, value in os.environ.items() if key not in SERVICES}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "hearth.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "manage.py", "check"],
        [str(BIN / "daphne"), "-p", "0", "hearth.asgi:application"],
        [str(BIN / "celery"), "-A", "hearth", "worker", "--loglevel=INFO"],
        [str(BIN / "celery"), "-A", "hearth", "beat"],
        [sys.executable, "-c", "import hearth.wsgi"],
    ],
    ids=["manage.py", "daphne", "celery worker", "celery beat", "wsgi"],
)
def test_a_malformed_setting_stops_every_process_with_one_line(command):
    result = run(command, DEBUG="1", REDIS_URL="localhost:6379")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(BAD_REDIS)


def test_eager_celery_in_the_embedded_mode_prints_no_warning():
    probe = (
        "import django; django.setup()\n"
        "from hearth.celery import app\n"
        "@app.task\n"
        "def ping():\n"
        "    return 'pong'\n"
        "print(ping.delay().get())\n"
    )
    result = run([sys.executable, "-c", probe], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pong"
    assert result.stderr == ""
