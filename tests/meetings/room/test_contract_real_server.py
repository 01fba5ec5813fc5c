"""docs/protocol.md over the server Hearth ships with: every close code and every error
code, met through a real daphne process (started as the Dockerfile starts it) and a
``websockets`` client, not ``WebsocketCommunicator``."""

import asyncio
import http.cookiejar
import json
import os
import re
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
import websockets
from django.db import connection
from django.test import Client
from django.utils import timezone

from hearth.refusal import REFUSAL_MESSAGES
from meetings.room.limits import MAX_FRAME_BYTES
from moderation.models import SafetyEvent
from tests.meetings.room.conftest import make_meeting
from tests.servers import ROOT, daphne, database_url_for_tests
from tests.servers_faults import DATABASE_AWAY

pytestmark = pytest.mark.services

PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
WAIT = 10


def documented_close_codes() -> set[int]:
    """The close codes the server sends (rows marked "no longer sent" are history)."""
    section = PROTOCOL.split("## Connecting", 1)[1].split("## Frames", 1)[0]
    rows = re.findall(r"^\| (\d{4})\b(.*)$", section, re.MULTILINE)
    return {int(code) for code, rest in rows if "no longer sent" not in rest}


def documented_error_codes() -> set[str]:
    row = next(line for line in PROTOCOL.splitlines() if line.startswith("| `error` |"))
    return set(re.findall(r"`([a-z_]+)`", row.split("Codes:", 1)[1].split(".", 1)[0]))


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    assert connection.vendor == "postgresql" and os.environ.get("REDIS_URL"), (
        "the real-server contract needs PostgreSQL and Redis: run it with make test"
    )
    with django_db_blocker.unblock():
        database_url = database_url_for_tests()
    log = tmp_path_factory.mktemp("daphne") / "server.log"
    # hearth.asgi as the Dockerfile serves it, with one fault the tests can inject: a
    # frame handled as if the database were away (for ``unavailable``).
    with daphne(log, database_url, application="tests.servers_faults:application") as url:
        yield url.rsplit(":", 1)[1]


