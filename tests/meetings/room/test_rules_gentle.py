"""Gentle facilitation in the rules: nudges (checked, never stored), reminders of one
agreement, and who has not shared yet (facilitators' eyes only)."""

import pytest

from meetings.room.commands import Actor, EndTurn, Grant, Nudge, Remind, Remove, Share, StartRound
from meetings.room.limits import MAX_REMINDER_CHARS
from meetings.room.public import not_shared_yet, public_state
from meetings.room.rules import Refused, check_nudge
from tests.meetings.room.test_rules import ADA, BO, CY, HANA, act, refusal, room, types


def shared(state, *speakers):
    """``speakers`` each take the piece from Hana, share and hand it back."""
    for who in speakers:
        state, _ = act(state, HANA, Grant(who))
        state, _ = act(state, who, Share("Something of mine."))
        state, _ = act(state, who, EndTurn())
    return state


# --- Nudges ------------------------------------------------------------------------------


def test_a_facilitator_may_nudge_the_holder_and_learns_who_it_is():
    state, _ = act(room(), HANA, Grant(BO))

    assert check_nudge(state, Actor(HANA)).participant_id == BO


def test_a_nudge_without_a_holder_is_a_bad_request():
    with pytest.raises(Refused) as caught:
        check_nudge(room(), Actor(HANA))
    assert caught.value.code == "bad_request"


def test_a_member_may_not_nudge():
    state, _ = act(room(), HANA, Grant(BO))

    with pytest.raises(Refused) as caught:
        check_nudge(state, Actor(ADA))
    assert caught.value.code == "forbidden"


def test_a_nudge_is_never_a_change_to_the_room():
    state, _ = act(room(), HANA, Grant(BO))

    assert refusal(state, HANA, Nudge("default-1")).code == "bad_request"


# --- Reminders -------------------------------------------------------------------------------


def test_a_reminder_is_broadcast_with_the_next_seq():
    state = room()

    new, events = act(state, HANA, Remind("  We listen without fixing.  "))

    assert events == [
        {"type": "agreement_reminder", "seq": state.seq + 1, "text": "We listen without fixing."}
    ]
    assert public_state(new) == {**public_state(state), "seq": state.seq + 1}


def test_a_reminder_works_before_the_circle_starts():
    _, events = act(room(start=False), HANA, Remind("We listen."))

    assert types(events) == ["agreement_reminder"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "bad_request"), ("   ", "bad_request"), ("x" * (MAX_REMINDER_CHARS + 1), "too_long")],
    ids=["empty", "blank", "too long"],
)
def test_a_bad_reminder_is_refused(text, code):
    assert refusal(room(), HANA, Remind(text)).code == code


def test_a_member_may_not_remind_the_room():
    assert refusal(room(), ADA, Remind("We listen.")).code == "forbidden"


# --- Who has not shared yet -------------------------------------------------------------------


def test_everyone_seated_has_not_shared_at_first():
    assert not_shared_yet(room()) == [HANA, ADA, BO, CY]


def test_sharing_takes_someone_off_the_list_and_a_removal_too():
    state = shared(room(), BO)
    state, _ = act(state, HANA, Remove(CY))

    assert not_shared_yet(state) == [HANA, ADA]


def test_not_shared_yet_is_never_in_the_public_state():
    assert "not_shared_yet" not in public_state(shared(room(), ADA))


def test_a_round_in_seating_order_by_default():
    state = shared(room(), ADA)

    _, events = act(state, HANA, StartRound())

    assert events[-1]["participant_id"] == HANA
    assert events[-1]["queue"] == [ADA, BO, CY]


def test_a_round_can_put_those_who_have_not_shared_first():
    state = shared(room(), ADA, BO)

    _, events = act(state, HANA, StartRound("not_shared_first"))

    assert types(events) == ["queue", "turn_started"]
    assert events[-1]["participant_id"] == HANA
    assert events[-1]["queue"] == [CY, ADA, BO]


def test_not_shared_first_keeps_seating_order_within_each_group():
    state = shared(room(), CY, ADA)

    _, events = act(state, HANA, StartRound("not_shared_first"))

    assert events[-1]["participant_id"] == HANA
    assert events[-1]["queue"] == [BO, ADA, CY]


def test_an_unknown_round_order_is_refused():
    assert refusal(room(), HANA, StartRound("loudest_first")).code == "bad_request"
