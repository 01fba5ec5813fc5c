"""The rules for support alerts, a holder's held clock and people who drop out (issue 11)."""

import pytest

from meetings.room.commands import (
    AcknowledgeSupport,
    ClearAway,
    Disconnect,
    End,
    EndTurn,
    Expire,
    Extend,
    Join,
    OpenAlert,
    Pass,
    Pause,
    RaiseHand,
    Resume,
    SupportClosed,
)
from meetings.room.limits import AWAY_QUEUE_SECONDS, GRACE_SECONDS
from meetings.room.public import open_alerts, public_state
from meetings.room.rules import next_deadline
from meetings.room.values import RoomState
from tests.meetings.room.test_rules import (
    ADA,
    BO,
    CY,
    HANA,
    act,
    at,
    refusal,
    room,
    types,
    with_turn,
)


def asks(participant_id=ADA, name="Ada", note="", reason="need_support"):
    return OpenAlert(reason, name, participant_id, note)


# --- Alerts --------------------------------------------------------------------------------------


def test_a_support_request_opens_a_numbered_alert_and_tells_the_room_nothing():
    state, events = act(room(), None, asks(note="I'm struggling"), seconds=5)

    assert events == []
    assert open_alerts(state) == [
        {
            "alert_id": 1,
            "reason": "need_support",
            "participant_id": ADA,
            "display_name": "Ada",
            "note": "I'm struggling",
            "share_id": None,
            "created_at": at(5).isoformat(),
            "holds_piece": False,
        }
    ]
    assert "alerts" not in public_state(state)


def test_someone_never_seated_can_open_an_alert():
    state, _ = act(room(), None, OpenAlert("need_support", "Eve", None))

    assert open_alerts(state)[0]["participant_id"] is None


def test_alerts_open_in_an_ended_room_too():
    ended, _ = act(room(), HANA, End())

    state, _ = act(ended, None, asks())

    assert [a["alert_id"] for a in open_alerts(state)] == [1]


def test_a_facilitator_acknowledges_an_alert_and_its_note_is_dropped():
    state, _ = act(room(), None, asks(note="please"))
    state, _ = act(state, None, asks(BO, "Bo"))

    state, events = act(state, HANA, AcknowledgeSupport(1))

    assert events == []
    assert [a["alert_id"] for a in open_alerts(state)] == [2]
    assert state.alert(1).acknowledged_by == (HANA, "Hana")
    assert state.alert(1).note == ""


def test_a_second_acknowledgement_changes_nothing():
    state, _ = act(room(), None, asks())
    state, _ = act(state, HANA, AcknowledgeSupport(1))

    again, events = act(state, HANA, AcknowledgeSupport(1))

    assert again == state
    assert events == []


def test_a_member_cannot_acknowledge_an_alert():
    state, _ = act(room(), None, asks())

    assert refusal(state, BO, AcknowledgeSupport(1)).code == "forbidden"


@pytest.mark.parametrize("alert_id", [9, 0, "1"])
def test_an_unknown_alert_is_refused(alert_id):
    state, _ = act(room(), None, asks())

    assert refusal(state, HANA, AcknowledgeSupport(alert_id)).code in {"not_found", "bad_request"}


def test_a_member_cannot_open_an_alert_as_the_server():
    assert refusal(room(), ADA, asks()).code == "forbidden"


def test_an_unknown_reason_is_refused():
    assert refusal(room(), None, asks(reason="panic")).code == "bad_request"


# --- The holder's clock --------------------------------------------------------------------------


def test_the_holders_request_holds_their_clock_while_the_room_stays_live():
    state, events = act(with_turn(ADA, waiting=[BO]), None, asks(), seconds=100)

    assert state.status == "live"
    assert types(events) == ["turn_paused"]
    assert events[0]["deadline"] is None
    assert events[0]["remaining"] == 80
    assert state.holder.held
    assert open_alerts(state)[0]["holds_piece"] is True


