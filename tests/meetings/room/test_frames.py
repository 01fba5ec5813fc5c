"""The frames the room's socket carries are the ones meetings.room.frames declares: the
server sends exactly the declared fields, docs/protocol.md names the same frames and
fields, and the browser's reducer (static/js/room/state.js, under Node) handles one
example of every declared frame and reads no field the server does not send."""

import json
import random
import re
import subprocess
import types
import typing
from dataclasses import fields, is_dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from hearth import on_commit
from hearth.refusal import REFUSAL_MESSAGES
from meetings.room import frames, rules, snapshots, store
from meetings.room.commands import (
    SYSTEM,
    AcknowledgeSupport,
    Actor,
    Disconnect,
    Expire,
    Join,
    NeedSupport,
    Nudge,
    RaiseHand,
    React,
    Remind,
    Report,
    Share,
    Start,
)
from meetings.room.frames import CLIENT_FRAMES, ERROR_CODES, EVENTS, PRIVATE_FRAMES, Close
from meetings.room.protocol import ack_frame, error_frame
from meetings.room.rules import Refused
from tests.meetings.room.conftest import make_meeting
from tests.meetings.room.test_store import _commands

ROOT = Path(__file__).resolve().parents[3]
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
JS_TEST = ROOT / "tests" / "js" / "room_state_frames.test.mjs"
CLIENT_JS = [ROOT / "static" / "js" / "room.js", *sorted((ROOT / "static/js/room").glob("*.js"))]


# --- What a declared field may hold -----------------------------------------------------------


def conforms(value, hint) -> bool:
    """Whether ``value`` (decoded JSON) has the declared type ``hint``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(conforms(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        return isinstance(value, dict) and all(
            conforms(k, key) and conforms(v, item) for k, v in value.items()
        )
    if is_dataclass(hint):
        hints = frames.field_types(hint)
        required = {f.name for f in fields(hint) if f.name not in getattr(hint, "OPTIONAL", ())}
        if isinstance(hint, type) and issubclass(hint, frames.ServerFrame):
            envelope = ("type", "seq") if issubclass(hint, frames.Event) else ("type",)
            value = {k: v for k, v in value.items() if k not in envelope}
        return (
            isinstance(value, dict)
            and required <= set(value) <= set(hints)
            and all(conforms(v, hints[k]) for k, v in value.items())
        )
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def example(hint):
    """One value of the declared type: ids are all 1, so every example names the same
    participant, share and alert."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return example(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
    if origin is list:
        return [example(typing.get_args(hint)[0])]
    if origin is dict:
        return {"heard": 1}
    if is_dataclass(hint):
        hints = frames.field_types(hint)
        return {f.name: example(hints[f.name]) for f in fields(hint)}
    return {int: 1, str: "words", bool: False, float: 12.5}[hint]


def frame_example(frame_class) -> dict:
    frame = {"type": frame_class.TYPE}
    if issubclass(frame_class, frames.Event):
        frame["seq"] = 2
    return {**frame, **example(frame_class)}


def check(frame: dict) -> None:
    declared = frames.SERVER_FRAMES.get(frame["type"])
    assert declared is not None, f"undeclared frame {frame['type']!r}"
    extra = {"type", "seq"} if issubclass(declared, frames.Event) else {"type"}
    assert set(frame) - extra <= set(declared.FIELDS), frame
    assert conforms(json.loads(json.dumps(frame)), declared), frame


# --- The server sends what is declared -----------------------------------------------------------


