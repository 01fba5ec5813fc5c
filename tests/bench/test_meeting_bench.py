"""The meeting bench (bench/meeting.py) runs end to end on a small case: two rooms of ten
over two real daphnes, a few turns of a meeting compressed into seconds, and every
socket still connected got every event of its room, in order. It asserts nothing about
time: the figures are for `make bench`."""

import json
import os
import subprocess
import sys

import pytest

from tests.servers import ROOT, require_real_services

pytestmark = pytest.mark.services

ROOMS = 2
TURNS = 4


def test_two_rooms_meet_through_two_servers_and_nothing_is_lost_or_reordered(tmp_path):
    require_real_services()
    results = tmp_path / "results.json"
    environment = {
        **os.environ,
        # A database of the bench's own beside the tests' (created on first use).
        "DATABASE_URL": os.environ["DATABASE_URL"].rstrip("/") + "_meeting_bench",
        "BENCH_ONLY": "meeting",
        "BENCH_ROOMS": str(ROOMS),
        "BENCH_TURNS": str(TURNS),
        "BENCH_TURN_PACE": "0.5",
        "BENCH_REST_SECONDS": "1",
        "BENCH_RESULTS": str(results),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-m", "bench"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]

    (result,) = json.loads(results.read_text())
    assert result["rooms"] == ROOMS
    assert result["shares"] == ROOMS * TURNS, "every turn's holder shared"
    assert result["share_deliveries"] > 0
    assert result["reaction_deliveries"] > 0
    assert result["errors"] == [], "no command was refused"
    assert result["lost"] == 0
    assert result["reordered"] == 0
