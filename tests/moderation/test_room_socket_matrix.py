"""The permission matrix over the room socket: every moderation command in the room, sent
by every role present in it, on the Redis channel layer.

The allowed ones broadcast their event and write one ``room.*`` audit entry; every
refusal is an ``error`` frame and leaves the room's ``seq``, the audit log and the
reports as they were. A host of another circle never gets in (4403).
"""

import pytest

from meetings.room import store
from meetings.room.commands import SYSTEM, Actor, Lock, Mute, Pause
from meetings.room.models import Share
from moderation.models import ModerationAction, Report
from tests.moderation.room_sockets import async_counts, connect, live_room, open_meeting, run

MODERATORS = ("facilitator", "host", "staff")
ROLES = ("member", "reported_member", *MODERATORS)
AUTHOR = 2  # the reported member, holding the piece, author of share 1
OTHER = 3


def _mute_author(meeting):
    store.execute(meeting.pk, SYSTEM, Mute(AUTHOR))


def _pause(meeting):
    store.execute(meeting.pk, Actor(1), Pause())


def _lock(meeting):
    store.execute(meeting.pk, Actor(1), Lock())


# command: (frame fields, setup before anyone connects, the event it broadcasts,
#           its audit name, whether the room is started first)
COMMANDS = {
    "mute": ({"participant_id": AUTHOR}, None, "participant_muted", "room.participant.muted"),
    "unmute": (
        {"participant_id": AUTHOR},
        _mute_author,
        "participant_unmuted",
        "room.participant.unmuted",
    ),
    "remove": (
        {"participant_id": AUTHOR},
        None,
        "participant_removed",
        "room.participant.removed",
    ),
    "hide": ({"share_id": 1}, None, "share_hidden", "room.share.hidden"),
    "lock": ({}, None, "room", "room.locked"),
    "unlock": ({}, _lock, "room", "room.unlocked"),
    "skip": ({}, None, "turn_ended", "room.turn.skipped"),
    "grant": ({"participant_id": OTHER}, None, "turn_started", "room.turn.granted"),
    "pause": ({}, None, "room", "room.paused"),
    "resume": ({}, _pause, "room", "room.resumed"),
    "end": ({}, None, "room", "room.ended"),
    "extend": ({"seconds": 60}, None, "turn_extended", "room.turn.extended"),
    "set_mode": ({"mode": "round"}, None, "room", "room.mode_set"),
    "set_turn_seconds": ({"seconds": 300}, None, "room", "room.turn_seconds_set"),
    "move": ({"participant_id": OTHER, "position": 0}, None, "seating", "room.participant.moved"),
    "start_round": ({}, None, "queue", "room.round_started"),
}


@pytest.fixture
def room(transactional_db, circle, host, staff, facilitator, member, other_member):
    """``member`` is the reported member (participant 2, author of share 1);
    ``other_member`` is participant 3; the host (4) and staff (5) were in too (so a
    locked room lets them back)."""
    meeting = live_room(circle, facilitator, member, other_member)
    store.join(meeting.pk, host, "host")
    store.join(meeting.pk, staff, "staff")
    return meeting


def _user(request, role):
    fixture = {"member": "other_member", "reported_member": "member"}.get(role, role)
    return request.getfixturevalue(fixture)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_only_facilitators_hosts_and_staff_can_use_a_room_command(request, room, role, command):
    fields, setup, event_type, audit_name = COMMANDS[command]
    if setup is not None:
        setup(room)
    user = _user(request, role)
    allowed = role in MODERATORS

    async def scenario():
        socket = await connect(user, room)
        try:
            before = await async_counts(room.pk)
            await socket.send(command, ref="m1", **fields)
            if allowed:
                event = await socket.receive_type(event_type)
                assert event["seq"] > before["seq"]
            else:
                error = await socket.receive_type("error")
                assert (error["code"], error["ref"]) == ("forbidden", "m1")
                assert error["message"]
                assert await socket.nothing_more()
            return before, await async_counts(room.pk)
        finally:
            await socket.close()

    before, after = run(scenario())
    new_entries = ModerationAction.objects.filter(pk__gt=0).order_by("-pk")[
        : max(after["audit"] - before["audit"], 0)
    ]
    if allowed:
        assert after["seq"] > before["seq"]
        assert [entry.action for entry in new_entries] == [audit_name]
        assert new_entries[0].actor == user
        assert new_entries[0].meeting_id == room.pk
    else:
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_anyone_in_the_room_but_the_author_can_report_a_share(request, room, role):
    user = _user(request, role)

    async def scenario():
        socket = await connect(user, room)
        try:
            before = await async_counts(room.pk)
            await socket.send("report", ref="r1", share_id=1, reason="harassment")
            frame = await socket.receive()
            if frame["type"] == "reported":  # an applied command is acknowledged last
                ack = await socket.receive()
                assert ack == {"type": "ack", "ref": "r1", "seq": None, "repeat": False}
            assert await socket.nothing_more()
            return frame, before, await async_counts(room.pk)
        finally:
            await socket.close()

    frame, before, after = run(scenario())
    assert after["seq"] == before["seq"]  # a report is never broadcast
    assert after["audit"] == before["audit"]
    if role == "reported_member":
        assert (frame["type"], frame["code"], frame["ref"]) == ("error", "bad_request", "r1")
        assert "yourself" in frame["message"]
        assert after["reports"] == before["reports"]
    else:
        assert frame == {"type": "reported", "share_id": 1, "ref": "r1"}
        report = Report.objects.get()
        assert report.reporter == user
        assert report.target == Share.objects.get(meeting=room, share_id=1)
        assert report.snapshot["text"] == Share.objects.get().text


def test_the_room_can_be_started_only_by_facilitators_hosts_and_staff(
    transactional_db, request, circle, host, facilitator, member, other_member
):
    results = {}
    for role in ROLES:
        meeting = open_meeting(circle, facilitator, member, other_member)
        user = _user(request, role)

        async def scenario(meeting=meeting, user=user):
            socket = await connect(user, meeting)
            try:
                before = await async_counts(meeting.pk)
                await socket.send("start", ref="s1")
                frame = await socket.receive()
                if frame["type"] == "ack":  # the ack may overtake the broadcast event
                    frame = await socket.receive_type("room")
                return frame, before, await async_counts(meeting.pk)
            finally:
                await socket.close()

        results[role] = run(scenario())
    for role, (frame, before, after) in results.items():
        if role in MODERATORS:
            assert (frame["type"], frame["status"]) == ("room", "live"), role
            assert after["audit"] == before["audit"] + 1, role
        else:
            assert (frame["type"], frame["code"]) == ("error", "forbidden"), role
            assert after == before, role
    assert ModerationAction.objects.filter(action="room.started").count() == len(MODERATORS)


def test_a_host_of_another_circle_does_not_even_get_in(room, other_host):
    async def scenario():
        socket = await connect(other_host, room, expect_state=False)
        try:
            return await socket.receive_close()
        finally:
            await socket.close()

    before = {"seq": room.room.seq, "audit": ModerationAction.objects.count()}
    assert run(scenario()) == 4403
    room.room.refresh_from_db()
    assert {"seq": room.room.seq, "audit": ModerationAction.objects.count()} == before