def test_a_held_clock_never_runs_out():
    state, _ = act(with_turn(ADA, waiting=[BO]), None, asks(), seconds=100)

    assert next_deadline(state) is None
    later, events = act(state, None, Expire(1), seconds=4000)
    assert events == []
    assert later.holder.participant_id == ADA


def test_closing_the_dialog_runs_the_clock_again_with_the_time_that_was_left():
    state, _ = act(with_turn(ADA), None, asks(), seconds=100)

    state, events = act(state, ADA, SupportClosed(), seconds=400)

    assert types(events) == ["turn_resumed"]
    assert state.holder.deadline == at(480)
    assert not state.holder.held


def test_closing_the_dialog_twice_or_without_holding_changes_nothing():
    state, _ = act(with_turn(ADA), None, asks(), seconds=100)
    state, _ = act(state, ADA, SupportClosed(), seconds=110)

    again, events = act(state, ADA, SupportClosed(), seconds=120)
    assert events == [] and again == state
    _, events = act(state, BO, SupportClosed(), seconds=120)
    assert events == []


def test_the_holder_may_pass_while_their_clock_is_held():
    state, _ = act(with_turn(ADA, waiting=[BO]), None, asks(), seconds=100)

    state, events = act(state, ADA, Pass(), seconds=150)

    assert types(events) == ["turn_ended", "turn_started"]
    assert state.holder.participant_id == BO
    assert not state.holder.held


def test_the_holder_may_keep_the_piece_and_end_their_turn_later():
    state, _ = act(with_turn(ADA, waiting=[BO]), None, asks(), seconds=100)
    state, _ = act(state, ADA, SupportClosed(), seconds=200)

    state, events = act(state, ADA, EndTurn(), seconds=210)

    assert events[0]["reason"] == "ended"


def test_someone_elses_request_leaves_the_holders_clock_running():
    state, events = act(with_turn(ADA), None, asks(BO, "Bo"), seconds=10)

    assert events == []
    assert not state.holder.held
    assert state.holder.deadline is not None


def test_a_held_holder_who_drops_still_loses_the_piece_after_the_grace():
    state, _ = act(with_turn(ADA, waiting=[BO]), None, asks(), seconds=100)
    state, _ = act(state, None, Disconnect(ADA), seconds=110)

    assert next_deadline(state) == (1, at(110 + GRACE_SECONDS))
    state, events = act(state, None, Expire(1), seconds=110 + GRACE_SECONDS)
    assert events[0]["reason"] == "disconnected"
    assert state.holder.participant_id == BO


def test_a_pause_and_resume_keep_a_held_clock_held():
    state, _ = act(with_turn(ADA), None, asks(), seconds=100)

    state, _ = act(state, HANA, Pause(), seconds=110)
    state, events = act(state, HANA, Resume(), seconds=120)

    assert "turn_resumed" not in types(events)
    assert state.holder.held and state.holder.deadline is None
    state, events = act(state, ADA, SupportClosed(), seconds=130)
    assert state.holder.deadline == at(130 + 80)


def test_a_request_in_a_paused_room_holds_the_clock_after_resume():
    state, _ = act(with_turn(ADA), HANA, Pause(), seconds=100)

    state, events = act(state, None, asks(), seconds=110)
    assert events == []
    state, _ = act(state, HANA, Resume(), seconds=120)

    assert state.holder.held and state.holder.remaining == 80


def test_extending_a_held_turn_adds_to_the_time_left():
    state, _ = act(with_turn(ADA), None, asks(), seconds=100)

    state, _ = act(state, HANA, Extend(60), seconds=110)

    assert state.holder.remaining == 140


# --- People who drop out -------------------------------------------------------------------------


def dropped(waiting=(BO, CY), *, seconds=10):
    """A live queue room where Ada holds the piece, ``waiting`` queue up and Bo drops."""
    state = with_turn(ADA, waiting=list(waiting))
    state, _ = act(state, None, Disconnect(BO), seconds=seconds)
    return state


