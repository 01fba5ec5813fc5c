"""The browser's own reducer (static/js/room/state.js), run in Chromium, turns a snapshot
and the events since into exactly the server's fresh snapshot, step by step."""

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from meetings.room import rules, snapshots, store
from meetings.room.rules import Actor, Refused
from tests.meetings.room.conftest import make_meeting
from tests.meetings.room.test_store import _commands

STATE_JS = Path(__file__).resolve().parents[3] / "static" / "js" / "room" / "state.js"
CHROMIUM = "/usr/bin/chromium"


def record_walk(meeting, people, seed, steps=120):
    """A random walk through the store: the first person's snapshot, then per step the
    events and that person's fresh snapshot."""
    rng = random.Random(seed)
    now = timezone.now()
    users = {}
    for user, role in people:
        participant, _, _ = store.join(meeting.pk, user, role, now=now)
        users[participant.participant_id] = user
    start = snapshots.snapshot(meeting.pk, store.load_state(meeting.pk), 1)
    steps_seen = []
    for _ in range(steps):
        now += timedelta(seconds=rng.choice([1, 5, 40, 200]))
        state = store.load_state(meeting.pk)
        command = _commands(rng, state)
        actor_pid = rng.choice(sorted(users))
        if state.holder is not None and rng.random() < 0.3:
            actor_pid = state.holder.participant_id
            command = rules.Share("Said <em>plainly</em> & kept as text.", rng.choice(["", "cw"]))
        if command == "join":
            user, role = rng.choice(people)
            command = rules.Join(user.pk, user.display_name, role)
        system = isinstance(command, rules.Expire | rules.Disconnect | rules.Join)
        try:
            outcome = store.execute(
                meeting.pk,
                rules.SYSTEM if system else Actor(actor_pid),
                command,
                user=users[actor_pid],
                now=now,
            )
        except Refused:
            continue
        if outcome.events:
            fresh = snapshots.snapshot(meeting.pk, outcome.state, 1)
            steps_seen.append({"events": outcome.events, "fresh": fresh})
    return start, steps_seen


REDUCE_IN_THE_BROWSER = """
async ([source, start, steps]) => {
  const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
  const { reduce } = await import(url);
  const state = structuredClone(start);
  const seen = [];
  for (const step of steps) {
    for (const event of step.events) reduce(state, event);
    seen.push(structuredClone(state));
  }
  return seen;
}
"""


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_browser_reducer_matches_fresh_snapshots(
    circle, facilitator, member, other_member, seed
):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member])
    people = [(facilitator, "facilitator"), (member, "member"), (other_member, "member")]
    start, steps = record_walk(meeting, people, seed)
    assert steps
    payload = json.loads(json.dumps([STATE_JS.read_text(), start, steps]))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        try:
            page = browser.new_page()
            reduced = page.evaluate(REDUCE_IN_THE_BROWSER, payload)
        finally:
            browser.close()
    for index, (mine, step) in enumerate(zip(reduced, steps, strict=True)):
        assert mine == json.loads(json.dumps(step["fresh"])), f"step {index}: {step['events']}"
