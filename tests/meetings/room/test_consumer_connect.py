"""Who gets into the room's socket, and how everyone else is turned away."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from circles.models import Circle, Membership
from meetings.models import Meeting
from meetings.room import store
from meetings.room.commands import SYSTEM, Remove
from tests.meetings.room.conftest import make_meeting, run


def test_a_member_who_is_going_gets_the_full_state_first(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(member, meeting)
        state = socket.state
        await socket.close()
        return state

    state = run(scenario())
    assert state["type"] == "state"
    assert state["you"] == {
        "participant_id": 1,
        "display_name": "Milo Member",
        "role": "member",
        "muted": False,
        "can_moderate": False,
        "mute": None,
    }
    assert state["room"] == {
        "status": "open",
        "mode": "queue",
        "locked": False,
        "turn_seconds": 120,
    }
    assert state["holder"] is None
    assert state["queue"] == []
    assert state["shares"] == []
    assert state["participants"] == [
        {
            "participant_id": 1,
            "display_name": "Milo Member",
            "role": "member",
            "present": True,
            "muted": False,
            "away": False,
        }
    ]
    assert state["seq"] == 1


def test_others_see_a_newcomer_join_with_their_display_name_only(
    meeting, member, facilitator, open_socket
):
    async def scenario():
        first = await open_socket(facilitator, meeting)
        second = await open_socket(member, meeting)
        joined = await first.receive()
        await second.close()
        left = await first.receive()
        await first.close()
        return first.state, joined, left

    state, joined, left = run(scenario())
    assert state["you"]["role"] == "facilitator"
    assert state["you"]["can_moderate"] is True
    assert joined == {
        "type": "joined",
        "seq": 2,
        "participant": {
            "participant_id": 2,
            "display_name": "Milo Member",
            "role": "member",
            "present": True,
            "muted": False,
            "away": False,
        },
    }
    assert member.email not in str(joined)
    assert left == {"type": "left", "seq": 3, "participant_id": 2}


def test_it_closes_with_4401_when_nobody_is_logged_in(meeting, open_socket):
    async def scenario():
        socket = await open_socket(None, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4401


def test_it_closes_with_4404_for_a_meeting_that_does_not_exist(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(
            member, meeting, expect_state=False, path="/ws/meetings/987654/room/"
        )
        return await socket.receive_close()

    assert run(scenario()) == 4404


def test_it_closes_with_4403_for_someone_without_an_rsvp(meeting, outsider, open_socket):
    async def scenario():
        socket = await open_socket(outsider, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4403


def test_it_closes_with_4404_for_a_member_banned_from_the_circle(meeting, member, open_socket):
    """The banned no longer see the circle: its meetings are as if they did not exist."""
    Membership.objects.filter(user=member).update(state=Membership.State.BANNED)

    async def scenario():
        socket = await open_socket(member, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4404


@pytest.mark.parametrize(
    "private", [{"visibility": "unlisted"}, {"join_policy": "invite"}], ids=["unlisted", "invite"]
)
def test_it_closes_with_4404_for_an_outsider_of_a_private_circle(
    meeting, outsider, open_socket, private
):
    Circle.objects.filter(pk=meeting.circle_id).update(**private)

    async def scenario():
        socket = await open_socket(outsider, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4404


def test_it_closes_with_4403_for_a_member_muted_in_the_circle(meeting, member, open_socket):
    Membership.objects.filter(user=member).update(muted_until=timezone.now() + timedelta(days=1))

    async def scenario():
        socket = await open_socket(member, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4403


def test_it_closes_with_4403_for_someone_removed_from_this_meeting(
    meeting, member, facilitator, open_socket
):
    async def scenario():
        socket = await open_socket(member, meeting)
        participant_id = socket.state["you"]["participant_id"]
        await socket.close()
        await database_sync_to_async(store.execute)(meeting.pk, SYSTEM, Remove(participant_id))
        again = await open_socket(member, meeting, expect_state=False)
        return await again.receive_close()

    assert run(scenario()) == 4403


def test_it_closes_with_4409_before_the_room_opens(
    transactional_db, circle, facilitator, member, open_socket
):
    later = make_meeting(
        circle,
        facilitators=[facilitator],
        going=[member],
        starts_at=timezone.now() + timedelta(hours=2),
    )

    async def scenario():
        socket = await open_socket(member, later, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4409


def test_it_closes_with_4409_once_the_meeting_has_ended(meeting, member, open_socket):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.ENDED, ended_at=timezone.now()
    )

    async def scenario():
        socket = await open_socket(member, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4409


def test_a_locked_room_admits_nobody_new_but_lets_people_back_in(
    meeting, member, other_member, facilitator, open_socket
):
    async def scenario():
        host = await open_socket(facilitator, meeting)
        returning = await open_socket(member, meeting)
        await returning.close()
        await host.send("lock")
        await host.receive_type("room")
        newcomer = await open_socket(other_member, meeting, expect_state=False)
        code = await newcomer.receive_close()
        back = await open_socket(member, meeting)
        await back.close()
        await host.close()
        return code, back.state

    code, state = run(scenario())
    assert code == 4409
    assert state["room"]["locked"] is True
    assert state["you"]["participant_id"] == 2


def test_a_socket_from_another_origin_is_refused_at_the_handshake(meeting, member, open_socket):
    async def scenario():
        socket = await open_socket(
            member, meeting, expect_state=False, origin="https://evil.example"
        )
        return socket.connected

    assert run(scenario()) is False
