"""The one settings module, read in fresh processes with controlled environments."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "https_only": settings.HTTPS_ONLY,
    "email": settings.EMAIL_BACKEND,
}))
"""


def read_settings(**env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
            "EMAIL_URL",
            "HTTPS_ONLY",
            "DJANGO_SETTINGS_MODULE",
            "TURN_URLS",
            "TURN_SECRET",
        }
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "hearth.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def settings_with(**env):
    result = read_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_nothing_set_but_debug_it_runs_on_the_embedded_default():
    found = settings_with(DEBUG="1")
    assert found["db"] == "django.db.backends.sqlite3"
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["eager"] is True
    assert found["https_only"] is False
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"


def test_with_database_and_redis_urls_it_runs_on_the_real_services():
    found = settings_with(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://hearth:secret@db.internal:5432/hearth",
        REDIS_URL="redis://redis.internal:6379/0",
        EMAIL_URL="smtp://mailer:pw@smtp.internal:587",
    )
    assert found["db"] == "django.db.backends.postgresql"
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    assert found["cache"] == "hearth.cache.RedisCache"
    assert found["eager"] is False
    assert found["broker"] == "redis://redis.internal:6379/0"
    assert found["debug"] is False
    assert found["https_only"] is True
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_without_a_secret_key_stops_with_a_clear_message():
    result = read_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "mysql://db/hearth", "DATABASE_URL must be a URL starting with"),
        ("DATABASE_URL", "postgres://:5432/hearth", "DATABASE_URL must name a host"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL starting with"),
        ("REDIS_URL", "redis://localhost:port/0", "REDIS_URL has an invalid port"),
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("SECURE_HSTS_SECONDS", "soon", "SECURE_HSTS_SECONDS must be a whole number"),
        (
            "HEARTH_FOLLOW_UP_RETENTION_DAYS",
            "99999999999",
            "HEARTH_FOLLOW_UP_RETENTION_DAYS must be at most 3650, not 99999999999.",
        ),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(variable, value, message):
    result = read_settings(SECRET_KEY="x" * 50, **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "turn",
    [{"TURN_URLS": "turn:turn.example.org:3478"}, {"TURN_SECRET": "shared"}],
)
def test_turn_urls_and_secret_set_one_without_the_other_stop_start_up(turn):
    result = read_settings(SECRET_KEY="x" * 50, **turn)
    assert result.returncode != 0
    assert "TURN_URLS and TURN_SECRET go together" in result.stderr


def test_turn_urls_must_be_turn_urls():
    result = read_settings(
        SECRET_KEY="x" * 50, TURN_URLS="https://turn.example.org", TURN_SECRET="s"
    )
    assert result.returncode != 0
    assert "TURN_URLS must list turn: or turns: URLs" in result.stderr


def test_turn_urls_with_their_secret_start():
    result = read_settings(
        SECRET_KEY="x" * 50,
        TURN_URLS="turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349",
        TURN_SECRET="shared",
    )
    assert result.returncode == 0, result.stderr


def test_manage_py_reports_bad_configuration_without_a_traceback():
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, "REDIS_URL": "nonsense"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Hearth is not configured correctly: REDIS_URL")
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "HTTPS_ONLY"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
            "ALLOWED_HOSTS": "hearth.example",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
