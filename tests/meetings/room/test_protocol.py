import pytest

from meetings.room.commands import (
    AcknowledgeSupport,
    ClearAway,
    End,
    EndTurn,
    Extend,
    Grant,
    Hide,
    Lock,
    LowerHand,
    Move,
    Mute,
    NeedSupport,
    Nudge,
    Pass,
    Pause,
    RaiseHand,
    React,
    Remind,
    Remove,
    Report,
    Resume,
    SetMode,
    SetTurnSeconds,
    Share,
    Skip,
    Start,
    StartRound,
    SupportClosed,
    Sync,
    Unlock,
    Unmute,
)
from meetings.room.frames import CLIENT_FRAMES
from meetings.room.protocol import error_frame, parse_client_frame, ref_of
from meetings.room.rules import Refused

VALID_FRAMES = [
    ({"type": "sync"}, Sync()),
    ({"type": "raise_hand"}, RaiseHand()),
    ({"type": "lower_hand"}, LowerHand()),
    ({"type": "share", "text": "Thank you all."}, Share("Thank you all.")),
    (
        {"type": "share", "text": "About my dad.", "content_warning": "loss"},
        Share("About my dad.", "loss"),
    ),
    ({"type": "end_turn"}, EndTurn()),
    ({"type": "pass"}, Pass()),
    ({"type": "react", "share_id": 3, "kind": "heard"}, React(3, "heard")),
    ({"type": "report", "share_id": 3, "reason": "harassment"}, Report(3, "harassment")),
    (
        {"type": "report", "share_id": 3, "reason": "other", "note": "Unkind."},
        Report(3, "other", "Unkind."),
    ),
    ({"type": "need_support"}, NeedSupport()),
    ({"type": "need_support", "note": "Can someone DM me?"}, NeedSupport("Can someone DM me?")),
    ({"type": "start"}, Start()),
    ({"type": "pause"}, Pause()),
    ({"type": "resume"}, Resume()),
    ({"type": "end"}, End()),
    ({"type": "start_round"}, StartRound()),
    ({"type": "start_round", "order": "not_shared_first"}, StartRound("not_shared_first")),
    ({"type": "set_mode", "mode": "queue"}, SetMode("queue")),
    ({"type": "set_turn_seconds", "seconds": 120}, SetTurnSeconds(120)),
    ({"type": "extend"}, Extend()),
    ({"type": "extend", "seconds": 30}, Extend(30)),
    ({"type": "grant", "participant_id": 2}, Grant(2)),
    ({"type": "skip"}, Skip()),
    ({"type": "move", "participant_id": 2, "position": 0}, Move(2, 0)),
    ({"type": "mute", "participant_id": 2}, Mute(2)),
    ({"type": "unmute", "participant_id": 2}, Unmute(2)),
    ({"type": "remove", "participant_id": 2}, Remove(2)),
    ({"type": "lock"}, Lock()),
    ({"type": "unlock"}, Unlock()),
    ({"type": "hide", "share_id": 3}, Hide(3)),
    ({"type": "nudge", "text_id": "default-1"}, Nudge("default-1")),
    ({"type": "remind", "text": "We listen."}, Remind("We listen.")),
    ({"type": "support_closed"}, SupportClosed()),
    ({"type": "acknowledge_support", "alert_id": 4}, AcknowledgeSupport(4)),
    ({"type": "clear_away", "participant_id": 3}, ClearAway(3)),
]


@pytest.mark.parametrize(("frame", "command"), VALID_FRAMES, ids=lambda v: repr(v)[:60])
def test_every_client_type_parses(frame, command):
    assert parse_client_frame(frame) == (command, None)


def test_every_declared_frame_type_is_exercised():
    assert {frame["type"] for frame, _ in VALID_FRAMES} == set(CLIENT_FRAMES)


def test_the_ref_comes_back_with_the_command():
    assert parse_client_frame({"type": "raise_hand", "ref": "r-17"}) == (RaiseHand(), "r-17")


def test_extra_keys_are_ignored():
    frame = {"type": "grant", "participant_id": 2, "colour": "teal", "seconds": "x"}

    assert parse_client_frame(frame) == (Grant(2), None)


def test_a_null_optional_field_takes_its_default():
    assert parse_client_frame({"type": "extend", "seconds": None, "ref": None}) == (
        Extend(),
        None,
    )


def test_values_are_passed_on_for_the_rules_to_judge():
    """Ranges and lengths are the rules' business; the edge checks only types."""
    assert parse_client_frame({"type": "move", "participant_id": -4, "position": -1}) == (
        Move(-4, -1),
        None,
    )


