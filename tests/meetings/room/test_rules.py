import json
from datetime import UTC, datetime, timedelta

import pytest

from hearth.refusal import REFUSAL_MESSAGES
from meetings.room.commands import (
    Actor,
    Disconnect,
    End,
    EndTurn,
    Expire,
    Extend,
    Grant,
    Hide,
    Join,
    Lock,
    LowerHand,
    Move,
    Mute,
    NeedSupport,
    Pass,
    Pause,
    RaiseHand,
    React,
    Remove,
    Resume,
    SetMode,
    SetTurnSeconds,
    Share,
    Skip,
    Start,
    StartRound,
    Sync,
    Unlock,
    Unmute,
)
from meetings.room.invariants import check_invariants
from meetings.room.limits import GRACE_SECONDS, MAX_CONTENT_WARNING_CHARS, MAX_SHARE_CHARS
from meetings.room.public import public_state
from meetings.room.rules import (
    Refused,
    apply,
    check_need_support,
    check_report,
    next_deadline,
)
from meetings.room.values import RoomState

T0 = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)

# Participant ids are handed out in join order.
HANA, ADA, BO, CY = 1, 2, 3, 4
PEOPLE = (
    (101, "Hana", "host"),
    (102, "Ada", "member"),
    (103, "Bo", "member"),
    (104, "Cy", "member"),
)
NEWCOMER = Join(999, "Dee", "member")


def at(seconds: float = 0) -> datetime:
    return T0 + timedelta(seconds=seconds)


def act(state, who, command, seconds=0):
    """Apply a command from participant ``who`` (None: the system) ``seconds`` after T0."""
    new, events = apply(state, Actor(who), command, at(seconds))
    check_invariants(new)
    assert [event["seq"] for event in events] == list(range(state.seq + 1, new.seq + 1))
    return new, events


def refusal(state, who, command, seconds=0) -> Refused:
    with pytest.raises(Refused) as caught:
        apply(state, Actor(who), command, at(seconds))
    return caught.value


def room(people=4, *, mode="queue", start=True) -> RoomState:
    """Hana the host and members Ada, Bo and Cy, connected in that order; started if asked."""
    state = RoomState(mode=mode)
    for user_id, name, role in PEOPLE[:people]:
        state, _ = act(state, None, Join(user_id, name, role))
    if start:
        state, _ = act(state, HANA, Start())
    return state


def with_turn(holder=ADA, waiting=()) -> RoomState:
    """A live queue-mode room where ``holder`` holds the piece and ``waiting`` queue up."""
    state = room()
    for pid in (holder, *waiting):
        state, _ = act(state, pid, RaiseHand())
    return state


def types(events) -> list[str]:
    return [event["type"] for event in events]


# --- Joining and leaving -------------------------------------------------------------------


def test_people_are_seated_in_the_order_they_join():
    state = room(start=False)

    assert [p["display_name"] for p in public_state(state)["participants"]] == [
        "Hana",
        "Ada",
        "Bo",
        "Cy",
    ]
    assert [p.seat for p in state.participants] == [0, 1, 2, 3]


def test_joining_announces_the_newcomer_without_their_user_id():
    state, events = act(room(), None, NEWCOMER)

    assert events == [
        {
            "type": "joined",
            "seq": state.seq,
            "participant": {
                "participant_id": 5,
                "display_name": "Dee",
                "role": "member",
                "present": True,
                "muted": False,
                "away": False,
            },
        }
    ]


def test_a_second_connection_announces_nothing():
    state = room()

    again, events = act(state, None, Join(102, "Ada", "member"))

    assert events == []
    assert again.participant(ADA).connections == 2
    assert public_state(again) == public_state(state)


def test_a_new_name_on_a_second_connection_is_announced_as_an_update():
    _, events = act(room(), None, Join(102, "Ada L.", "member"))

    assert types(events) == ["participant_updated"]
    assert events[0]["participant"]["display_name"] == "Ada L."


def test_leaving_is_announced_when_the_last_connection_closes():
    state, _ = act(room(), None, Join(102, "Ada", "member"))

    state, first = act(state, None, Disconnect(ADA))
    state, second = act(state, None, Disconnect(ADA))

    assert first == []
    assert second == [{"type": "left", "seq": state.seq, "participant_id": ADA}]
    assert not state.participant(ADA).present


def test_a_participant_may_close_their_own_connection_but_not_another():
    state, events = act(room(), ADA, Disconnect(ADA))

    assert types(events) == ["left"]
    assert refusal(state, BO, Disconnect(CY)).code == "forbidden"


def test_a_disconnect_of_someone_already_gone_changes_nothing():
    state, _ = act(room(), None, Disconnect(ADA))

    again, events = act(state, None, Disconnect(ADA))

    assert (again, events) == (state, [])


