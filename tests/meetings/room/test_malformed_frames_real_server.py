"""However malformed, every frame sent to a real Daphne gets an ``error`` frame and never
a 1011: a NUL or an unpaired surrogate in any text field or in the ref, and numbers far
out of range. ``WebsocketCommunicator`` never encodes a frame to UTF-8, so it cannot see
the crash a lone surrogate caused; only a real server's socket does."""

import asyncio
import json

import pytest
import websockets
from django.test import Client

from meetings.room import commands, store
from meetings.room.commands import Actor, RaiseHand, Start
from meetings.room.frames import CLIENT_FRAMES
from meetings.room.models import CommandRecord, Share
from moderation.models import Report, SafetyEvent
from tests.meetings.room.conftest import make_meeting
from tests.servers import daphne, database_url_for_tests

pytestmark = pytest.mark.services

NUL = "\x00"
LONE_SURROGATES = ["\ud800", "\udfff", "a\udc00b"]
HUGE = 2**70

# A valid frame of each type that has a text field, to spoil one field at a time.
TEXT_FIELDS = {
    "share": {"text": "Hello.", "content_warning": "cw"},
    "report": {"share_id": 1, "reason": "other", "note": "A note."},
    "need_support": {"note": "A note."},
    "react": {"share_id": 1, "kind": "heard"},
    "start_round": {"order": "seating"},
    "set_mode": {"mode": "queue"},
    "nudge": {"text_id": "default-1"},
    "remind": {"text": "We listen."},
}
NUMBER_FIELDS = {
    "report": {"share_id": HUGE, "reason": "other"},
    "react": {"share_id": HUGE, "kind": "heard"},
    "hide": {"share_id": HUGE},
    "grant": {"participant_id": HUGE},
    "move": {"participant_id": 2, "position": -HUGE},
    "mute": {"participant_id": HUGE},
    "set_turn_seconds": {"seconds": HUGE},
    "extend": {"seconds": -HUGE},
}


def spoiled_frames():
    """(label, frame text) for every text field and ref spoiled with each bad character."""
    frames = []
    for frame_type, fields in TEXT_FIELDS.items():
        for name in fields:
            if not isinstance(fields[name], str):
                continue
            for bad in [NUL, *LONE_SURROGATES]:
                frame = {"type": frame_type, **fields, name: f"x{bad}y"}
                frames.append((f"{frame_type}.{name}={bad!r}", frame, "bad_request"))
    for bad in [NUL, *LONE_SURROGATES]:
        for frame_type in ("share", "dance", "start", "report", "sync"):
            frame = {"type": frame_type, "ref": bad, "text": "Hello."}
            frames.append((f"{frame_type}.ref={bad!r}", frame, "bad_request"))
        frames.append((f"type={bad!r}", {"type": bad}, "bad_request"))
    for frame_type, fields in NUMBER_FIELDS.items():
        frames.append((f"{frame_type} out of range", {"type": frame_type, **fields}, None))
    # ensure_ascii (the default) writes every bad character as a \\u escape: valid UTF-8.
    return [(label, json.dumps(frame), code) for label, frame, code in frames]


def test_every_text_field_of_every_frame_is_spoiled_somewhere_below():
    text_fields = {
        (frame_type, spec.name)
        for frame_type, (_command, specs) in CLIENT_FRAMES.items()
        for spec in specs
        if spec.kind is str
    }
    covered = {(t, name) for t, fields in TEXT_FIELDS.items() for name in fields}
    assert text_fields <= covered


@pytest.fixture
def server_port(transactional_db, tmp_path):
    with daphne(
        tmp_path / "server.log",
        database_url_for_tests(),
        DJANGO_SETTINGS_MODULE="tests.meetings.room.real_server_settings",
    ) as url:
        yield int(url.rsplit(":", 1)[1])


def cookie_for(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def answers_to(port, meeting_id, cookie, frames):
    """Send each frame and read the one answer it gets; the socket must stay open."""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/meetings/{meeting_id}/room/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
    ) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "state"
        answers = []
        for text in frames:
            await ws.send(text)
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
        await ws.send(json.dumps({"type": "sync"}))
        last = json.loads(await asyncio.wait_for(ws.recv(), 10))
        return answers, last


def test_every_malformed_frame_gets_an_error_and_the_socket_stays_open(
    server_port, circle, facilitator, member
):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.execute(meeting.pk, Actor(2), RaiseHand())
    store.execute(meeting.pk, Actor(1), Start())
    store.execute(meeting.pk, Actor(2), commands.Share("Something said."), user=member)
    store.leave(meeting.pk, 1)
    store.leave(meeting.pk, 2)
    cases = spoiled_frames()

    answers, last = asyncio.run(
        answers_to(server_port, meeting.pk, cookie_for(facilitator), [text for _, text, _ in cases])
    )

    assert last["type"] == "state", "the socket is still open and answering"
    for (label, _text, code), answer in zip(cases, answers, strict=True):
        assert answer["type"] == "error", label
        if code is not None:
            assert answer["code"] == code, label
        assert answer["ref"] is None, f"{label}: a bad ref is dropped, never echoed"
        assert answer["message"], label
    assert Share.objects.filter(meeting=meeting).count() == 1
    assert not Report.objects.exists()
    assert not SafetyEvent.objects.filter(kind=SafetyEvent.Kind.NEED_SUPPORT).exists()
    assert not CommandRecord.objects.exists()


def test_a_good_ref_comes_back_with_the_error_about_a_bad_field(
    server_port, circle, facilitator, member
):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    frames = [
        json.dumps({"type": "need_support", "note": f"help{NUL}", "ref": "n1"}),
        json.dumps(
            {"type": "report", "share_id": 1, "reason": "other", "note": "\ud83d", "ref": "r1"}
        ),
    ]

    answers, _last = asyncio.run(answers_to(server_port, meeting.pk, cookie_for(member), frames))

    assert [(a["type"], a["code"], a["ref"]) for a in answers] == [
        ("error", "bad_request", "n1"),
        ("error", "bad_request", "r1"),
    ]
