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
from meetings.room import rules, store, system
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
from moderation.models import CrisisPhrase, Report, SafetyEvent
from tests.moderation.room_sockets import connect, live_room, open_meeting, run, sync

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
            turn = await watcher.receive_type("turn_ended")
            assert (turn["participant_id"], turn["reason"]) == (AUTHOR, "muted")
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
            while_muted = await connect(member, room, expect_state=False)
            try:  # the protocol: a member muted in the circle is not let in (again)
                assert await while_muted.receive_close() == 4403
            finally:
                await while_muted.close()

            later = timezone.now() + timedelta(hours=3)
            ended = await sync(end_expired_restrictions)(now=later)
            assert ended["mutes"] == 1
            unmuted = await muted_one.receive_type("participant_unmuted")
            assert unmuted["participant_id"] == AUTHOR
            await muted_one.send("raise_hand")
            raised = await muted_one.receive_type("hand_raised")
            assert raised["participant_id"] == AUTHOR
            second_tab = await connect(member, room)
            await second_tab.close()
            assert second_tab.state["you"]["muted"] is False
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
        second_tab = await connect(member, room)
        watcher = await connect(other_member, room)
        try:
            await sync(handle_report)(member_report, host, action, message="Kept at it.")
            for tab in (removed_one, second_tab):
                removed = await tab.receive_type("removed")
                assert removed["reason"] == "removed"
                assert await tab.receive_close() == 4403
            gone = await watcher.receive_type("participant_removed")
            assert gone["participant_id"] == AUTHOR
            again = await connect(member, room, expect_state=False)
            try:
                # The banned no longer see the circle: its room is as if it did not exist.
                assert await again.receive_close() == (4404 if action == "ban" else 4403)
            finally:
                await again.close()
            await watcher.send("sync")
            state = await watcher.receive_type("state")
            return [p["participant_id"] for p in state["participants"]]
        finally:
            for socket in (removed_one, second_tab, watcher):
                await socket.close()

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


async def _close_within(socket, started: float, seconds: float = 1.0) -> tuple[int, list[str]]:
    """Read until the server closes ``socket``; fail if that takes longer than ``seconds``
    after ``started`` (the loop's clock)."""
    loop = asyncio.get_running_loop()
    frames = []
    while True:
        remaining = seconds - (loop.time() - started)
        assert remaining > 0, "the socket was still open a second after the suspension"
        output = await socket.communicator.receive_output(timeout=remaining)
        if output["type"] == "websocket.close":
            socket.connected = False
            return output.get("code"), frames
        frames.append(output["text"])


def _suspend_from_the_queue(member, staff, circle, other_member):
    report = file_report(other_member, target=member, reason="hate", circle=circle)
    handle_report(report, staff, "suspend", message="Threats.", hours=24)


def _suspend_site_wide(member, staff, circle, other_member):
    suspend_account(member, staff, reason="Threats.", hours=24)


@pytest.mark.parametrize("suspend", [_suspend_site_wide, _suspend_from_the_queue])
def test_a_suspended_members_sockets_close_within_a_second_and_cannot_come_back(
    room, staff, circle, member, other_member, suspend
):
    async def scenario():
        tabs = [await connect(member, room), await connect(member, room)]
        watcher = await connect(other_member, room)
        try:
            started = asyncio.get_running_loop().time()
            await sync(suspend)(member, staff, circle, other_member)
            for tab in tabs:
                code, frames = await _close_within(tab, started)
                assert code == 4403
                assert any('"reason":"suspended"' in frame for frame in frames)
            assert await watcher.nothing_more()  # the others are not closed or told why
            attempts = [
                await connect(member, room, expect_state=False, cookie=tabs[0].cookie),
                await connect(member, room, expect_state=False),  # even a fresh login
            ]
            codes = []
            for attempt in attempts:
                try:
                    codes.append(await attempt.receive_close())
                finally:
                    await attempt.close()
            return codes
        finally:
            for socket in (*tabs, watcher):
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
    CrisisPhrase.objects.create(phrase="want to disappear", language="")
    meeting = live_room(circle, facilitator, member, other_member, text="Warming up.")
    store.execute(
        meeting.pk,
        Actor(AUTHOR),
        rules.Share(f"I want to disappear, {planted}.", f"cw {planted}"),
        user=member,
    )
    store.execute(meeting.pk, Actor(OTHER), rules.React(2, "heard"), user=other_member)
    store.execute(
        meeting.pk,
        Actor(OTHER),
        ReportFrame(2, "at_risk", "Please check on them."),
        user=other_member,
    )
    store.execute(meeting.pk, Actor(1), rules.Hide(2), user=facilitator)
    assert SafetyEvent.objects.filter(kind="crisis_match").exists()
    assert _columns_holding(planted) == [
        ("meetings_share", "content_warning"),
        ("meetings_share", "text"),
        ("moderation_report", "snapshot"),
    ]
    system.end_room(meeting.pk)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    too_soon = meeting.ended_at + timedelta(hours=circle.retention_hours) - timedelta(minutes=1)
    with time_machine.travel(too_soon, tick=False):
        assert purge_expired_shares() == 0
    past_retention = meeting.ended_at + timedelta(hours=circle.retention_hours, minutes=1)
    with time_machine.travel(past_retention, tick=False):
        assert purge_expired_shares() >= 3  # both shares and the reaction
    assert not Share.objects.filter(meeting=meeting).exists()
    assert _columns_holding(planted) == [("moderation_report", "snapshot")]
    assert planted in Report.objects.get().snapshot["text"]


def test_a_facilitator_banned_from_the_queue_loses_the_room_at_once(
    room, circle, host, facilitator, other_member
):
    report = file_report(other_member, target=facilitator, reason="harassment", circle=circle)

    async def scenario():
        banned = await connect(facilitator, room)
        try:
            await sync(handle_report)(report, host, "ban", message="Abused the role.")
            await banned.receive_type("removed", timeout=1)
            assert await banned.receive_close() == 4403
        finally:
            await banned.close()

    run(scenario())


@pytest.mark.parametrize("before", ["not started yet", "paused"])
@pytest.mark.parametrize("action", ["mute", "remove"])
def test_queue_actions_reach_a_room_that_is_not_live_right_now(
    transactional_db, circle, host, facilitator, member, other_member, before, action
):
    meeting = open_meeting(circle, facilitator, member, other_member)
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.execute(meeting.pk, Actor(AUTHOR), rules.RaiseHand())
    if before == "paused":
        store.execute(meeting.pk, Actor(1), rules.Start(), user=facilitator)
        store.execute(meeting.pk, Actor(1), rules.Pause(), user=facilitator)
    report = file_report(other_member, target=member, reason="spam", circle=circle)
    handle_report(report, host, action, hours=1, message="Spam.")
    seated = store.load_state(meeting.pk).participant(AUTHOR)
    assert seated.muted if action == "mute" else seated.removed
    assert AUTHOR not in store.load_state(meeting.pk).queue