def test_someone_who_returns_is_announced_again():
    state, _ = act(room(), None, Disconnect(ADA))

    state, events = act(state, None, Join(102, "Ada", "member"))

    assert types(events) == ["joined"]
    assert state.participant(ADA).present


def test_a_removed_participant_cannot_come_back():
    state, _ = act(room(), HANA, Remove(ADA))

    assert refusal(state, None, Join(102, "Ada", "member")).code == "removed"


def test_an_ended_room_is_closed_to_everyone():
    state, _ = act(room(), HANA, End())

    assert refusal(state, None, Join(102, "Ada", "member")).code == "closed"
    assert refusal(state, None, NEWCOMER).code == "closed"


def test_a_locked_room_lets_earlier_participants_reconnect():
    state, _ = act(room(), HANA, Lock())
    state, _ = act(state, None, Disconnect(ADA))

    state, events = act(state, None, Join(102, "Ada", "member"))

    assert types(events) == ["joined"]


def test_a_locked_room_refuses_newcomers():
    state, _ = act(room(), HANA, Lock())

    assert refusal(state, None, NEWCOMER).code == "locked"


def test_an_unlocked_room_welcomes_newcomers_again():
    state, _ = act(room(), HANA, Lock())
    state, _ = act(state, HANA, Unlock())

    _, events = act(state, None, NEWCOMER)

    assert types(events) == ["joined"]


@pytest.mark.parametrize("command", [Join(999, "Dee", "guest"), Join(999, "  ", "member")])
def test_join_refuses_an_unknown_role_or_a_blank_name(command):
    assert refusal(room(), None, command).code == "bad_request"


def test_only_the_server_joins_people():
    assert refusal(room(), HANA, NEWCOMER).code == "forbidden"


# --- The queue and turns ---------------------------------------------------------------------


def test_it_gives_the_piece_to_the_head_of_the_queue():
    state, events = act(room(), ADA, RaiseHand())

    assert types(events) == ["hand_raised", "turn_started"]
    assert events[1] == {
        "type": "turn_started",
        "seq": state.seq,
        "participant_id": ADA,
        "turn_id": 1,
        "deadline": at(180).isoformat(),
        "queue": [],
    }
    assert state.holder.participant_id == ADA


def test_others_wait_in_the_order_they_raised_their_hands():
    state = with_turn(ADA)

    state, _ = act(state, CY, RaiseHand())
    state, events = act(state, BO, RaiseHand())

    assert events == [
        {"type": "hand_raised", "seq": state.seq, "participant_id": BO, "queue": [CY, BO]}
    ]


def test_a_second_raise_hand_changes_nothing():
    state = with_turn(ADA, waiting=[BO])

    again, events = act(state, BO, RaiseHand())

    assert (again, events) == (state, [])


def test_the_holder_raising_a_hand_changes_nothing():
    state = with_turn(ADA)

    again, events = act(state, ADA, RaiseHand())

    assert (again, events) == (state, [])


def test_lowering_a_hand_leaves_the_queue():
    state, events = act(with_turn(ADA, waiting=[BO, CY]), BO, LowerHand())

    assert events == [
        {"type": "hand_lowered", "seq": state.seq, "participant_id": BO, "queue": [CY]}
    ]


def test_lower_hand_when_not_queued_changes_nothing():
    state = with_turn(ADA)

    again, events = act(state, BO, LowerHand())

    assert (again, events) == (state, [])


def test_hands_raised_before_the_start_are_served_when_it_starts():
    state = room(start=False)
    state, events = act(state, BO, RaiseHand())
    assert types(events) == ["hand_raised"]

    state, events = act(state, HANA, Start())

    assert types(events) == ["room", "turn_started"]
    assert state.holder.participant_id == BO


def test_ending_a_turn_passes_the_piece_on():
    _, events = act(with_turn(ADA, waiting=[BO]), ADA, EndTurn())

    assert types(events) == ["turn_ended", "turn_started"]
    assert events[0]["reason"] == "ended"
    assert events[1]["participant_id"] == BO
    assert events[1]["turn_id"] == 2


def test_passing_is_recorded_as_a_pass():
    _, events = act(with_turn(ADA), ADA, Pass())

    assert events[0] == {
        "type": "turn_ended",
        "seq": events[0]["seq"],
        "participant_id": ADA,
        "turn_id": 1,
        "reason": "passed",
    }


@pytest.mark.parametrize("command", [EndTurn(), Pass()])
def test_only_the_holder_can_end_their_turn(command):
    assert refusal(with_turn(ADA, waiting=[BO]), BO, command).code == "not_your_turn"


def test_absent_people_keep_their_place_in_the_queue_but_are_passed_over():
    state = with_turn(ADA, waiting=[BO, CY])
    state, _ = act(state, None, Disconnect(BO))

    state, events = act(state, ADA, EndTurn())

    assert state.holder.participant_id == CY
    assert state.queue == (BO,)
    assert events[-1]["queue"] == [BO]


