"""The socket harness itself: a scenario that fails half-way still disconnects."""

import pytest

from meetings.room.models import Room
from tests.meetings.room.conftest import run


def test_a_scenario_that_fails_still_disconnects_every_socket(meeting, member, open_socket):
    sockets = []

    async def scenario():
        sockets.append(await open_socket(member, meeting))
        raise AssertionError("a check failed half-way")

    with pytest.raises(AssertionError, match="half-way"):
        run(scenario())
    assert [socket.connected for socket in sockets] == [False]
    # The consumer's disconnect ran: nobody holds a socket into the room any more.
    participants = Room.objects.get(pk=meeting.pk).state["participants"]
    assert [person["connections"] for person in participants] == [0]