MALFORMED = [
    ([], "JSON object"),
    ("raise_hand", "JSON object"),
    (None, "JSON object"),
    (7, "JSON object"),
    ({}, "'type'"),
    ({"type": 5}, "'type'"),
    ({"type": None}, "'type'"),
    ({"type": "dance"}, "'dance'"),
    ({"type": "RAISE_HAND"}, "'RAISE_HAND'"),
    ({"type": "share"}, "'text'"),
    ({"type": "share", "text": 42}, "'text'"),
    ({"type": "share", "text": "Hi", "content_warning": ["cw"]}, "'content_warning'"),
    ({"type": "react", "share_id": 3}, "'kind'"),
    ({"type": "react", "share_id": "3", "kind": "heard"}, "'share_id'"),
    ({"type": "react", "share_id": True, "kind": "heard"}, "'share_id'"),
    ({"type": "react", "share_id": 3.0, "kind": "heard"}, "'share_id'"),
    ({"type": "report", "share_id": 3}, "'reason'"),
    ({"type": "need_support", "note": 1}, "'note'"),
    ({"type": "set_mode", "mode": None}, "'mode'"),
    ({"type": "set_turn_seconds", "seconds": "60"}, "'seconds'"),
    ({"type": "extend", "seconds": False}, "'seconds'"),
    ({"type": "grant"}, "'participant_id'"),
    ({"type": "move", "participant_id": 2}, "'position'"),
    ({"type": "move", "participant_id": 2, "position": "top"}, "'position'"),
    ({"type": "mute", "participant_id": [2]}, "'participant_id'"),
    ({"type": "unmute", "participant_id": {"id": 2}}, "'participant_id'"),
    ({"type": "remove", "participant_id": 2.5}, "'participant_id'"),
    ({"type": "hide", "share_id": None}, "'share_id'"),
    ({"type": "sync", "ref": 12}, "'ref'"),
    ({"type": "sync", "ref": "r" * 65}, "'ref'"),
    # Text no database keeps and no UTF-8 frame carries back, refused on every database.
    ({"type": "share", "text": "a\x00b"}, "'text'"),
    ({"type": "share", "text": "a\ud800b"}, "'text'"),
    ({"type": "share", "text": "Hi.", "content_warning": "\x00"}, "'content_warning'"),
    ({"type": "share", "text": "Hi.", "content_warning": "\udfff"}, "'content_warning'"),
    ({"type": "need_support", "note": "help\x00"}, "'note'"),
    ({"type": "need_support", "note": "help\udc00"}, "'note'"),
    ({"type": "report", "share_id": 1, "reason": "other", "note": "\x00"}, "'note'"),
    ({"type": "report", "share_id": 1, "reason": "\ud83d", "note": "x"}, "'reason'"),
    ({"type": "remind", "text": "We listen.\x00"}, "'text'"),
    ({"type": "nudge", "text_id": "default-1\x00"}, "'text_id'"),
    ({"type": "react", "share_id": 1, "kind": "heard\ud800"}, "'kind'"),
    ({"type": "set_mode", "mode": "\x00queue"}, "'mode'"),
    ({"type": "start_round", "order": "seating\udfff"}, "'order'"),
    ({"type": "sync", "ref": "r\x00"}, "'ref'"),
    ({"type": "sync", "ref": "\ud800"}, "'ref'"),
]


@pytest.mark.parametrize(("frame", "named"), MALFORMED, ids=lambda v: repr(v)[:60])
def test_a_malformed_frame_is_a_bad_request_that_names_the_problem(frame, named):
    with pytest.raises(Refused) as caught:
        parse_client_frame(frame)

    assert caught.value.code == "bad_request"
    assert named in caught.value.message


def test_a_ref_of_the_longest_allowed_length_is_fine():
    assert parse_client_frame({"type": "sync", "ref": "r" * 64}) == (Sync(), "r" * 64)


def test_a_share_may_hold_any_real_character_astral_ones_included():
    text = "Thank you 🙏 — merci, 谢谢, \u200d\t\n"
    assert parse_client_frame({"type": "share", "text": text}) == (Share(text), None)


def test_ref_of_recovers_a_valid_ref_from_a_bad_frame():
    assert ref_of({"type": "dance", "ref": "r-1"}) == "r-1"
    assert ref_of({"type": "sync", "ref": 12}) is None
    assert ref_of({"type": "sync", "ref": "r" * 65}) is None
    assert ref_of({"type": "dance", "ref": "\ud800"}) is None
    assert ref_of({"type": "dance", "ref": "\x00"}) is None
    assert ref_of(["not", "a", "frame"]) is None


def test_error_frame_carries_the_code_message_and_ref():
    assert error_frame("muted", "A facilitator has muted you for now.", "r-3") == {
        "type": "error",
        "code": "muted",
        "message": "A facilitator has muted you for now.",
        "ref": "r-3",
    }


def test_error_frame_without_a_ref():
    assert error_frame("bad_request", "That request wasn't understood.")["ref"] is None
