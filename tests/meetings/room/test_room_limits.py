"""Every limit of the room is declared once, in meetings.room.limits: the page hands
them to its scripts, its fields take their bounds from them, and no script or room
template writes one of its own."""

import ast
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from meetings.forms import MeetingForm
from meetings.models import TURN_SECONDS, Meeting
from meetings.room import limits
from meetings.room.models import CommandRecord, NudgeText, Share
from tests.meetings.room.conftest import make_meeting

ROOT = Path(__file__).resolve().parents[3]
ROOM_SCRIPTS = [ROOT / "static/js/room.js", *sorted((ROOT / "static/js/room").glob("*.js"))]
ROOM_TEMPLATES = sorted((ROOT / "templates/meetings").glob("room*.html"))


@pytest.fixture
def page_meeting(circle, facilitator, member):
    return make_meeting(circle, facilitators=[facilitator], going=[member])


def room_page(client, user, meeting) -> str:
    client.force_login(user)
    response = client.get(f"/meetings/{meeting.pk}/room/")
    assert response.status_code == 200
    return response.content.decode()


def limits_on_the_page(body: str) -> dict:
    scripts = re.findall(r'<script id="room-limits" type="application/json">(.*?)</script>', body)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_the_page_gives_its_scripts_the_limits_module_values(client, page_meeting, member):
    assert limits_on_the_page(room_page(client, member, page_meeting)) == {
        "min_turn_seconds": limits.MIN_TURN_SECONDS,
        "max_turn_seconds": limits.MAX_TURN_SECONDS,
        "low_time_seconds": limits.LOW_TIME_SECONDS,
        "max_share_chars": limits.MAX_SHARE_CHARS,
        "max_content_warning_chars": limits.MAX_CONTENT_WARNING_CHARS,
        "max_note_chars": limits.MAX_NOTE_CHARS,
    }


def test_the_pages_fields_take_their_bounds_from_the_limits_module(
    client, page_meeting, facilitator
):
    body = room_page(client, facilitator, page_meeting)
    assert re.search(
        rf'id="turn-seconds"[^>]* min="{limits.MIN_TURN_SECONDS}" '
        rf'max="{limits.MAX_TURN_SECONDS}"',
        body,
    )
    assert re.search(rf'id="share-text"[^>]* maxlength="{limits.MAX_SHARE_CHARS}"', body)
    assert f"Up to {limits.MAX_SHARE_CHARS:,} characters." in body
    warning = rf'id="share-warning"[^>]* maxlength="{limits.MAX_CONTENT_WARNING_CHARS}"'
    assert re.search(warning, body)
    for note in ("support-note", "report-note"):
        assert re.search(rf'id="{note}"[^>]* maxlength="{limits.MAX_NOTE_CHARS}"', body)


def test_no_room_template_writes_a_bound_of_its_own():
    literal_bound = re.compile(r'\b(?:maxlength|minlength|min|max)="\d')
    spelled_limits = {f"{value:,}" for value in (limits.MAX_SHARE_CHARS, limits.MAX_TURN_SECONDS)}
    for template in ROOM_TEMPLATES:
        text = template.read_text()
        assert not literal_bound.findall(text), template.name
        assert not [spelled for spelled in spelled_limits if spelled in text], template.name


