"""Gentle facilitation over the socket: a nudge reaches the holder alone, a reminder of
one agreement reaches everyone, and only facilitators learn who has not shared yet."""

from meetings.room.models import NudgeText
from moderation.models import ModerationAction
from tests.meetings.room.conftest import agree, make_meeting, run
from tests.meetings.room.test_consumer_commands import everyone_receives, leave, sit


async def milo_holds(open_socket, meeting, *users):
    """Everyone in ``users`` (a facilitator first, Milo second) sits down, Milo raises
    his hand and the facilitator starts: Milo holds the piece."""
    sockets = await sit(open_socket, meeting, *users)
    await sockets[1].send("raise_hand")
    await everyone_receives(sockets, 1)
    await sockets[0].send("start")
    await everyone_receives(sockets, 2)
    return sockets


def test_a_nudge_reaches_only_the_holder(
    meeting, facilitator, member, other_member, host, open_socket
):
    async def scenario():
        sockets = fern, milo, olive, hanna = await milo_holds(
            open_socket, meeting, facilitator, member, other_member, host
        )
        await fern.send("nudge", text_id="default-2", ref="n1")
        reply, ack = await fern.receive(), await fern.receive()
        nudge = await milo.receive()
        quiet = [await s.nothing_more() for s in (fern, milo, olive, hanna)]
        await leave(*sockets)
        return reply, ack, nudge, quiet

    reply, ack, nudge, quiet = run(scenario())
    assert reply == {"type": "nudged", "participant_id": 2, "ref": "n1"}
    assert ack == {"type": "ack", "ref": "n1", "seq": None, "repeat": False}
    assert nudge == {
        "type": "nudge",
        "text_id": "default-2",
        "text": "Remember we share from our own experience, not advice.",
    }
    assert quiet == [True, True, True, True]


def test_a_nudge_is_audited_without_its_words_and_changes_no_seq(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = fern, _milo = await milo_holds(open_socket, meeting, facilitator, member)
        await fern.send("nudge", text_id="default-1")
        await fern.receive()
        await fern.send("sync")
        state = await fern.receive()
        await leave(*sockets)
        return state

    state = run(scenario())
    assert state["seq"] == 5  # two joins, a raised hand, the start and the turn
    entry = ModerationAction.objects.get(action="room.holder.nudged")
    assert entry.target_user == member
    assert "minute" not in str(entry.extra)


def test_a_circle_may_have_its_own_nudges(meeting, facilitator, member, open_socket):
    own = NudgeText.objects.create(circle=meeting.circle, text="Breathe, there's time.")

    async def scenario():
        sockets = fern, milo = await milo_holds(open_socket, meeting, facilitator, member)
        await fern.send("nudge", text_id="default-1")
        refused = await fern.receive()
        await fern.send("nudge", text_id=str(own.pk))
        await fern.receive()
        nudge = await milo.receive()
        await leave(*sockets)
        return refused, nudge

    refused, nudge = run(scenario())
    assert refused["code"] == "bad_request"
    assert nudge["text"] == "Breathe, there's time."


def test_nudges_are_refused_without_a_holder_an_unknown_text_or_a_facilitator(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        fern, milo, olive = await sit(open_socket, meeting, facilitator, member, other_member)
        await fern.send("nudge", text_id="default-1")
        no_holder = await fern.receive()
        await milo.send("raise_hand")
        await everyone_receives([fern, milo, olive], 1)
        await fern.send("start")
        await everyone_receives([fern, milo, olive], 2)
        await fern.send("nudge", text_id="default-99")
        unknown = await fern.receive()
        await olive.send("nudge", text_id="default-1")
        member_tries = await olive.receive()
        quiet = await milo.nothing_more()
        await leave(fern, milo, olive)
        return no_holder, unknown, member_tries, quiet

    no_holder, unknown, member_tries, quiet = run(scenario())
    assert no_holder["code"] == "bad_request"
    assert unknown["code"] == "bad_request"
    assert member_tries["code"] == "forbidden"
    assert quiet


def test_a_reminder_of_one_agreement_reaches_everyone_with_a_seq(
    meeting, facilitator, member, open_socket
):
    async def scenario():
        sockets = fern, _milo = await sit(open_socket, meeting, facilitator, member)
        await fern.send("remind", text="we listen   without fixing.")
        frames = await everyone_receives(sockets, 1)
        await leave(*sockets)
        return frames

    assert run(scenario()) == [
        {"type": "agreement_reminder", "seq": 3, "text": "We listen without fixing."}
    ]
    assert ModerationAction.objects.filter(action="room.agreement.reminded").count() == 1


def test_a_reminder_that_is_not_an_agreement_is_refused(meeting, facilitator, member, open_socket):
    async def scenario():
        sockets = fern, milo = await sit(open_socket, meeting, facilitator, member)
        await fern.send("remind", text="Advice is welcome.")
        refused = await fern.receive()
        await milo.send("remind", text="We listen without fixing.")
        member_tries = await milo.receive()
        quiet = await fern.nothing_more()
        await leave(*sockets)
        return refused, member_tries, quiet

    refused, member_tries, quiet = run(scenario())
    assert refused["code"] == "bad_request"
    assert member_tries["code"] == "forbidden"
    assert quiet


def test_only_facilitators_see_who_has_not_shared_yet(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = await milo_holds(open_socket, meeting, facilitator, member, other_member)
        fern, milo, olive = sockets
        await milo.send("share", text="It was a long week.")
        await everyone_receives(sockets, 1)
        await fern.send("sync")
        await olive.send("sync")
        states = await fern.receive(), await olive.receive()
        await leave(*sockets)
        return states

    fern_sees, olive_sees = run(scenario())
    assert fern_sees["not_shared_yet"] == [1, 3]
    assert "not_shared_yet" not in olive_sees


def test_a_round_can_start_with_those_who_have_not_shared(
    meeting, facilitator, member, other_member, open_socket
):
    async def scenario():
        sockets = await milo_holds(open_socket, meeting, facilitator, member, other_member)
        fern, milo, _olive = sockets
        await milo.send("share", text="It was a long week.")
        await everyone_receives(sockets, 1)
        await milo.send("end_turn")
        await everyone_receives(sockets, 1)
        await fern.send("start_round", order="not_shared_first")
        frames = await everyone_receives(sockets, 2)
        await leave(*sockets)
        return frames

    queue, turn = run(scenario())
    assert queue["queue"] == [1, 3, 2]
    assert turn["participant_id"] == 1


# --- The agreements, confirmed for this meeting -------------------------------------------


def test_a_member_who_has_not_confirmed_the_agreements_is_closed_with_4412(
    transactional_db, circle, facilitator, member, open_socket
):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member], agreed=False)

    async def scenario():
        socket = await open_socket(member, meeting, expect_state=False)
        return await socket.receive_close()

    assert run(scenario()) == 4412


def test_after_confirming_the_member_gets_in(
    transactional_db, circle, facilitator, member, open_socket
):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member], agreed=False)
    agree(member, meeting)

    async def scenario():
        socket = await open_socket(member, meeting)
        await socket.close()
        return socket.state

    assert run(scenario())["you"]["role"] == "member"


def test_facilitators_and_hosts_are_never_held_at_the_agreements(
    transactional_db, circle, facilitator, host, member, open_socket
):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member], agreed=False)

    async def scenario():
        roles = []
        for user in (facilitator, host):
            socket = await open_socket(user, meeting)
            roles.append(socket.state["you"]["role"])
            await socket.close()
        return roles

    assert run(scenario()) == ["facilitator", "host"]
