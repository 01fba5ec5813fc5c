"""What moderation does to open rooms, seen through real sockets on the Redis channel layer:
a mute from the queue (and its end), a removal or ban, hiding a reported share, a
site-wide suspension, and the retention purge leaving the text only in report snapshots.
"""

import asyncio
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from meetings.models import Meeting
from meetings.room import rules, store
from meetings.room.models import Share
from meetings.room.protocol import Report as ReportFrame
from meetings.room.rules import Actor
from meetings.room.tasks import purge_expired_shares
from moderation.actions import (
    end_expired_restrictions,
    file_report,
    handle_report,
    suspend_account,
)
from moderation.models import Report
from tests.moderation.room_sockets import connect, live_room, run, sync

AUTHOR, OTHER = 2, 3


@pytest.fixture
def room(transactional_db, circle, host, facilitator, member, other_member):
    """``member`` (participant 2) holds the piece and said share 1; ``other_member`` is 3."""
    return live_room(circle, facilitator, member, other_member)


@pytest.fixture
def member_report(room, circle, member, other_member):
    return file_report(other_member, target=member, reason="harassment", circle=circle)


def test_a_mute_from_the_queue_reaches_the_open_room_and_its_end_lifts_it(
    room, member_report, host, member, other_member
):
    async def scenario():
        muted_one = await connect(member, room)
        watcher = await connect(other_member, room)
        try:
            await sync(handle_report)(member_report, host, "mute", hours=2)
            muted = await muted_one.receive_type("participant_muted")
            assert muted["participant_id"] == AUTHOR
            seen = await watcher.receive_type("participant_muted")
            assert seen["participant_id"] == AUTHOR
            codes = {}
            for frame_type, fields in (
                ("share", {"text": "Can I still speak?"}),
                ("react", {"share_id": 1, "kind": "heard"}),
                ("raise_hand", {}),
            ):
                await muted_one.send(frame_type, ref=frame_type, **fields)
                error = await muted_one.receive_type("error")
                codes[error["ref"]] = error["code"]
            assert codes == {"share": "muted", "react": "muted", "raise_hand": "muted"}

            later = timezone.now() + timedelta(hours=3)
            ended = await sync(end_expired_restrictions)(now=later)
            assert ended["mutes"] == 1
            unmuted = await muted_one.receive_type("participant_unmuted")
            assert unmuted["participant_id"] == AUTHOR
            await muted_one.send("raise_hand")
            raised = await muted_one.receive_type("hand_raised")
            assert raised["participant_id"] == AUTHOR
        finally:
            await muted_one.close()
            await watcher.close()

    run(scenario())
    assert not store.load_state(room.pk).participant(AUTHOR).muted


@pytest.mark.parametrize("action", ["remove", "ban"])
def test_a_removal_or_ban_from_the_queue_closes_the_members_socket_for_good(
    room, member_report, host, member, other_member, action
):
    async def scenario():
        removed_one = await connect(member, room)
        watcher = await connect(other_member, room)
        try:
            await sync(handle_report)(member_report, host, action, message="Kept at it.")
            removed = await removed_one.receive_type("removed")
            assert removed["reason"] == "removed"
            assert await removed_one.receive_close() == 4403
            gone = await watcher.receive_type("participant_removed")
            assert gone["participant_id"] == AUTHOR
            again = await connect(member, room, expect_state=False)
            try:
                assert await again.receive_close() == 4403
            finally:
                await again.close()
            await watcher.send("sync")
            state = await watcher.receive_type("state")
            return [p["participant_id"] for p in state["participants"]]
        finally:
            await removed_one.close()
            await watcher.close()

    assert AUTHOR not in run(scenario())
    assert store.load_state(room.pk).participant(AUTHOR).removed


def test_hiding_a_reported_share_from_the_queue_takes_it_out_of_every_open_screen(
    room, host, facilitator, member, other_member
):
    async def scenario():
        sockets = [await connect(user, room) for user in (facilitator, member, other_member)]
        try:
            assert all([s["share_id"] for s in socket.state["shares"]] == [1] for socket in sockets)
            reporter = sockets[2]
            await reporter.send("report", share_id=1, reason="hate", ref="r")
            assert (await reporter.receive_type("reported"))["share_id"] == 1
            report = await sync(Report.objects.get)()
            await sync(handle_report)(report, host, "hide")
            for socket in sockets:
                hidden = await socket.receive_type("share_hidden")
                assert hidden["share_id"] == 1
                await socket.send("sync")
                state = await socket.receive_type("state")
                assert state["shares"] == []
        finally:
            for socket in sockets:
                await socket.close()

    run(scenario())
    assert Share.objects.get(meeting=room, share_id=1).hidden_at is not None


def test_a_suspended_members_socket_closes_within_a_second_and_cannot_come_back(
    room, staff, member
):
    async def scenario():
        socket = await connect(member, room)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            await sync(suspend_account)(member, staff, reason="Threats.", hours=24)
            frames, code = [], None
            while code is None:
                remaining = 1 - (loop.time() - started)
                assert remaining > 0, "the socket was still open a second after the suspension"
                output = await socket.communicator.receive_output(timeout=remaining)
                if output["type"] == "websocket.close":
                    code = output.get("code")
                else:
                    frames.append(output["text"])
            socket.connected = False
            assert code == 4403
            assert any('"reason":"suspended"' in frame for frame in frames)
            with_old_session = await connect(member, room, expect_state=False, cookie=socket.cookie)
            with_new_login = await connect(member, room, expect_state=False)
            codes = []
            for attempt in (with_old_session, with_new_login):
                try:
                    codes.append(await attempt.receive_close())
                finally:
                    await attempt.close()
            return codes
        finally:
            await socket.close()

    assert run(scenario()) == [4401, 4401]  # the account is inactive: nobody is logged in


# --- Retention ---------------------------------------------------------------------------


def _columns_holding(text: str) -> list[tuple[str, str]]:
    """Every (table, column) of the database, among text, varchar and JSON columns, whose
    value contains ``text``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')
            ORDER BY table_name, column_name
            """
        )
        columns = cursor.fetchall()
        assert len(columns) > 50  # every app's tables, not an empty schema
        hits = []
        for table, column in columns:
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',  # noqa: S608
                [f"%{text}%"],
            )
            if cursor.fetchone():
                hits.append((table, column))
    return hits


def test_the_purge_leaves_a_share_only_in_the_report_snapshot(
    db, circle, facilitator, member, other_member
):
    planted = f"planted-{uuid.uuid4().hex}"
    meeting = live_room(circle, facilitator, member, other_member, text=f"I said {planted}.")
    store.execute(meeting.pk, Actor(OTHER), rules.React(1, "heard"), user=other_member)
    store.execute(
        meeting.pk, Actor(OTHER), ReportFrame(1, "agreements", "Not okay."), user=other_member
    )
    assert _columns_holding(planted) == [
        ("meetings_share", "text"),
        ("moderation_report", "snapshot"),
    ]
    store.end_room(meeting.pk)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    too_soon = meeting.ended_at + timedelta(hours=circle.retention_hours) - timedelta(minutes=1)
    with time_machine.travel(too_soon, tick=False):
        assert purge_expired_shares() == 0
    past_retention = meeting.ended_at + timedelta(hours=circle.retention_hours, minutes=1)
    with time_machine.travel(past_retention, tick=False):
        assert purge_expired_shares() >= 2  # the share and its reaction
    assert not Share.objects.filter(meeting=meeting).exists()
    assert _columns_holding(planted) == [("moderation_report", "snapshot")]
    assert planted in Report.objects.get().snapshot["text"]