def written_limits(script: str) -> list[str]:
    """The lines of a script that write one of the room's limits as a number of its own:
    the longest turn or share anywhere, or any limit's value compared with a length, a
    count of seconds or the time left, or said in words ("30 seconds")."""
    values = "|".join(
        str(value)
        for value in (
            limits.MIN_TURN_SECONDS,
            limits.MAX_TURN_SECONDS,
            limits.DEFAULT_TURN_SECONDS,
            limits.MAX_EXTEND_SECONDS,
            limits.LOW_TIME_SECONDS,
            limits.MAX_SHARE_CHARS,
            limits.MAX_CONTENT_WARNING_CHARS,
            limits.MAX_REMINDER_CHARS,
            limits.MAX_NOTE_CHARS,
        )
    )
    measured = r"(?:length|seconds|left|chars)\w*"
    compare = r"(?:[<>]=?|[!=]==?|-)"
    written = re.compile(
        rf"\b(?:{limits.MAX_TURN_SECONDS}|{limits.MAX_SHARE_CHARS})\b"
        rf"|{measured}\s*{compare}\s*(?:{values})\b"
        rf"|\b(?:{values})\s*{compare}\s*[\w.]*{measured}"
        rf"|\b(?:{values}) (?:seconds|characters)\b"
        r"|maxLength\s*=\s*\d"
    )
    # A close code the page chooses for itself is a number of its own, not a limit.
    close_code = re.compile(r"^const \w*CLOSE\w* = \d+;")
    return [
        line.strip()
        for line in script.splitlines()
        if written.search(line) and not close_code.match(line.strip())
    ]


def test_a_limit_written_into_a_script_is_found():
    assert written_limits(
        "const left = 4000 - refs.shareText.value.length;\n"
        "if (seconds < 30 || seconds > 1800) {}\n"
        'announce("30 seconds left in your turn.");\n'
        "const low = left <= 30;\n"
        "const NO_STATE_CLOSE = 4000;\n"
        "const REFS_KEPT = 200;\n"
    ) == [
        "const left = 4000 - refs.shareText.value.length;",
        "if (seconds < 30 || seconds > 1800) {}",
        'announce("30 seconds left in your turn.");',
        "const low = left <= 30;",
    ]


def test_no_room_script_writes_a_limit_of_its_own():
    found = {script.name: written_limits(script.read_text()) for script in ROOM_SCRIPTS}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_rate_budget_is_a_declared_setting_with_the_limits_module_value():
    assert settings.ROOM_RATE_LIMIT_FRAMES == limits.RATE_LIMIT_FRAMES == 20


def test_the_models_and_the_meeting_form_use_the_limits_module():
    assert Share._meta.get_field("text").max_length == limits.MAX_SHARE_CHARS
    warning = Share._meta.get_field("content_warning")
    assert warning.max_length == limits.MAX_CONTENT_WARNING_CHARS
    assert NudgeText._meta.get_field("text").max_length == limits.MAX_NUDGE_CHARS
    assert CommandRecord._meta.get_field("ref").max_length == limits.MAX_REF_CHARS
    message = CommandRecord._meta.get_field("message")
    assert message.max_length == limits.MAX_STORED_REFUSAL_CHARS
    assert Meeting._meta.get_field("turn_seconds").default == limits.DEFAULT_TURN_SECONDS
    assert (TURN_SECONDS.low, TURN_SECONDS.high) == (30, 1800)
    assert TURN_SECONDS.message == "A turn lasts from 30 to 1,800 seconds (30 minutes)."
    field = MeetingForm.base_fields["turn_seconds"]
    assert (field.min_value, field.max_value, field.initial) == (30, 1800, 180)


def copies_of_limits() -> dict[str, object]:
    """Every module-level constant in the room's other modules named like a limit, with
    its value: ``{"rules.py MAX_SHARE_CHARS": 4000, ...}``."""
    names = {name for name in vars(limits) if name.isupper()}
    copies = {}
    for module in sorted((ROOT / "meetings/room").rglob("*.py")):
        if module.name == "limits.py":
            continue
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in names:
                    expression = compile(ast.Expression(node.value), str(module), "eval")
                    value = eval(expression, {})  # noqa: S307 - our own constants, like 64 * 1024
                    copies[f"{module.relative_to(ROOT / 'meetings/room')} {target.id}"] = value
    return copies


def test_the_rooms_own_modules_agree_with_the_limits_module():
    """Until every one imports it, no copy of a limit in the room's modules (the rules',
    protocol's, the consumer's, safety's) may drift from the one declaration."""
    copies = copies_of_limits()
    assert {
        copy: value for copy, value in copies.items() if value != getattr(limits, copy.split()[1])
    } == {}