def test_someone_who_returns_to_a_free_piece_receives_it():
    state = with_turn(ADA, waiting=[BO])
    state, _ = act(state, None, Disconnect(BO))
    state, _ = act(state, ADA, EndTurn())
    assert state.holder is None

    state, events = act(state, None, Join(103, "Bo", "member"))

    assert types(events) == ["joined", "turn_started"]
    assert state.holder.participant_id == BO


# --- Rounds ------------------------------------------------------------------------------------


def test_a_round_goes_around_the_circle_in_seat_order():
    state, events = act(room(mode="round", start=False), HANA, Start())

    assert types(events) == ["room", "queue", "turn_started"]
    holders = [state.holder.participant_id]
    while state.holder is not None:
        state, _ = act(state, state.holder.participant_id, Pass())
        if state.holder is not None:
            holders.append(state.holder.participant_id)

    assert holders == [HANA, ADA, BO, CY]


def test_a_round_leaves_out_the_absent_and_the_muted():
    state = room(start=False, mode="round")
    state, _ = act(state, None, Disconnect(BO))
    state, _ = act(state, HANA, Mute(CY))

    state, _ = act(state, HANA, Start())

    assert state.holder.participant_id == HANA
    assert state.queue == (ADA,)


def test_start_round_replaces_the_queue_and_leaves_out_the_holder():
    state = with_turn(BO, waiting=[CY])

    state, events = act(state, HANA, StartRound())

    assert events == [{"type": "queue", "seq": state.seq, "queue": [HANA, ADA, CY]}]


def test_raising_a_hand_during_a_round_joins_the_end_of_it():
    state = with_turn(BO, waiting=[CY])
    state, _ = act(state, HANA, SetMode("round"))

    state, _ = act(state, BO, Pass())
    state, _ = act(state, BO, RaiseHand())

    assert state.queue == (BO,)


def test_start_round_needs_a_live_room():
    assert refusal(room(start=False), HANA, StartRound()).code == "room_not_live"


# --- Timers ------------------------------------------------------------------------------------


def test_next_deadline_is_the_holders_deadline():
    assert next_deadline(room()) is None
    assert next_deadline(with_turn(ADA)) == (1, at(180))


def test_expire_before_the_deadline_is_a_no_op():
    state = with_turn(ADA)

    again, events = act(state, None, Expire(1), seconds=179)

    assert (again, events) == (state, [])


def test_expire_at_the_deadline_ends_the_turn_and_passes_the_piece_on():
    _, events = act(with_turn(ADA, waiting=[BO]), None, Expire(1), seconds=180)

    assert types(events) == ["turn_ended", "turn_started"]
    assert events[0]["reason"] == "timeout"
    assert events[1]["deadline"] == at(360).isoformat()


def test_expire_of_an_old_turn_is_a_no_op():
    state, _ = act(with_turn(ADA, waiting=[BO]), ADA, EndTurn())

    again, events = act(state, None, Expire(1), seconds=10_000)

    assert (again, events) == (state, [])


def test_expire_is_safe_to_repeat():
    state, _ = act(with_turn(ADA), None, Expire(1), seconds=180)

    again, events = act(state, None, Expire(1), seconds=181)

    assert (again, events) == (state, [])


def test_a_new_turn_length_applies_to_the_next_turn():
    state = with_turn(ADA, waiting=[BO])

    state, events = act(state, HANA, SetTurnSeconds(60))
    assert types(events) == ["room"]
    assert state.holder.deadline == at(180)

    state, events = act(state, ADA, EndTurn(), seconds=10)
    assert events[-1]["deadline"] == at(70).isoformat()


@pytest.mark.parametrize("seconds", [29, 1801, "60", True, 60.0])
def test_a_turn_length_must_be_whole_seconds_within_limits(seconds):
    assert refusal(room(), HANA, SetTurnSeconds(seconds)).code == "bad_request"


def test_setting_the_same_turn_length_changes_nothing():
    state = room()

    again, events = act(state, HANA, SetTurnSeconds(180))

    assert (again, events) == (state, [])


# --- Pause and resume --------------------------------------------------------------------------


def test_pause_freezes_the_timer():
    state, events = act(with_turn(ADA), HANA, Pause(), seconds=60)

    assert types(events) == ["room", "turn_paused"]
    assert events[1]["deadline"] is None
    assert events[1]["remaining"] == 120
    assert next_deadline(state) is None
    again, events = act(state, None, Expire(1), seconds=10_000)
    assert (again, events) == (state, [])


