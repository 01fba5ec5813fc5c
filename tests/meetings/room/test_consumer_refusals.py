"""Every refusal the room answers with, and the two ways a frame closes the socket."""

import json

from meetings.room.limits import MAX_SHARE_CHARS
from tests.meetings.room.conftest import run


async def live_room(open_socket, meeting, facilitator, member):
    """The facilitator and the member in a live room; the member holds the piece."""
    host = await open_socket(facilitator, meeting)
    milo = await open_socket(member, meeting)
    await host.receive()
    await milo.send("raise_hand")
    await host.send("start")
    for socket in (host, milo):
        await socket.receive_events(3)
    return host, milo


async def errors_for(socket, frames):
    """Send each frame and collect the error it causes; the socket stays open."""
    errors = []
    for frame in frames:
        if isinstance(frame, str):
            await socket.send_text(frame)
        else:
            await socket.send(**frame)
        errors.append(await socket.receive())
    await socket.send("sync")
    assert (await socket.receive())["type"] == "state", "an error must never close the socket"
    return errors


def test_malformed_frames_are_bad_requests_and_the_ref_comes_back(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(member, meeting)
        errors = await errors_for(
            socket,
            [
                "not json at all",
                "[1, 2, 3]",
                '{"ref": "a"}',
                '{"type": "dance", "ref": "b"}',
                '{"type": "react", "share_id": "one", "kind": "heard", "ref": "c"}',
                '{"type": "share", "ref": "d"}',
                '{"type": "sync", "ref": 7}',
                "[" * 5000 + "]" * 5000,
            ],
        )
        await socket.close()
        return errors

    errors = run(scenario())
    assert {error["type"] for error in errors} == {"error"}
    assert {error["code"] for error in errors} == {"bad_request"}
    assert [error["ref"] for error in errors] == [None, None, "a", "b", "c", "d", None, None]
    assert all(error["message"] for error in errors)


def test_a_member_cannot_use_facilitator_controls(meeting, facilitator, member, open_socket):
    controls = [
        {"frame_type": "start"},
        {"frame_type": "pause"},
        {"frame_type": "resume"},
        {"frame_type": "end"},
        {"frame_type": "start_round"},
        {"frame_type": "set_mode", "mode": "round"},
        {"frame_type": "set_turn_seconds", "seconds": 60},
        {"frame_type": "extend"},
        {"frame_type": "grant", "participant_id": 1},
        {"frame_type": "skip"},
        {"frame_type": "move", "participant_id": 1, "position": 0},
        {"frame_type": "mute", "participant_id": 1},
        {"frame_type": "unmute", "participant_id": 1},
        {"frame_type": "remove", "participant_id": 1},
        {"frame_type": "lock"},
        {"frame_type": "unlock"},
        {"frame_type": "hide", "share_id": 1},
    ]

    async def scenario():
        host = await open_socket(facilitator, meeting)
        milo = await open_socket(member, meeting)
        errors = await errors_for(milo, [{**c, "ref": c["frame_type"]} for c in controls])
        quiet = await host.receive() and await host.nothing_more()
        await milo.close()
        await host.close()
        return errors, quiet

    errors, quiet = run(scenario())
    assert [error["code"] for error in errors] == ["forbidden"] * len(controls)
    assert [error["ref"] for error in errors] == [c["frame_type"] for c in controls]
    assert quiet


def test_nothing_can_be_shared_before_the_room_is_live(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(member, meeting)
        errors = await errors_for(socket, [{"frame_type": "share", "text": "Hello"}])
        await socket.close()
        return errors

    [error] = run(scenario())
    assert error["code"] == "room_not_live"


def test_only_the_holder_shares_ends_or_passes(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        olive = await open_socket(other_member, meeting)
        errors = await errors_for(
            olive,
            [
                {"frame_type": "share", "text": "Crosstalk"},
                {"frame_type": "end_turn"},
                {"frame_type": "pass"},
            ],
        )
        for socket in (olive, milo, host):
            await socket.close()
        return errors

    errors = run(scenario())
    assert [error["code"] for error in errors] == ["not_your_turn"] * 3


def test_a_share_over_four_thousand_characters_is_too_long(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        errors = await errors_for(
            milo, [{"frame_type": "share", "text": "x" * (MAX_SHARE_CHARS + 1), "ref": "long"}]
        )
        await milo.close()
        await host.close()
        return errors

    [error] = run(scenario())
    assert (error["code"], error["ref"]) == ("too_long", "long")


def test_a_muted_member_cannot_share_react_or_raise_a_hand(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        host, milo = await live_room(open_socket, meeting, facilitator, member)
        await milo.send("share", text="Before the mute.")
        await host.receive()
        await milo.receive()
        await host.send("mute", participant_id=2)
        await milo.receive_events(2)
        await milo.receive()  # the private "mute" frame
        errors = await errors_for(
            milo,
            [
                {"frame_type": "raise_hand"},
                {"frame_type": "react", "share_id": 1, "kind": "heard"},
            ],
        )
        await milo.close()
        await host.close()
        return errors

    errors = run(scenario())
    assert [error["code"] for error in errors] == ["muted", "muted"]


def test_unknown_shares_and_people_are_not_found(meeting, facilitator, member, open_socket):
    async def scenario():
        host = await open_socket(facilitator, meeting)
        errors = await errors_for(
            host,
            [
                {"frame_type": "react", "share_id": 42, "kind": "heard"},
                {"frame_type": "report", "share_id": 42, "reason": "spam"},
                {"frame_type": "hide", "share_id": 42},
                {"frame_type": "mute", "participant_id": 42},
            ],
        )
        await host.close()
        return errors

    errors = run(scenario())
    assert [error["code"] for error in errors] == ["not_found"] * 4


def test_more_than_twenty_frames_in_ten_seconds_are_rate_limited(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(member, meeting)
        for _ in range(20):
            await socket.send("sync")
            assert (await socket.receive())["type"] == "state"
        await socket.send("sync", ref="one-too-many")
        limited = await socket.receive()
        still_open = socket.connected and await socket.nothing_more()
        await socket.close()
        return limited, still_open

    limited, still_open = run(scenario())
    assert limited["type"] == "error"
    assert limited["code"] == "rate_limited"
    assert still_open


def test_a_frame_over_64_kib_closes_the_socket_with_4413(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(member, meeting)
        await socket.send_text(json.dumps({"type": "share", "text": "é" * 40_000}))
        return await socket.receive_close()

    assert run(scenario()) == 4413


def test_a_binary_frame_is_a_bad_request(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(member, meeting)
        await socket.communicator.send_to(bytes_data=b'{"type": "sync"}')
        error = await socket.receive()
        await socket.close()
        return error

    assert run(scenario())["code"] == "bad_request"