def test_someone_who_drops_is_away_once_the_grace_has_passed():
    state = dropped()
    assert not state.participant(BO).away
    assert next_deadline(state) == (1, at(10 + GRACE_SECONDS))

    state, events = act(state, None, Expire(1), seconds=10 + GRACE_SECONDS)

    assert events == [{"type": "participant_away", "seq": state.seq, "participant_id": BO}]
    assert public_state(state)["participants"][2]["away"] is True


def test_someone_away_is_passed_over_when_their_turn_comes():
    state, _ = act(dropped(), None, Expire(1), seconds=10 + GRACE_SECONDS)

    state, _ = act(state, ADA, EndTurn(), seconds=60)

    assert state.holder.participant_id == CY
    assert state.queue == (BO,)


def test_someone_away_leaves_the_queue_after_five_minutes():
    state, _ = act(dropped(), None, Expire(1), seconds=10 + GRACE_SECONDS)
    state, _ = act(state, ADA, EndTurn(), seconds=60)
    assert state.participant(BO).leave_queue_at == at(10 + AWAY_QUEUE_SECONDS)
    state, _ = act(state, CY, EndTurn(), seconds=70)
    assert next_deadline(state) == (0, at(10 + AWAY_QUEUE_SECONDS))

    state, events = act(state, None, Expire(0), seconds=10 + AWAY_QUEUE_SECONDS)

    assert types(events) == ["queue"]
    assert state.queue == ()


def test_the_away_deadlines_apply_exactly_once():
    state, _ = act(dropped(), None, Expire(1), seconds=400)

    again, events = act(state, None, Expire(1), seconds=401)

    assert events == [] and again == state


def test_the_away_deadlines_apply_even_when_nobody_holds_the_piece():
    state = room()
    state, _ = act(state, BO, RaiseHand())
    state, _ = act(state, None, Disconnect(BO), seconds=5)  # Bo held it and dropped
    state, _ = act(state, None, Expire(1), seconds=40)
    assert state.holder is None
    state, _ = act(state, ADA, RaiseHand(), seconds=41)

    assert next_deadline(state)[0] == state.holder.turn_id


def test_coming_back_clears_away_and_keeps_the_place_in_the_queue():
    state, _ = act(dropped(), None, Expire(1), seconds=10 + GRACE_SECONDS)

    state, events = act(state, None, Join(103, "Bo", "member"), seconds=100)

    assert events[0]["participant"]["away"] is False
    assert state.queue == (BO, CY)
    assert state.participant(BO).leave_queue_at is None


def test_a_facilitator_clears_someone_away_from_the_queue():
    state = dropped()

    state, events = act(state, HANA, ClearAway(BO), seconds=20)

    assert types(events) == ["queue"]
    assert state.queue == (CY,)


def test_clearing_someone_who_is_here_is_refused():
    assert refusal(dropped(), HANA, ClearAway(CY)).code == "bad_request"


def test_a_member_cannot_clear_anyone():
    assert refusal(dropped(), CY, ClearAway(BO)).code == "forbidden"


def test_an_ended_room_has_no_away_deadlines():
    state, _ = act(dropped(), HANA, End(), seconds=20)

    assert next_deadline(state) is None


def test_the_state_keeps_alerts_and_away_people_through_json():
    state, _ = act(dropped(), None, asks(), seconds=20)
    state, _ = act(state, HANA, AcknowledgeSupport(1), seconds=25)
    state, _ = act(state, None, Expire(1), seconds=45)

    assert RoomState.from_json(state.to_json()) == state


def test_a_state_saved_before_issue_11_still_loads():
    stored = room().to_json()
    for person in stored["participants"]:
        for key in ("away", "away_at", "leave_queue_at"):
            del person[key]
    del stored["alerts"], stored["next_alert_id"]

    assert RoomState.from_json(stored) == room()