def test_resume_restarts_the_timer_with_the_time_that_was_left():
    state, _ = act(with_turn(ADA), HANA, Pause(), seconds=60)

    state, events = act(state, HANA, Resume(), seconds=1000)

    assert types(events) == ["room", "turn_resumed"]
    assert events[1]["deadline"] == at(1120).isoformat()
    assert events[1]["remaining"] is None
    assert next_deadline(state) == (1, at(1120))


def test_pause_and_resume_are_safe_to_repeat():
    paused, _ = act(with_turn(ADA), HANA, Pause())
    assert act(paused, HANA, Pause(), seconds=5) == (paused, [])

    live, _ = act(paused, HANA, Resume())
    assert act(live, HANA, Resume(), seconds=5) == (live, [])


def test_pause_and_resume_need_a_started_room():
    state = room(start=False)

    assert refusal(state, HANA, Pause()).code == "room_not_live"
    assert refusal(state, HANA, Resume()).code == "room_not_live"


def test_nobody_is_given_the_piece_while_paused():
    state, _ = act(room(), HANA, Pause())

    state, events = act(state, ADA, RaiseHand())
    assert types(events) == ["hand_raised"]

    state, events = act(state, HANA, Resume())
    assert types(events) == ["room", "turn_started"]


def test_the_holder_may_end_their_turn_while_paused():
    state, _ = act(with_turn(ADA, waiting=[BO]), HANA, Pause())

    state, events = act(state, ADA, EndTurn())

    assert types(events) == ["turn_ended"]
    assert state.holder is None


# --- Extending a turn --------------------------------------------------------------------------


def test_extend_adds_time_to_the_deadline():
    state, events = act(with_turn(ADA), HANA, Extend(), seconds=30)

    assert events == [
        {
            "type": "turn_extended",
            "seq": state.seq,
            "participant_id": ADA,
            "turn_id": 1,
            "deadline": at(240).isoformat(),
            "remaining": None,
        }
    ]


def test_extend_while_paused_adds_to_the_time_left():
    state, _ = act(with_turn(ADA), HANA, Pause(), seconds=60)

    state, events = act(state, HANA, Extend(30))

    assert events[0]["remaining"] == 150
    assert events[0]["deadline"] is None


def test_extend_after_the_deadline_counts_from_now():
    _, events = act(with_turn(ADA), HANA, Extend(60), seconds=200)

    assert events[0]["deadline"] == at(260).isoformat()


def test_extend_needs_someone_holding_the_piece():
    assert refusal(room(), HANA, Extend()).code == "bad_request"


@pytest.mark.parametrize("seconds", [0, 601, "60", False])
def test_extend_refuses_odd_amounts(seconds):
    assert refusal(with_turn(ADA), HANA, Extend(seconds)).code == "bad_request"


# --- Reconnect grace ---------------------------------------------------------------------------


def test_a_disconnected_holder_keeps_the_piece_for_a_grace_period():
    state, events = act(with_turn(ADA, waiting=[BO]), None, Disconnect(ADA), seconds=10)

    assert types(events) == ["left"]
    assert state.holder.participant_id == ADA
    assert state.holder.grace_deadline == at(10 + GRACE_SECONDS)
    assert next_deadline(state) == (1, at(40))
    assert act(state, None, Expire(1), seconds=39) == (state, [])


def test_a_holder_who_reconnects_in_time_keeps_their_turn():
    state, _ = act(with_turn(ADA), None, Disconnect(ADA), seconds=10)

    state, events = act(state, None, Join(102, "Ada", "member"), seconds=20)

    assert types(events) == ["joined"]
    assert state.holder.grace_deadline is None
    assert next_deadline(state) == (1, at(180))


def test_the_turn_ends_when_the_grace_period_runs_out():
    state, _ = act(with_turn(ADA, waiting=[BO]), None, Disconnect(ADA), seconds=10)

    state, events = act(state, None, Expire(1), seconds=40)

    assert types(events) == ["turn_ended", "participant_away", "turn_started"]
    assert events[0]["reason"] == "disconnected"
    assert state.holder.participant_id == BO


def test_the_deadline_still_applies_during_the_grace_period():
    state, _ = act(with_turn(ADA), None, Disconnect(ADA), seconds=170)

    assert next_deadline(state) == (1, at(180))
    _, events = act(state, None, Expire(1), seconds=180)
    assert events[0]["reason"] == "timeout"


def test_a_pause_stops_the_grace_period_and_resume_gives_a_fresh_one():
    state, _ = act(with_turn(ADA), None, Disconnect(ADA), seconds=10)

    state, _ = act(state, HANA, Pause(), seconds=35)
    assert state.holder.grace_deadline is None
    # Only Ada's own away deadline is left: the turn's clock and grace wait for resume.
    assert next_deadline(state) == (1, state.participant(ADA).away_at)

    state, _ = act(state, HANA, Resume(), seconds=500)
    assert state.holder.grace_deadline == at(500 + GRACE_SECONDS)


