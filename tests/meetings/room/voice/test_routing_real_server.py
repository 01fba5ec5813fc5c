"""Voice frames over two real daphne processes, one PostgreSQL, one Redis: a frame reaches
its addressee's sockets on the other process, and nobody else's."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from circles.models import Circle, Membership
from tests.factories import MembershipFactory
from tests.meetings.room.conftest import make_meeting
from tests.meetings.room.test_two_processes import RoomClient, run_closing_sockets
from tests.meetings.room.voice.sdp_samples import offer
from tests.servers import daphne, database_url_for_tests, require_real_services

pytestmark = pytest.mark.services

FERN, MILO, OLIVE, THEO = 1, 2, 3, 4  # participant ids, in the order they enter
CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0"}


def cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def voice_frames(client) -> list[dict]:
    return [frame for frame in client.frames if frame["type"].startswith("voice_")]


def errors(client) -> list[str]:
    return [frame["code"] for frame in client.frames if frame["type"] == "error"]


def test_a_voice_frame_reaches_only_its_addressee_across_two_processes(
    two_servers, circle, facilitator, member, other_member, user_factory
):
    third = user_factory(display_name="Theo Third")
    MembershipFactory(circle=circle, user=third, role=Membership.Role.MEMBER)
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member, third])
    cookies = {user.pk: cookie_for(user) for user in (facilitator, member, other_member, third)}
    port_a, port_b = two_servers
    listening, speaking = offer("recvonly"), offer("sendonly")

    @sync_to_async
    def turn_voice_on():
        Circle.objects.filter(pk=circle.pk).update(voice_enabled=True)

    async def steps(opened):
        for name, port, user in (
            ("fern@a", port_a, facilitator),
            ("milo@a", port_a, member),
            ("olive@b", port_b, other_member),
            ("theo@b", port_b, third),
        ):
            opened.append(await RoomClient(name, port, cookies[user.pk], meeting.pk).connect())
        fern, milo, olive, theo = opened
        await milo.send("raise_hand")
        await fern.wait_for(lambda f: f["type"] == "hand_raised")
        await fern.send("start")
        await olive.wait_for(lambda f: f["type"] == "turn_started" and f["participant_id"] == MILO)

        # Voice is off in the circle: refused, and nothing is forwarded.
        await olive.send("voice_offer", to=MILO, sdp=listening, ref="v0")
        await olive.wait_for(lambda f: f["type"] == "error" and f.get("ref") == "v0")
        await turn_voice_on()

        # Olive (process B) offers to listen to Milo, the holder (process A), who answers.
        await olive.send("voice_offer", to=MILO, sdp=listening)
        await milo.wait_for(lambda f: f["type"] == "voice_offer")
        await milo.send("voice_answer", to=OLIVE, sdp=speaking)
        await olive.wait_for(lambda f: f["type"] == "voice_answer")
        await milo.send("voice_ice", to=OLIVE, candidate=CANDIDATE)
        await olive.send("voice_ice", to=MILO, candidate=None)
        await olive.wait_for(lambda f: f["type"] == "voice_ice")
        await milo.wait_for(lambda f: f["type"] == "voice_ice")

        # A listener cannot send, nor reach another listener.
        await olive.send("voice_offer", to=MILO, sdp=speaking, ref="v1")
        await olive.send("voice_offer", to=THEO, sdp=listening, ref="v2")
        await olive.wait_for(lambda f: f["type"] == "error" and f.get("ref") == "v2")

        # Last, a hang-up to each of the others: once it is there, anything sent before
        # it to them would be there too.
        await olive.send("voice_hangup", to=THEO)
        await olive.send("voice_hangup", to=FERN)
        await theo.wait_for(lambda f: f["type"] == "voice_hangup")
        await fern.wait_for(lambda f: f["type"] == "voice_hangup")
        await milo.send("voice_hangup", to=OLIVE)
        await olive.wait_for(lambda f: f["type"] == "voice_hangup")
        return {client.name: client for client in opened}

    clients = run_closing_sockets(steps)
    fern, milo, olive, theo = (clients[n] for n in ("fern@a", "milo@a", "olive@b", "theo@b"))
    assert voice_frames(milo) == [
        {"type": "voice_offer", "from": OLIVE, "sdp": listening},
        {
            "type": "voice_ice",
            "from": OLIVE,
            "candidate": None,
        },
    ]
    assert voice_frames(olive) == [
        {"type": "voice_answer", "from": MILO, "sdp": speaking},
        {
            "type": "voice_ice",
            "from": MILO,
            "candidate": {**CANDIDATE, "sdpMLineIndex": None, "usernameFragment": None},
        },
        {"type": "voice_hangup", "from": MILO},
    ]
    assert voice_frames(theo) == [{"type": "voice_hangup", "from": OLIVE}]
    assert voice_frames(fern) == [{"type": "voice_hangup", "from": OLIVE}]
    assert errors(olive) == ["voice_off", "forbidden", "forbidden"]
    assert errors(milo) == errors(fern) == errors(theo) == []


@pytest.fixture
def capped_server(transactional_db, tmp_path):
    require_real_services()
    with daphne(
        tmp_path / "capped.log", database_url_for_tests(), VOICE_MAX_PARTICIPANTS="2"
    ) as url:
        yield int(url.rsplit(":", 1)[1])


def test_someone_beyond_the_voice_cap_is_told_voice_is_full_over_the_real_server(
    capped_server, circle, facilitator, member, other_member
):
    Circle.objects.filter(pk=circle.pk).update(voice_enabled=True)
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member])
    cookies = {user.pk: cookie_for(user) for user in (facilitator, member, other_member)}

    async def steps(opened):
        for name, user in (("fern", facilitator), ("milo", member), ("olive", other_member)):
            client = RoomClient(name, capped_server, cookies[user.pk], meeting.pk)
            opened.append(await client.connect())
        fern, milo, olive = opened
        await milo.send("raise_hand")
        await fern.wait_for(lambda f: f["type"] == "hand_raised")
        await fern.send("start")
        await olive.wait_for(lambda f: f["type"] == "turn_started")
        # Fern and Milo are the first two seats: Olive, the third, has no voice.
        await olive.send("voice_offer", to=MILO, sdp=offer("recvonly"), ref="full")
        await olive.wait_for(lambda f: f["type"] == "error" and f.get("ref") == "full")
        return olive, milo

    olive, milo = run_closing_sockets(steps)
    refusal = next(frame for frame in olive.frames if frame["type"] == "error")
    assert refusal["code"] == "voice_full"
    assert "2 people" in refusal["message"] and "text" in refusal["message"]
    assert voice_frames(milo) == []