@pytest.fixture
def room(transactional_db, server, circle, facilitator, member, other_member):
    """A live room on the real server: its meeting and a cookie per person."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    return (
        meeting,
        server,
        {user.pk: cookie_for(user) for user in (facilitator, member, other_member)},
    )


def cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def connect(port, meeting_id, cookie=None, origin=None):
    headers = {"Cookie": cookie} if cookie else {}
    return websockets.connect(
        f"ws://127.0.0.1:{port}/ws/meetings/{meeting_id}/room/",
        origin=origin or f"http://127.0.0.1:{port}",
        additional_headers=headers,
        max_size=None,
    )


async def close_code_of(port, meeting_id, cookie=None) -> int:
    async with connect(port, meeting_id, cookie) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT)
        return closed.value.rcvd.code


async def receive_type(ws, frame_type: str) -> dict:
    async def waiting():
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == frame_type:
                return frame

    return await asyncio.wait_for(waiting(), WAIT)


async def error_for(ws, frame: dict) -> dict:
    await ws.send(json.dumps(frame))
    return await receive_type(ws, "error")


def run(coroutine):
    return asyncio.run(coroutine)


# --- The contract's own lists -----------------------------------------------------------------


def test_the_tests_below_cover_every_documented_close_code():
    assert documented_close_codes() == {4401, 4403, 4404, 4409, 4412, 4413}
    assert "| 1009 (no longer sent) |" in PROTOCOL


def test_the_tests_below_cover_every_documented_error_code():
    assert documented_error_codes() == {
        "bad_request",
        "forbidden",
        "not_your_turn",
        "muted",
        "room_not_live",
        "too_long",
        "not_found",
        "rate_limited",
        "unavailable",
        "voice_off",
        "voice_full",  # needs more people than the voice cap: tests/meetings/room/voice
    }
    assert documented_error_codes() <= set(REFUSAL_MESSAGES)


def test_the_test_server_runs_as_the_dockerfile_runs_it():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        'CMD ["daphne", "--access-log", "/dev/null", "-b", "0.0.0.0", "-p", "8000", '
        '"hearth.asgi:application"]'
    ) in dockerfile


# --- Close codes ------------------------------------------------------------------------------


def test_4401_someone_not_logged_in(room):
    meeting, port, _ = room
    assert run(close_code_of(port, meeting.pk)) == 4401


def test_4403_someone_not_going(room, other_member):
    meeting, port, cookies = room
    assert run(close_code_of(port, meeting.pk, cookies[other_member.pk])) == 4403


def test_4404_no_such_meeting(room, member):
    _, port, cookies = room
    assert run(close_code_of(port, 987654, cookies[member.pk])) == 4404


def test_4409_a_room_that_is_not_open(room, circle, facilitator, member):
    _, port, cookies = room
    later = make_meeting(
        circle,
        facilitators=[facilitator],
        going=[member],
        starts_at=timezone.now() + timedelta(days=2),
    )
    assert run(close_code_of(port, later.pk, cookies[member.pk])) == 4409


def test_4412_a_member_who_has_not_confirmed_the_agreements(
    room, circle, facilitator, other_member
):
    _, port, cookies = room
    lobby = make_meeting(circle, facilitators=[facilitator], going=[other_member], agreed=False)
    assert run(close_code_of(port, lobby.pk, cookies[other_member.pk])) == 4412


def test_4413_a_frame_over_64_kib_and_not_one_byte_less(room, member):
    meeting, port, cookies = room

    async def scenario():
        async with connect(port, meeting.pk, cookies[member.pk]) as ws:
            await receive_type(ws, "state")
            at_the_limit = json.dumps({"type": "sync", "pad": ""})
            at_the_limit = at_the_limit[:-2] + "x" * (MAX_FRAME_BYTES - len(at_the_limit)) + '"}'
            assert len(at_the_limit.encode()) == MAX_FRAME_BYTES
            await ws.send(at_the_limit)
            still_open = await receive_type(ws, "state")
            await ws.send("x" * (MAX_FRAME_BYTES + 1))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), WAIT)
            return still_open, closed.value.rcvd.code

    still_open, code = run(scenario())
    assert still_open["type"] == "state"
    assert code == 4413


def test_an_origin_that_is_not_an_allowed_host_is_refused_at_the_handshake(room, member):
    meeting, port, cookies = room

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(port, meeting.pk, cookies[member.pk], origin="https://evil.example"):
                pass
        return refused.value.response.status_code

    assert run(scenario()) == 403


# --- Error codes: each answered without closing the socket -----------------------------------


def test_every_error_code_over_the_real_server(room, facilitator, member):
    meeting, port, cookies = room

    async def scenario():
        codes = {}
        async with (
            connect(port, meeting.pk, cookies[facilitator.pk]) as fern,
            connect(port, meeting.pk, cookies[member.pk]) as milo,
        ):
            await receive_type(fern, "state")
            await receive_type(milo, "state")
            codes["bad_request"] = await error_for(milo, {"type": "no_such_thing"})
            codes["voice_off"] = await error_for(milo, {"type": "voice_hangup", "to": 1})
            codes["room_not_live"] = await error_for(milo, {"type": "share", "text": "Hello"})
            codes["forbidden"] = await error_for(milo, {"type": "start"})
            await fern.send(json.dumps({"type": "start"}))
            await receive_type(milo, "room")
            codes["not_your_turn"] = await error_for(milo, {"type": "share", "text": "Hello"})
            codes["not_found"] = await error_for(
                milo, {"type": "react", "share_id": 99, "kind": "heard"}
            )
            codes["too_long"] = await error_for(milo, {"type": "need_support", "note": "x" * 1001})
            away = DATABASE_AWAY + json.dumps({"type": "raise_hand", "ref": "u-1"})
            await milo.send(away)
            codes["unavailable"] = await receive_type(milo, "error")
            await fern.send(json.dumps({"type": "mute", "participant_id": 2}))
            await receive_type(milo, "mute")
            codes["muted"] = await error_for(milo, {"type": "raise_hand", "ref": "r-1"})
            for _ in range(25):
                await milo.send(json.dumps({"type": "lower_hand"}))
            codes["rate_limited"] = await receive_type(milo, "error")
            while codes["rate_limited"]["code"] != "rate_limited":
                codes["rate_limited"] = await receive_type(milo, "error")
            await asyncio.sleep(0)
            still_open = milo.state is websockets.protocol.State.OPEN
        return codes, still_open

    codes, still_open = run(scenario())
    assert {name: frame["code"] for name, frame in codes.items()} == {name: name for name in codes}
    # voice_full: test_routing_real_server.py::test_someone_beyond_the_voice_cap_is_told_…
    assert set(codes) == documented_error_codes() - {"voice_full"}
    assert codes["muted"]["ref"] == "r-1"
    assert codes["unavailable"]["ref"] == "u-1"
    assert all(frame["message"] for frame in codes.values())
    assert still_open


# --- I need support over HTTP reaches a facilitator's socket on the real server --------------


def test_a_support_request_over_http_reaches_the_facilitators_socket(room, facilitator, member):
    meeting, port, cookies = room
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    session = cookies[member.pk].split("=", 1)[1]
    opener.addheaders = [("Cookie", f"sessionid={session}")]

    def post_support():
        with opener.open(f"{base}/meetings/{meeting.pk}/room/") as page:
            assert page.status == 200
        token = next(c.value for c in jar if c.name == "csrftoken")
        request = urllib.request.Request(  # noqa: S310 - a test server on 127.0.0.1
            f"{base}/meetings/{meeting.pk}/room/support/",
            data=urllib.parse.urlencode({"note": "The socket is down"}).encode(),
            headers={
                "Accept": "application/json",
                "X-CSRFToken": token,
                "Cookie": f"sessionid={session}; csrftoken={token}",
                "Referer": f"{base}/meetings/{meeting.pk}/room/",
            },
        )
        with opener.open(request, timeout=WAIT) as response:
            return json.loads(response.read())

    async def scenario():
        async with connect(port, meeting.pk, cookies[facilitator.pk]) as fern:
            await receive_type(fern, "state")
            answer = await asyncio.to_thread(post_support)
            alert = await receive_type(fern, "support_alert")
        return answer, alert

    answer, alert = run(scenario())
    assert answer == {"recorded": True, "alert_id": 1}
    assert (alert["alert_id"], alert["note"]) == (1, "The socket is down")
    assert SafetyEvent.objects.get().note == "The socket is down"


def test_a_frame_over_daphnes_own_limit_is_dropped_as_documented(room, member):
    meeting, port, cookies = room

    async def scenario():
        async with connect(port, meeting.pk, cookies[member.pk]) as ws:
            await receive_type(ws, "state")
            await ws.send("x" * (1024 * 1024 + 1))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), WAIT)
            return closed.value.rcvd

    assert run(scenario()) is None  # no close frame: the client reports 1006