# --- Sharing and reactions -----------------------------------------------------------------------


def test_the_holder_shares_and_the_state_keeps_no_text():
    state, events = act(with_turn(ADA), ADA, Share("It was a hard week.", " grief "))

    assert events == [
        {
            "type": "shared",
            "seq": state.seq,
            "share_id": 1,
            "participant_id": ADA,
            "turn_id": 1,
            "content_warning": "grief",
        }
    ]
    assert "hard week" not in json.dumps(state.to_json())


def test_only_the_holder_can_share():
    assert refusal(with_turn(ADA), BO, Share("Me too.")).code == "not_your_turn"


def test_a_blank_share_is_refused():
    assert refusal(with_turn(ADA), ADA, Share(" \n ")).code == "bad_request"


def test_a_share_may_use_the_full_length_but_no_more():
    state = with_turn(ADA)

    act(state, ADA, Share("x" * MAX_SHARE_CHARS))
    assert refusal(state, ADA, Share("x" * (MAX_SHARE_CHARS + 1))).code == "too_long"


def test_a_long_content_warning_is_refused():
    long_warning = "w" * (MAX_CONTENT_WARNING_CHARS + 1)

    assert refusal(with_turn(ADA), ADA, Share("Hello", long_warning)).code == "too_long"


def test_nobody_shares_while_the_room_is_paused():
    state, _ = act(with_turn(ADA), HANA, Pause())

    assert refusal(state, ADA, Share("Hello")).code == "room_not_live"


def test_a_muted_participant_cannot_share():
    state, _ = act(room(), HANA, Mute(ADA))

    assert refusal(state, ADA, Share("Hello")).code == "muted"


def shared(holder=ADA) -> RoomState:
    """A room where ``holder`` has just made share 1."""
    state, _ = act(with_turn(holder), holder, Share("It helps to say it."))
    return state


def test_reactions_are_counted_per_kind():
    state, _ = act(shared(), BO, React(1, "heard"))
    state, events = act(state, CY, React(1, "heard"))

    assert events == [
        {"type": "reaction", "seq": state.seq, "share_id": 1, "kind": "heard", "count": 2}
    ]

    state, events = act(state, CY, React(1, "thanks"))
    assert events[0]["count"] == 1


def test_the_same_reaction_twice_changes_nothing():
    state, _ = act(shared(), BO, React(1, "strength"))

    assert act(state, BO, React(1, "strength")) == (state, [])


def test_reacting_to_your_own_share_is_allowed():
    _, events = act(shared(ADA), ADA, React(1, "me_too"))

    assert types(events) == ["reaction"]


def test_an_unknown_reaction_is_refused():
    assert refusal(shared(), BO, React(1, "hug")).code == "bad_request"


def test_a_missing_or_hidden_share_cannot_be_reacted_to():
    state, events = act(shared(), HANA, Hide(1))
    assert events == [{"type": "share_hidden", "seq": state.seq, "share_id": 1}]

    assert refusal(state, BO, React(1, "heard")).code == "not_found"
    assert refusal(state, BO, React(2, "heard")).code == "not_found"


def test_a_muted_participant_cannot_react():
    state, _ = act(shared(), HANA, Mute(BO))

    assert refusal(state, BO, React(1, "heard")).code == "muted"


def test_hiding_is_safe_to_repeat_and_needs_a_real_share():
    state, _ = act(shared(), HANA, Hide(1))

    assert act(state, HANA, Hide(1)) == (state, [])
    assert refusal(state, HANA, Hide(7)).code == "not_found"


def test_the_system_may_hide_a_share():
    _, events = act(shared(), None, Hide(1))

    assert types(events) == ["share_hidden"]


# --- Moderation --------------------------------------------------------------------------------

MODERATOR_COMMANDS = [
    Start(),
    Pause(),
    Resume(),
    End(),
    StartRound(),
    SetMode("round"),
    SetTurnSeconds(60),
    Extend(),
    Grant(BO),
    Skip(),
    Move(BO, 0),
    Mute(BO),
    Unmute(BO),
    Remove(BO),
    Lock(),
    Unlock(),
    Hide(1),
]


@pytest.mark.parametrize("command", MODERATOR_COMMANDS, ids=lambda c: type(c).__name__)
def test_members_cannot_moderate(command):
    assert refusal(shared(), CY, command).code == "forbidden"


@pytest.mark.parametrize(
    "command",
    [c for c in MODERATOR_COMMANDS if not isinstance(c, End | Hide | Remove | Mute | Unmute)],
    ids=lambda c: type(c).__name__,
)
def test_the_system_cannot_run_the_room(command):
    assert refusal(shared(), None, command).code == "forbidden"