@pytest.fixture
def quiet_meeting(db, circle, facilitator, member, other_member):
    return make_meeting(circle, facilitators=[facilitator], going=[member, other_member])


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_every_frame_the_server_sends_has_exactly_its_declared_fields(
    quiet_meeting, facilitator, member, other_member, seed
):
    rng = random.Random(seed)
    now = timezone.now()
    users = {}
    for user, role in [(facilitator, "facilitator"), (member, "member"), (other_member, "member")]:
        participant, frame, _ = store.join(quiet_meeting.pk, user, role, now=now)
        users[participant.participant_id] = user
        check(frame)
    opening = [
        (Actor(2), RaiseHand(), member),
        (Actor(1), Start(), facilitator),
        (Actor(2), Share("My week, in a few words."), member),
        (Actor(1), React(1, "heard"), facilitator),
    ]
    seen = set()
    for actor, command, user in opening:
        for frame in store.execute(quiet_meeting.pk, actor, command, user=user, now=now).events:
            check(frame)
            seen.add(frame["type"])
    with on_commit.collecting_sends():
        for _ in range(150):
            now += timedelta(seconds=rng.choice([1, 5, 40, 200]))
            state = store.load_state(quiet_meeting.pk)
            command = _commands(rng, state)
            pid = rng.choice(sorted(users))
            if state.holder is not None and rng.random() < 0.3:
                pid, command = state.holder.participant_id, Share("I am in crisis today.", "cw")
            if rng.random() < 0.1:
                command = rng.choice(
                    [NeedSupport("A hard day."), Nudge("default-1"), Report(1, "other")]
                )
            if rng.random() < 0.05 and state.alerts:
                pid, command = 1, AcknowledgeSupport(state.alerts[-1].alert_id)
            if command == "join":
                user = rng.choice([facilitator, member, other_member])
                command = Join(user.pk, user.display_name, "member")
            system = isinstance(command, Expire | Disconnect | Join)
            try:
                outcome = store.execute(
                    quiet_meeting.pk,
                    SYSTEM if system else Actor(pid),
                    command,
                    user=users[pid],
                    now=now,
                )
            except Refused:
                continue
            sent = [*outcome.events, *outcome.replies]
            sent += [frame for _group, private in outcome.private for frame in private]
            for frame in sent:
                check(frame)
                seen.add(frame["type"])
            for pid_seen in users:
                check(snapshots.snapshot(quiet_meeting.pk, outcome.state, pid_seen))
    assert {"shared", "reaction", "turn_started", "support_alert", "resources"} <= seen


def test_a_reminder_and_an_error_and_an_ack_are_declared_frames(quiet_meeting, facilitator):
    _, _, joined = store.join(quiet_meeting.pk, facilitator, "facilitator")
    _, events = rules.apply(joined.state, Actor(1), Remind("Be kind."), timezone.now())
    check(events[0])
    check(error_frame("bad_request", REFUSAL_MESSAGES["bad_request"], "r1"))
    check(ack_frame("r1", 3, repeat=False))


def test_every_error_code_has_words_and_every_close_code_is_distinct():
    assert set(ERROR_CODES) <= set(REFUSAL_MESSAGES)
    assert len(set(Close.codes().values())) == len(Close.codes())


# --- docs/protocol.md says the same ----------------------------------------------------------


