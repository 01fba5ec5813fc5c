"""Support alerts a facilitator acknowledges, the holder's held clock, people away, and the
private answers of issue 11, over the socket."""

from datetime import timedelta

from channels.db import database_sync_to_async
from django.utils import timezone

from circles.models import Membership
from meetings.room import rules, store, system
from moderation.models import ModerationAction
from tests.meetings.room.conftest import run
from tests.meetings.room.test_consumer_commands import (
    everyone_receives,
    leave,
    live_with_milo_holding,
    sit,
)


def test_a_facilitator_who_reloads_still_sees_the_open_alert(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        host, milo = await sit(open_socket, meeting, facilitator, member)
        await milo.send("need_support", note="Not ok")
        await milo.receive()
        await host.receive()
        await host.close()
        again = await open_socket(facilitator, meeting)
        await milo.receive()  # joined again
        await leave(again, milo)
        return again.state, milo.state

    fresh, members_state = run(scenario())
    [alert] = fresh["support_alerts"]
    assert (alert["alert_id"], alert["note"], alert["participant_id"]) == (1, "Not ok", 2)
    assert "support_alerts" not in members_state


def test_every_facilitator_hears_who_acknowledged_an_alert(
    meeting, facilitator, host, member, open_socket
):
    meeting.facilitators.add(host)

    async def scenario():
        fern, hanna, milo = await sit(open_socket, meeting, facilitator, host, member)
        await milo.send("need_support")
        await milo.receive()
        await fern.receive_type("support_alert")
        await hanna.receive_type("support_alert")
        await hanna.send("acknowledge_support", alert_id=1)
        seen_by_fern = await fern.receive()
        seen_by_hanna = await hanna.receive()
        quiet = await milo.nothing_more()
        await fern.send("acknowledge_support", alert_id=1, ref="again")
        repeat = await fern.receive()
        hanna_quiet = await hanna.nothing_more()
        await leave(fern, hanna, milo)
        return seen_by_fern, seen_by_hanna, quiet, repeat, hanna_quiet

    seen_by_fern, seen_by_hanna, quiet, repeat, hanna_quiet = run(scenario())
    expected = {
        "type": "support_acknowledged",
        "alert_id": 1,
        "by": {"participant_id": 2, "display_name": "Hanna Host"},
    }
    assert seen_by_fern == seen_by_hanna == expected
    assert quiet
    assert repeat == {**expected, "ref": "again"}
    assert hanna_quiet
    entry = ModerationAction.objects.get(action="room.support.acknowledged")
    assert (entry.actor, entry.target_user, entry.meeting_id) == (host, member, meeting.pk)
    assert entry.extra["alert_id"] == 1
    assert rules.open_alerts(store.load_state(meeting.pk)) == []


def test_a_member_cannot_acknowledge_an_alert(meeting, facilitator, member, open_socket):
    async def scenario():
        host, milo = await sit(open_socket, meeting, facilitator, member)
        await milo.send("need_support")
        await milo.receive()
        await host.receive()
        await milo.send("acknowledge_support", alert_id=1)
        refused = await milo.receive()
        await leave(host, milo)
        return refused

    assert run(scenario())["code"] == "forbidden"


def test_the_holders_clock_stops_while_they_ask_and_runs_when_the_dialog_closes(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, milo, olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await milo.send("need_support")
        paused = await everyone_receives(sockets, 1)
        resources = await milo.receive()
        alert = await host.receive_type("support_alert")
        await milo.send("support_closed")
        resumed = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return paused, resources, alert, resumed, olive

    paused, resources, alert, resumed, _ = run(scenario())
    assert paused[0]["type"] == "turn_paused"
    assert paused[0]["deadline"] is None and paused[0]["remaining"] > 0
    assert resources["type"] == "resources"
    assert alert["holds_piece"] is True
    assert resumed[0]["type"] == "turn_resumed"
    assert resumed[0]["deadline"] is not None
    assert store.load_state(meeting.pk).status == "live"


def test_a_facilitator_clears_someone_away_and_it_is_audited(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = host, milo, olive = await live_with_milo_holding(
            open_socket, meeting, facilitator, member, other_member
        )
        await olive.send("raise_hand")
        await everyone_receives(sockets, 1)
        await olive.close()
        await host.receive()  # left
        await milo.receive()
        await host.send("clear_away", participant_id=3)
        cleared = await host.receive()
        await host.send("clear_away", participant_id=2)
        refused = await host.receive()
        await leave(host, milo)
        return cleared, refused

    cleared, refused = run(scenario())
    assert cleared["type"] == "queue" and cleared["queue"] == []
    assert refused["code"] == "bad_request"
    entry = ModerationAction.objects.get(action="room.participant.cleared")
    assert entry.target_user == other_member


def test_a_muted_member_is_told_how_long_a_circle_mute_lasts(
    meeting, facilitator, member, open_socket
):
    until = timezone.now() + timedelta(hours=2)

    async def scenario():
        host, milo = await sit(open_socket, meeting, facilitator, member)
        await database_mute(member, until)
        told = await milo.receive_type("mute")
        await milo.send("sync")
        state = await milo.receive_type("state")
        await leave(host, milo)
        return told, state

    told, state = run(scenario())
    assert told == {"type": "mute", "scope": "circle", "until": until.isoformat()}
    assert state["you"]["muted"] is True
    assert state["you"]["mute"] == {"scope": "circle", "until": until.isoformat()}


@database_sync_to_async
def database_mute(user, until):
    """Moderation mutes ``user`` in the circle: it reaches the rooms they are in."""
    membership = Membership.objects.get(user=user)
    membership.muted_until = until
    membership.save(update_fields=["muted_until"])
    system.set_muted_in_live_rooms(user.pk, membership.circle_id, True)