def test_facilitators_and_staff_can_moderate():
    state = room()
    state, _ = act(state, None, Join(201, "Fay", "facilitator"))
    state, _ = act(state, None, Join(202, "Sam", "staff"))

    state, events = act(state, 5, Lock())
    assert types(events) == ["room"]
    _, events = act(state, 6, Unlock())
    assert types(events) == ["room"]


def test_a_moderator_must_be_connected():
    state, _ = act(room(), None, Disconnect(HANA))

    assert refusal(state, HANA, Lock()).code == "forbidden"


def test_people_outside_the_room_cannot_act():
    assert refusal(room(), 42, RaiseHand()).code == "forbidden"


def test_grant_gives_the_piece_and_ends_the_current_turn():
    state, events = act(with_turn(ADA, waiting=[BO, CY]), HANA, Grant(CY))

    assert types(events) == ["turn_ended", "turn_started"]
    assert events[0]["reason"] == "granted_away"
    assert events[1]["participant_id"] == CY
    assert state.queue == (BO,)


def test_grant_when_the_piece_is_free():
    state, events = act(room(), HANA, Grant(BO))

    assert types(events) == ["turn_started"]
    assert state.holder.participant_id == BO


def test_grant_to_the_holder_changes_nothing():
    state = with_turn(ADA)

    assert act(state, HANA, Grant(ADA)) == (state, [])


def test_grant_refuses_someone_absent_or_muted():
    state, _ = act(room(), None, Disconnect(BO))
    state, _ = act(state, HANA, Mute(CY))

    absent = refusal(state, HANA, Grant(BO))
    muted = refusal(state, HANA, Grant(CY))

    assert (absent.code, absent.message) == ("bad_request", "Bo isn't connected right now.")
    assert (muted.code, muted.message) == ("bad_request", "Cy is muted; unmute them first.")


def test_grant_needs_a_live_room():
    assert refusal(room(start=False), HANA, Grant(ADA)).code == "room_not_live"


def test_skip_ends_the_turn_and_moves_on():
    state, events = act(with_turn(ADA, waiting=[BO]), HANA, Skip())

    assert types(events) == ["turn_ended", "turn_started"]
    assert events[0]["reason"] == "skipped"
    assert state.holder.participant_id == BO


def test_skip_without_a_holder_changes_nothing():
    state = room()

    assert act(state, HANA, Skip()) == (state, [])


def test_move_places_someone_within_the_queue():
    state = with_turn(HANA, waiting=[ADA, BO, CY])

    state, events = act(state, HANA, Move(CY, 0))
    assert events == [{"type": "queue", "seq": state.seq, "queue": [CY, ADA, BO]}]

    state, events = act(state, HANA, Move(CY, 99))
    assert events[0]["queue"] == [ADA, BO, CY]


def test_moving_someone_to_where_they_are_changes_nothing():
    state = with_turn(HANA, waiting=[ADA, BO])

    assert act(state, HANA, Move(ADA, 0)) == (state, [])


def test_move_reseats_someone_who_is_not_queued():
    state, events = act(room(), HANA, Move(CY, 1))

    assert events == [{"type": "seating", "seq": state.seq, "participants": [HANA, CY, ADA, BO]}]
    assert sorted(p.seat for p in state.participants) == [0, 1, 2, 3]


def test_a_new_seating_order_sets_the_next_round():
    state, _ = act(room(), HANA, Move(HANA, 3))

    state, _ = act(state, HANA, StartRound())

    assert state.holder.participant_id == ADA
    assert state.queue == (BO, CY, HANA)


def test_reseating_leaves_removed_people_out():
    state, _ = act(room(), HANA, Remove(ADA))
    state, events = act(state, HANA, Move(CY, 0))

    assert events[0]["participants"] == [CY, HANA, BO]
    state, _ = act(state, None, NEWCOMER)
    assert [p["participant_id"] for p in public_state(state)["participants"]] == [CY, HANA, BO, 5]


@pytest.mark.parametrize("position", [-1, "0", 1.5, None])
def test_move_refuses_odd_positions(position):
    assert refusal(room(), HANA, Move(ADA, position)).code == "bad_request"


def test_muting_the_holder_ends_their_turn():
    state, events = act(with_turn(ADA, waiting=[BO]), HANA, Mute(ADA))

    assert types(events) == ["participant_muted", "turn_ended", "turn_started"]
    assert events[1]["reason"] == "muted"
    assert state.holder.participant_id == BO


def test_muting_takes_a_raised_hand_down():
    state, events = act(with_turn(ADA, waiting=[BO, CY]), HANA, Mute(BO))

    assert types(events) == ["participant_muted", "queue"]
    assert state.queue == (CY,)


def test_a_muted_participant_cannot_raise_a_hand():
    state, _ = act(room(), HANA, Mute(ADA))

    assert refusal(state, ADA, RaiseHand()).code == "muted"