def section(title: str, until: str) -> str:
    return PROTOCOL.split(title, 1)[1].split(until, 1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """Each row's frame types (first column) and its leading list of backticked fields."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^\| (`[^|]+`)(?: \(added\))? \| (.*) \|$", line)
        if not match:
            continue
        names = re.findall(r"`([a-z_]+)`", match.group(1))
        leading = re.match(r"((?:`[a-z_]+`(?:, )?)*)", match.group(2)).group(1)
        for name in names:
            rows[name] = re.findall(r"`([a-z_]+)`", leading)
    return rows


def test_the_doc_lists_every_event_with_exactly_its_declared_fields():
    rows = table_rows(section("### Server → client: events", "Ordering:"))
    assert {t: sorted(f) for t, f in rows.items()} == {
        t: sorted(cls.FIELDS) for t, cls in EVENTS.items()
    }


def test_the_doc_lists_every_private_frame_with_exactly_its_declared_fields():
    rows = table_rows(section("### Server → one client only", "## I need support over HTTP"))
    declared = {
        t: sorted([*cls.FIELDS, *(["ref"] if cls.ANSWERS_A_COMMAND else [])])
        for t, cls in PRIVATE_FRAMES.items()
    }
    assert {t: sorted(f) for t, f in rows.items()} == declared


def test_the_doc_snapshot_shows_every_declared_field_of_the_state():
    text = section("### Server → client: the snapshot", "### Server → client: events")
    shown = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    state = frames.State
    assert set(shown) == {"type", *(f for f in state.FIELDS if f not in state.OPTIONAL)}
    for optional in state.OPTIONAL:
        assert f"- `{optional}`" in text
    check(shown)


def test_the_doc_names_every_client_frame_and_its_fields():
    text = section("### Client → server, anyone in the room", "### Server → client: the snapshot")
    named = set(re.findall(r"`([a-z_]+)`", text))
    for frame_type, (_command, specs) in CLIENT_FRAMES.items():
        assert frame_type in named
        assert {spec.name for spec in specs} <= named, frame_type
    anyone = table_rows(section("### Client → server, anyone", "### Client → server, facil"))
    assert set(anyone) <= set(CLIENT_FRAMES)


def test_the_doc_lists_the_declared_close_and_error_codes():
    connecting = section("## Connecting", "## Frames")
    codes = {int(c) for c, rest in re.findall(r"^\| (\d{4})\b(.*)$", connecting, re.M)
             if "no longer sent" not in rest}  # fmt: skip
    assert codes == set(Close.codes().values())
    row = next(line for line in PROTOCOL.splitlines() if line.startswith("| `error` |"))
    documented = re.findall(r"`([a-z_]+)`", row.split("Codes:", 1)[1].split(".", 1)[0])
    assert documented == list(ERROR_CODES)


def test_the_protocols_voice_table_lists_exactly_the_declared_voice_frames():
    rows = re.findall(
        r"^\| `(voice_[a-z]+)` `to`(.*?)\| `(voice_[a-z]+)` `from`(.*?)\|$", PROTOCOL, re.M
    )
    documented = {sent: received for sent, _, received, _ in rows}
    assert documented == {t: t for t in frames.VOICE_FRAMES}
    for sent, sent_fields, _, received_fields in rows:
        for name in frames.VOICE_FRAMES[sent]:
            assert f"`{name}`" in sent_fields and f"`{name}`" in received_fields


# --- The browser's client knows the same frames ------------------------------------------------


def client_frame_types_in_the_javascript() -> set[str]:
    """Every frame type the page's scripts compare a frame's type with, or name as one."""
    found = set()
    for path in CLIENT_JS:
        source = path.read_text()
        found |= set(re.findall(r'\bcase "([a-z_]+)":', source))
        found |= set(re.findall(r'(?<!typeof )\b\w+\.type [!=]==? "([a-z_]+)"', source))
    return found


def test_the_page_knows_no_frame_type_the_server_does_not_declare():
    known = client_frame_types_in_the_javascript()
    assert known <= set(frames.SERVER_FRAMES) | set(CLIENT_FRAMES) | set(frames.VOICE_FRAMES)
    every_script = "\n".join(path.read_text() for path in CLIENT_JS)
    unheard = [t for t in PRIVATE_FRAMES if f'"{t}"' not in every_script]
    assert not unheard, f"the page never handles {unheard}"


def test_the_browser_reducer_handles_one_example_of_every_declared_frame(tmp_path):
    state = frame_example(frames.State)
    examples = {
        "state": state,
        "events": [frame_example(cls) for cls in EVENTS.values()],
        "private": [frame_example(cls) for cls in PRIVATE_FRAMES.values()],
        "event_fields": {t: list(cls.FIELDS) for t, cls in EVENTS.items()},
    }
    for frame in [state, *examples["events"], *examples["private"]]:
        check(frame)
    path = tmp_path / "frames.json"
    path.write_text(json.dumps(examples))
    result = subprocess.run(
        ["node", "--test", str(JS_TEST)],
        env={"FRAMES_JSON": str(path), "PATH": "/usr/bin:/usr/local/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout
