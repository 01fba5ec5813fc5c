"""Every client command, over the socket, as the people in the room see it."""

from datetime import datetime, timedelta

from channels.db import database_sync_to_async

from meetings.models import Meeting
from meetings.room.models import Reaction, Room, Share
from tests.meetings.room.conftest import run


async def sit(open_socket, meeting, *users):
    """Connect ``users`` in order; every socket has seen everyone join."""
    sockets = []
    for user in users:
        socket = await open_socket(user, meeting)
        for earlier in sockets:
            assert (await earlier.receive())["type"] == "joined"
        sockets.append(socket)
    return sockets


async def leave(*sockets):
    for socket in sockets:
        await socket.close()


async def everyone_receives(sockets, count):
    """The next ``count`` frames of each socket; they must be the same for all."""
    seen = [await socket.receive_events(count) for socket in sockets]
    for frames in seen[1:]:
        assert frames == seen[0]
    return seen[0]


def types(frames):
    return [frame["type"] for frame in frames]


def test_raising_and_lowering_a_hand_moves_the_queue(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = _host, milo, olive = await sit(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("raise_hand")
        raised = await everyone_receives(sockets, 1)
        await olive.send("raise_hand")
        await everyone_receives(sockets, 1)
        await milo.send("raise_hand")  # safe to repeat: nothing happens
        await milo.send("lower_hand")
        lowered = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return raised, lowered

    raised, lowered = run(scenario())
    assert raised == [{"type": "hand_raised", "seq": 4, "participant_id": 2, "queue": [2]}]
    assert lowered == [{"type": "hand_lowered", "seq": 6, "participant_id": 2, "queue": [3]}]


def test_starting_gives_the_piece_to_the_first_raised_hand(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = host, milo = await sit(open_socket, meeting, facilitator, member)
        await milo.send("raise_hand")
        await everyone_receives(sockets, 1)
        await host.send("start")
        frames = await everyone_receives(sockets, 2)
        await leave(*sockets)
        return frames

    room, turn = run(scenario())
    assert room == {
        "type": "room",
        "seq": 4,
        "status": "live",
        "mode": "queue",
        "locked": False,
        "turn_seconds": 120,
    }
    assert turn["type"] == "turn_started"
    assert turn["participant_id"] == 2
    assert turn["turn_id"] == 1
    assert turn["queue"] == []
    assert datetime.fromisoformat(turn["deadline"]) > datetime.fromisoformat(
        "2000-01-01T00:00:00+00:00"
    )
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.LIVE


def test_in_round_mode_start_and_start_round_send_the_piece_around_the_circle(
    meeting, facilitator, member, other_member, open_socket
):
    Meeting.objects.filter(pk=meeting.pk).update(room_mode=Meeting.RoomMode.ROUND)

    async def scenario():
        sockets = host, _milo, _olive = await sit(
            open_socket, meeting, facilitator, member, other_member
        )
        await host.send("start")
        started = await everyone_receives(sockets, 3)
        await host.send("pass")
        await everyone_receives(sockets, 2)
        await host.send("start_round")
        again = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return started, again

    started, again = run(scenario())
    assert types(started) == ["room", "queue", "turn_started"]
    assert started[1]["queue"] == [1, 2, 3]
    assert started[2]["participant_id"] == 1
    assert started[2]["queue"] == [2, 3]
    assert again == [{"type": "queue", "seq": 9, "queue": [1, 3]}]


async def live_with_milo_holding(open_socket, meeting, *users):
    """Sockets for ``users`` (facilitator first, member second) in a live room where the
    member holds the piece."""
    sockets = await sit(open_socket, meeting, *users)
    host, milo = sockets[0], sockets[1]
    await milo.send("raise_hand")
    await everyone_receives(sockets, 1)
    await host.send("start")
    await everyone_receives(sockets, 2)
    return sockets


def test_the_holder_shares_and_everyone_sees_it_with_the_name_and_warning(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = _host, milo, _olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("share", text="It has been a hard week.", content_warning=" loss ")
        shared = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return shared

    [shared] = run(scenario())
    assert shared["type"] == "shared"
    assert shared["share_id"] == 1
    assert shared["participant_id"] == 2
    assert shared["display_name"] == "Milo Member"
    assert shared["text"] == "It has been a hard week."
    assert shared["content_warning"] == "loss"
    assert shared["turn_id"] == 1
    assert "created_at" in shared
    share = Share.objects.get(meeting=meeting, share_id=1)
    assert share.text == "It has been a hard week."
    assert share.author == member


def test_listeners_react_once_per_kind_and_everyone_sees_the_count(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, milo, olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("share", text="Thank you for listening.")
        await everyone_receives(sockets, 1)
        await olive.send("react", share_id=1, kind="heard")
        first = await everyone_receives(sockets, 1)
        await olive.send("react", share_id=1, kind="heard")  # again: nothing
        await host.send("react", share_id=1, kind="heard")
        second = await everyone_receives(sockets, 1)
        await olive.send("sync")
        state = await olive.receive()
        await leave(*sockets)
        return first, second, state

    first, second, state = run(scenario())
    assert first == [
        {
            "type": "reaction",
            "seq": 8,
            "share_id": 1,
            "kind": "heard",
            "count": 1,
            "participant_id": 3,
        }
    ]
    assert second[0]["count"] == 2
    assert state["shares"][0]["reactions"] == {"heard": 2}
    assert state["shares"][0]["my_reactions"] == ["heard"]
    assert Reaction.objects.filter(share__share_id=1, kind="heard").count() == 2


def test_ending_a_turn_and_passing_hand_the_piece_on(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = _host, milo, olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await olive.send("raise_hand")
        await everyone_receives(sockets, 1)
        await milo.send("end_turn")
        ended = await everyone_receives(sockets, 2)
        await olive.send("pass")
        passed = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return ended, passed

    ended, passed = run(scenario())
    assert ended[0] == {
        "type": "turn_ended",
        "seq": 8,
        "participant_id": 2,
        "turn_id": 1,
        "reason": "ended",
    }
    assert ended[1]["type"] == "turn_started"
    assert ended[1]["participant_id"] == 3
    assert passed[0]["reason"] == "passed"


def test_a_report_is_acknowledged_to_the_reporter_only(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, milo, olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("share", text="Something worth reporting.")
        await everyone_receives(sockets, 1)
        await olive.send("report", share_id=1, reason="harassment", ref="r1")
        ack = await olive.receive()
        quiet = await host.nothing_more() and await milo.nothing_more()
        await leave(*sockets)
        return ack, quiet

    ack, quiet = run(scenario())
    assert ack == {"type": "reported", "share_id": 1, "ref": "r1"}
    assert quiet


def test_asking_for_support_tells_the_facilitators_and_nobody_else(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        host, milo, olive = await sit(open_socket, meeting, facilitator, member, other_member)
        await milo.send("need_support", note="I'm struggling tonight")
        resources = await milo.receive()
        alert = await host.receive()
        quiet = await olive.nothing_more()
        await leave(host, milo, olive)
        return resources, alert, quiet

    resources, alert, quiet = run(scenario())
    assert resources["type"] == "resources"
    assert "emergency" in resources["text"]
    assert resources["alert_id"] == 1
    assert {"text": "116 123", "href": "tel:116123"} in resources["links"][-1]
    assert alert == {
        "type": "support_alert",
        "alert_id": 1,
        "reason": "need_support",
        "participant_id": 2,
        "display_name": "Milo Member",
        "note": "I'm struggling tonight",
        "share_id": None,
        "created_at": alert["created_at"],
        "holds_piece": False,
    }
    assert quiet


def test_pausing_freezes_the_turn_and_resuming_restarts_it(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = host, _milo = await live_with_milo_holding(
            open_socket, meeting, facilitator, member
        )
        await host.send("pause")
        paused = await everyone_receives(sockets, 2)
        await host.send("resume")
        resumed = await everyone_receives(sockets, 2)
        await leave(*sockets)
        return paused, resumed

    paused, resumed = run(scenario())
    assert types(paused) == ["room", "turn_paused"]
    assert paused[0]["status"] == "paused"
    assert paused[1]["deadline"] is None
    assert 110 < paused[1]["remaining"] <= 120
    assert types(resumed) == ["room", "turn_resumed"]
    assert resumed[1]["deadline"] is not None


def test_ending_the_room_ends_the_turn_and_the_meeting(meeting, facilitator, member, open_socket):
    async def scenario():
        sockets = host, _milo = await live_with_milo_holding(
            open_socket, meeting, facilitator, member
        )
        await host.send("end")
        frames = await everyone_receives(sockets, 2)
        await leave(*sockets)
        return frames

    ended, room = run(scenario())
    assert ended["type"] == "turn_ended"
    assert ended["reason"] == "room_ended"
    assert room["status"] == "ended"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.ended_at is not None


def test_facilitators_set_the_mode_and_the_seconds_per_turn(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = host, _milo = await sit(open_socket, meeting, facilitator, member)
        await host.send("set_mode", mode="round")
        await host.send("set_turn_seconds", seconds=300)
        frames = await everyone_receives(sockets, 2)
        await leave(*sockets)
        return frames

    mode, seconds = run(scenario())
    assert (mode["mode"], mode["turn_seconds"]) == ("round", 120)
    assert (seconds["mode"], seconds["turn_seconds"]) == ("round", 300)


def test_extend_gives_the_holder_sixty_more_seconds_by_default(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = host, _milo = await live_with_milo_holding(
            open_socket, meeting, facilitator, member
        )
        before = milo_deadline = None
        await host.send("sync")
        state = await host.receive()
        before = datetime.fromisoformat(state["holder"]["deadline"])
        await host.send("extend")
        [extended] = await everyone_receives(sockets, 1)
        milo_deadline = datetime.fromisoformat(extended["deadline"])
        await host.send("extend", seconds=30)
        [more] = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return before, milo_deadline, datetime.fromisoformat(more["deadline"]), extended

    before, after, more, extended = run(scenario())
    assert extended["type"] == "turn_extended"
    assert after - before == timedelta(seconds=60)
    assert more - after == timedelta(seconds=30)


def test_grant_and_skip_move_the_piece_by_a_facilitators_hand(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, _milo, _olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await host.send("grant", participant_id=3)
        granted = await everyone_receives(sockets, 2)
        await host.send("skip")
        skipped = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return granted, skipped

    granted, skipped = run(scenario())
    assert granted[0]["reason"] == "granted_away"
    assert granted[1]["type"] == "turn_started"
    assert granted[1]["participant_id"] == 3
    assert skipped[0]["type"] == "turn_ended"
    assert skipped[0]["reason"] == "skipped"


def test_move_reorders_the_queue(meeting, facilitator, member, other_member, open_socket):
    async def scenario():
        sockets = host, milo, olive = await sit(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("raise_hand")
        await everyone_receives(sockets, 1)  # hands from two sockets may land in any order
        await olive.send("raise_hand")
        await everyone_receives(sockets, 1)
        await host.send("move", participant_id=3, position=0)
        moved = await everyone_receives(sockets, 1)
        await host.send("move", participant_id=1, position=2)
        seating = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return moved, seating

    moved, seating = run(scenario())
    assert moved == [{"type": "queue", "seq": 6, "queue": [3, 2]}]
    assert seating == [{"type": "seating", "seq": 7, "participants": [2, 3, 1]}]


def test_muting_takes_the_piece_and_unmuting_gives_the_voice_back(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, milo, _olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await host.send("mute", participant_id=2)
        muted = await everyone_receives(sockets, 2)
        told = await milo.receive()
        others_told = await host.nothing_more()
        await milo.send("raise_hand")
        refused = await milo.receive()
        await host.send("unmute", participant_id=2)
        unmuted = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return muted, told, others_told, refused, unmuted

    muted, told, others_told, refused, unmuted = run(scenario())
    assert muted[0] == {"type": "participant_muted", "seq": 7, "participant_id": 2}
    assert told == {"type": "mute", "scope": "meeting", "until": None}
    assert others_told
    assert muted[1]["reason"] == "muted"
    assert refused["type"] == "error"
    assert refused["code"] == "muted"
    assert unmuted == [{"type": "participant_unmuted", "seq": 9, "participant_id": 2}]


def test_removing_someone_closes_their_socket_and_keeps_them_out(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        host, milo, olive = await sit(open_socket, meeting, facilitator, member, other_member)
        await host.send("remove", participant_id=2)
        removed = await olive.receive()
        seen_by_milo = await milo.receive()
        goodbye = await milo.receive()
        code = await milo.receive_close()
        again = await open_socket(member, meeting, expect_state=False)
        code_again = await again.receive_close()
        await leave(host, olive)
        return removed, seen_by_milo, goodbye, code, code_again

    removed, seen_by_milo, goodbye, code, code_again = run(scenario())
    assert removed == {"type": "participant_removed", "seq": 4, "participant_id": 2}
    assert seen_by_milo == removed
    assert goodbye == {"type": "removed", "reason": "removed"}
    assert code == 4403
    assert code_again == 4403


def test_lock_and_unlock_are_announced(meeting, facilitator, member, open_socket):
    async def scenario():
        sockets = host, _milo = await sit(open_socket, meeting, facilitator, member)
        await host.send("lock")
        await host.send("unlock")
        frames = await everyone_receives(sockets, 2)
        await leave(*sockets)
        return frames

    locked, unlocked = run(scenario())
    assert (locked["type"], locked["locked"]) == ("room", True)
    assert (unlocked["type"], unlocked["locked"]) == ("room", False)


def test_hiding_a_share_removes_it_from_every_screen_but_keeps_it_for_moderation(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, milo, olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("share", text="Something that should not stay up.")
        await everyone_receives(sockets, 1)
        await host.send("hide", share_id=1)
        hidden = await everyone_receives(sockets, 1)
        author_told = await milo.receive()
        only_the_author = await olive.nothing_more()
        await olive.send("sync")
        state = await olive.receive()
        await olive.send("react", share_id=1, kind="heard")
        refused = await olive.receive()
        await leave(*sockets)
        return hidden, author_told, only_the_author, state, refused

    hidden, author_told, only_the_author, state, refused = run(scenario())
    assert hidden == [{"type": "share_hidden", "seq": 8, "share_id": 1}]
    assert author_told == {"type": "your_share_hidden", "share_id": 1}
    assert only_the_author
    assert state["shares"] == []
    assert refused["code"] == "not_found"
    share = Share.objects.get(meeting=meeting, share_id=1)
    assert share.hidden_at is not None
    assert share.hidden_by == facilitator
    assert share.text == "Something that should not stay up."


def test_sync_answers_with_a_fresh_state_for_the_asker_only(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = host, milo = await sit(open_socket, meeting, facilitator, member)
        await milo.send("sync", ref="s1")
        state = await milo.receive()
        quiet = await host.nothing_more()
        await leave(*sockets)
        return state, quiet

    state, quiet = run(scenario())
    assert state["type"] == "state"
    assert state["seq"] == 2
    assert state["you"]["participant_id"] == 2
    assert quiet


def test_the_room_row_keeps_the_state_and_its_next_deadline(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = await live_with_milo_holding(open_socket, meeting, facilitator, member)
        room = await database_sync_to_async(Room.objects.get)(pk=meeting.pk)
        await leave(*sockets)
        return room

    room = run(scenario())
    assert room.status == "live"
    assert room.seq == room.state["seq"] == 5
    assert room.next_deadline_turn == 1
    assert room.next_deadline is not None