def test_facilitators_cannot_be_muted():
    state, _ = act(room(), None, Join(201, "Fay", "facilitator"))

    refused = refusal(state, HANA, Mute(5))

    assert (refused.code, refused.message) == ("forbidden", "Facilitators can't be muted.")


def test_mute_and_unmute_are_safe_to_repeat():
    state = room()
    assert act(state, HANA, Unmute(ADA)) == (state, [])

    state, events = act(state, HANA, Mute(ADA))
    assert types(events) == ["participant_muted"]
    assert act(state, HANA, Mute(ADA)) == (state, [])

    state, events = act(state, HANA, Unmute(ADA))
    assert events == [{"type": "participant_unmuted", "seq": state.seq, "participant_id": ADA}]


def test_removing_the_holder_ends_their_turn():
    state, events = act(with_turn(ADA, waiting=[BO]), HANA, Remove(ADA))

    assert types(events) == ["participant_removed", "turn_ended", "turn_started"]
    assert events[1]["reason"] == "removed"
    assert not state.participant(ADA).present


def test_removing_someone_takes_them_out_of_the_queue_and_the_circle():
    state, events = act(with_turn(ADA, waiting=[BO, CY]), HANA, Remove(BO))

    assert types(events) == ["participant_removed", "queue"]
    assert BO not in [p["participant_id"] for p in public_state(state)["participants"]]


def test_removing_someone_twice_changes_nothing():
    state, _ = act(room(), HANA, Remove(ADA))

    assert act(state, HANA, Remove(ADA)) == (state, [])


def test_a_facilitator_cannot_remove_themselves_or_another_facilitator():
    state, _ = act(room(), None, Join(201, "Fay", "facilitator"))

    assert refusal(state, HANA, Remove(HANA)).code == "bad_request"
    assert refusal(state, HANA, Remove(5)).code == "forbidden"


def test_the_system_may_remove_someone_banned_from_the_circle():
    _, events = act(room(), None, Remove(ADA))

    assert types(events) == ["participant_removed"]


def test_the_system_may_remove_a_facilitator_banned_from_the_circle():
    state, _ = act(room(), None, Join(201, "Fay", "facilitator"))
    fay = state.participant_for_user(201).participant_id

    _, events = act(state, None, Remove(fay))

    assert types(events) == ["participant_removed"]


def test_the_system_may_mute_and_unmute_someone_muted_in_the_circle():
    state, events = act(room(), None, Mute(ADA))
    assert types(events) == ["participant_muted"]

    _, events = act(state, None, Unmute(ADA))
    assert types(events) == ["participant_unmuted"]


@pytest.mark.parametrize(
    "command", [Grant(42), Move(42, 0), Mute(42), Unmute(42), Remove(42)], ids=repr
)
def test_unknown_people_are_not_found(command):
    assert refusal(room(), HANA, command).code == "not_found"


def test_removed_people_are_not_found():
    state, _ = act(room(), HANA, Remove(ADA))

    assert refusal(state, HANA, Mute(ADA)).code == "not_found"


def test_lock_and_unlock_are_safe_to_repeat():
    state, events = act(room(), HANA, Lock())
    assert events == [
        {
            "type": "room",
            "seq": state.seq,
            "status": "live",
            "mode": "queue",
            "locked": True,
            "turn_seconds": 180,
        }
    ]
    assert act(state, HANA, Lock()) == (state, [])

    state, _ = act(state, HANA, Unlock())
    assert act(state, HANA, Unlock()) == (state, [])


def test_set_mode_accepts_only_known_modes():
    state, events = act(room(), HANA, SetMode("round"))

    assert events[0]["mode"] == "round"
    assert act(state, HANA, SetMode("round")) == (state, [])
    assert refusal(state, HANA, SetMode("free_for_all")).code == "bad_request"


# --- Starting and ending -----------------------------------------------------------------------


def test_start_is_safe_to_repeat():
    state = room()

    assert act(state, HANA, Start()) == (state, [])


def test_a_paused_room_is_resumed_not_started():
    state, _ = act(room(), HANA, Pause())

    assert refusal(state, HANA, Start()).code == "bad_request"


def test_ending_the_room_ends_the_turn_and_clears_the_queue():
    state, events = act(with_turn(ADA, waiting=[BO]), HANA, End())

    assert types(events) == ["turn_ended", "queue", "room"]
    assert events[0]["reason"] == "room_ended"
    assert events[2]["status"] == "ended"
    assert (state.holder, state.queue) == (None, ())


def test_ending_twice_changes_nothing():
    state, _ = act(room(), HANA, End())

    assert act(state, HANA, End()) == (state, [])


def test_an_ended_room_cannot_start_again():
    state, _ = act(room(), HANA, End())

    assert refusal(state, HANA, Start()).code == "bad_request"


@pytest.mark.parametrize(
    ("who", "command"),
    [(ADA, RaiseHand()), (ADA, LowerHand()), (ADA, Share("Hi")), (ADA, React(1, "heard"))]
    + [(HANA, c) for c in MODERATOR_COMMANDS if not isinstance(c, Start | End)],
    ids=repr,
)
def test_an_ended_room_refuses_everything_else(who, command):
    state, _ = act(shared(), HANA, End())

    assert refusal(state, who, command).code == "room_not_live"


def test_an_ended_room_still_counts_people_leaving():
    state, _ = act(room(), HANA, End())

    _, events = act(state, None, Disconnect(ADA))

    assert types(events) == ["left"]


def test_a_late_timer_after_the_end_is_a_no_op():
    state, _ = act(with_turn(ADA), HANA, End())

    assert act(state, None, Expire(1), seconds=500) == (state, [])


def test_the_system_may_end_the_room():
    _, events = act(room(), None, End())

    assert events[-1]["status"] == "ended"


# --- Need support and sync -----------------------------------------------------------------------


def test_need_support_is_checked_but_never_applied():
    state = room()

    assert check_need_support(state, Actor(ADA)).display_name == "Ada"
    assert refusal(state, ADA, NeedSupport("I'm struggling")).code == "bad_request"


def test_need_support_needs_someone_connected_and_not_removed():
    state, _ = act(room(), HANA, Remove(ADA))
    state, _ = act(state, None, Disconnect(BO))

    for who in (ADA, BO, 42, None):
        with pytest.raises(Refused) as caught:
            check_need_support(state, Actor(who))
        assert caught.value.code == "forbidden"


def test_a_report_needs_a_visible_share():
    state = shared()

    assert check_report(state, Actor(BO), 1).participant_id == ADA
    state, _ = act(state, HANA, Hide(1))
    with pytest.raises(Refused) as caught:
        check_report(state, Actor(BO), 1)
    assert caught.value.code == "not_found"


def test_sync_changes_nothing_even_when_the_room_has_ended():
    state, _ = act(room(), HANA, End())

    assert act(state, ADA, Sync()) == (state, [])


def test_apply_needs_an_aware_now():
    with pytest.raises(ValueError, match="aware"):
        apply(room(), Actor(ADA), RaiseHand(), datetime(2025, 3, 1, 18, 0))  # noqa: DTZ001


# --- Snapshots and storage -----------------------------------------------------------------------


def rich_state() -> RoomState:
    """A paused room with shares, reactions, a hidden share, a mute, a removal and a lock."""
    state = with_turn(ADA, waiting=[BO])
    state, _ = act(state, ADA, Share("One"), seconds=5)
    state, _ = act(state, ADA, Share("Two", "loss"), seconds=6)
    state, _ = act(state, BO, React(1, "heard"))
    state, _ = act(state, CY, React(1, "me_too"))
    state, _ = act(state, HANA, Hide(2))
    state, _ = act(state, HANA, Mute(CY))
    state, _ = act(state, None, NEWCOMER)
    state, _ = act(state, HANA, Remove(5))
    state, _ = act(state, HANA, Lock())
    state, _ = act(state, None, Disconnect(ADA), seconds=7.25)
    state, _ = act(state, HANA, Pause(), seconds=8.5)
    return state


def test_state_survives_a_json_round_trip_exactly():
    state = rich_state()

    stored = json.loads(json.dumps(state.to_json()))

    assert RoomState.from_json(stored) == state


def test_a_live_turn_with_grace_survives_a_json_round_trip():
    state, _ = act(with_turn(ADA), None, Disconnect(ADA), seconds=3.5)

    assert RoomState.from_json(json.loads(json.dumps(state.to_json()))) == state


def test_the_public_state_never_reveals_user_ids_or_removed_people():
    state = rich_state()

    snapshot = public_state(state)

    assert snapshot["seq"] == state.seq
    assert snapshot["room"] == {
        "status": "paused",
        "mode": "queue",
        "locked": True,
        "turn_seconds": 180,
    }
    assert snapshot["holder"] == {
        "participant_id": ADA,
        "turn_id": 1,
        "deadline": None,
        "remaining": 171.5,
    }
    assert snapshot["queue"] == [BO]
    assert [p["participant_id"] for p in snapshot["participants"]] == [HANA, ADA, BO, CY]
    assert snapshot["participants"][3] == {
        "participant_id": CY,
        "display_name": "Cy",
        "role": "member",
        "present": True,
        "muted": True,
        "away": False,
    }
    assert "user_id" not in json.dumps(snapshot)


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(REFUSAL_MESSAGES))
def test_every_refusal_has_a_calm_message(code):
    refused = Refused(code)

    assert refused.code == code
    assert refused.message.endswith(".")
    assert refused.message[0].isupper()


def test_an_unknown_refusal_code_is_a_bug():
    with pytest.raises(ValueError, match="oops"):
        Refused("oops")
