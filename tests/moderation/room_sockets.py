"""Room sockets for moderation's tests: the talking-circle test builders, shared.

A live room is built synchronously with the store; a scenario then runs in one event
loop with ``run(...)`` and opens sockets with ``connect(user, meeting)``.
"""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from hearth.asgi import application
from meetings.room import store
from meetings.room.commands import Actor, RaiseHand, Share, Start
from meetings.room.models import Room
from meetings.wellbeing.actions import confirm_meeting_agreement
from moderation.models import ModerationAction, Report
from tests.meetings.room.conftest import RECEIVE_TIMEOUT, Socket, make_meeting, run

__all__ = ["Socket", "connect", "counts", "live_room", "open_meeting", "run", "sync"]

SHARE_TEXT = "A share about a hard week."


def open_meeting(circle, facilitator, *going):
    """A meeting whose room is open now, its agreements confirmed by everyone going (so
    members are let in without the lobby)."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=going)
    for user in (facilitator, *going):
        confirm_meeting_agreement(user, meeting.pk, circle.agreements_version)
    return meeting


def live_room(circle, facilitator, author, other, text=SHARE_TEXT):
    """A live room: ``facilitator`` is participant 1, ``author`` 2 (holding the piece,
    has said share 1), ``other`` 3. All three count as connected."""
    meeting = open_meeting(circle, facilitator, author, other)
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, author, "member")
    store.join(meeting.pk, other, "member")
    store.execute(meeting.pk, Actor(2), RaiseHand())
    store.execute(meeting.pk, Actor(1), Start(), user=facilitator)
    store.execute(meeting.pk, Actor(2), Share(text, ""), user=author)
    return meeting


def counts(meeting_id: int) -> dict:
    """What a refused command must leave as it was."""
    return {
        "seq": Room.objects.get(pk=meeting_id).seq,
        "audit": ModerationAction.objects.count(),
        "reports": Report.objects.count(),
    }


async_counts = database_sync_to_async(counts)


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def connect(user, meeting, *, expect_state=True, cookie=None) -> Socket:
    """A socket into ``meeting``'s room as ``user`` (a fresh login, or ``cookie``), past its
    ``state`` frame (kept in ``socket.state``) unless ``expect_state=False``."""
    if cookie is None:
        cookie = await database_sync_to_async(_cookie)(user)
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie.encode())]
    communicator = WebsocketCommunicator(
        application, f"/ws/meetings/{meeting.pk}/room/", headers=headers
    )
    socket = Socket(communicator)
    socket.cookie = cookie
    socket.connected, _ = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    if socket.connected and expect_state:
        socket.state = await socket.receive()
        assert socket.state["type"] == "state"
    return socket


def sync(fn):
    """Run a blocking (database) call from a scenario, in the consumer's thread."""
    return database_sync_to_async(fn)
