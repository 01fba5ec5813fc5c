"""A real Celery worker, on the Redis broker and the test database, delivers a reminder once
even though beat's task and the reminder task itself each arrive twice."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.db import connection

from hearth.celery import app
from meetings import actions
from meetings.models import Notification, ReminderDelivery
from tests.servers import require_real_services

pytestmark = [
    pytest.mark.services,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def mails_to(mail_dir: Path, address: str) -> list:
    found = []
    for path in mail_dir.glob("*.log"):
        for raw in path.read_bytes().split(b"-" * 79 + b"\n"):
            if raw.strip():
                message = message_from_bytes(raw.strip(), policy=default_policy)
                if address in (message["To"] or ""):
                    found.append(message)
    return found


@pytest.fixture
def worker(transactional_db, tmp_path):
    require_real_services()  # the worker talks to a real Redis broker
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    queue = f"meetings-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.meetings.worker_settings",
        "HEARTH_WORKER_MAIL_DIR": str(mail_dir),
        "HEARTH_WORKER_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hearth",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: "ready." in log_path.read_text(), "the worker to start", log_path, 120)
            yield mail_dir, log_path, queue
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_for(condition, what: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log_path.read_text()}")
        time.sleep(0.2)


def test_a_real_worker_delivers_a_reminder_exactly_once(worker, member, meeting_factory):
    mail_dir, log_path, queue = worker
    meeting = meeting_factory(starts_in=timedelta(minutes=10), facilitators=[])
    actions.rsvp(member, meeting, "going")
    Notification.objects.all().delete()

    # Beat fires twice (two schedulers, or a retry)...
    app.send_task("meetings.tasks.send_due_reminders", queue=queue)
    app.send_task("meetings.tasks.send_due_reminders", queue=queue)
    wait_for(lambda: ReminderDelivery.objects.exists(), "beat to record the reminder", log_path)
    delivery = ReminderDelivery.objects.get()
    # ...and the reminder task itself is delivered twice more (a redelivery or a retry).
    app.send_task("meetings.tasks.send_reminder", args=[delivery.pk], queue=queue)
    app.send_task("meetings.tasks.send_reminder", args=[delivery.pk], queue=queue)

    def all_done():
        text = log_path.read_text()
        finished = text.count("succeeded in") + text.count("raised unexpected")
        return text.count("] received") >= 5 and finished == text.count("] received")

    wait_for(all_done, "every task to finish", log_path)
    assert "raised unexpected" not in log_path.read_text()
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert Notification.objects.filter(user=member, kind="reminder_15m").count() == 1
    (email,) = mails_to(mail_dir, member.email)
    assert email["Subject"] == "[Hearth] Reminder: a meeting starts soon"
