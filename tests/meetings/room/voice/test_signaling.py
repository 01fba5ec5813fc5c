"""Who may signal whom, judged from the room's state under the rules of ``share``."""

from datetime import UTC, datetime

import pytest

from hearth.refusal import REFUSAL_MESSAGES, Refused
from meetings.room.rules import Holder, Participant, RoomState
from meetings.room.voice.signaling import (
    VOICE_WORDS,
    VoiceFrame,
    check,
    forwarded,
    parse,
    speaker_of,
    voice_refused,
    voice_seats,
)
from tests.meetings.room.voice.sdp_samples import data_channel_section, offer

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
HOLDER, LISTENER, OTHER = 1, 2, 3
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
SENDING = {"sendrecv", "sendonly"}


def person(pid: int, **fields) -> Participant:
    return Participant(
        pid, 100 + pid, f"P{pid}", "member", **{"seat": pid - 1, "connections": 1, **fields}
    )


def room(*people: Participant, holder: int | None = HOLDER, status: str = "live") -> RoomState:
    people = people or (person(HOLDER), person(LISTENER), person(OTHER))
    held = None if holder is None else Holder(holder, 7, T0, None, None)
    return RoomState(status=status, participants=people, holder=held)


def judge(state, sender, frame, *, enabled=True, max_voices=12):
    check(state, sender, frame, enabled=enabled, max_voices=max_voices)


def refusal_code(state, sender, frame, **options) -> str | None:
    try:
        judge(state, sender, frame, **options)
    except Refused as refusal:
        return refusal.code
    return None


def sdp_frame(kind: str, to: int, direction: str) -> VoiceFrame:
    return VoiceFrame(kind, to, sdp=offer(direction))


# --- The SDP gate: every direction x holder, non-holder, muted, removed --------------------


@pytest.mark.parametrize("kind", ["voice_offer", "voice_answer"])
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_the_holder_may_send_in_any_direction(kind, direction):
    assert refusal_code(room(), HOLDER, sdp_frame(kind, LISTENER, direction)) is None


@pytest.mark.parametrize("kind", ["voice_offer", "voice_answer"])
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_listener_to_the_holder_may_only_receive(kind, direction):
    code = refusal_code(room(), LISTENER, sdp_frame(kind, HOLDER, direction))
    assert code == ("forbidden" if direction in SENDING else None)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_muted_holder_is_no_speaker_in_any_direction(direction):
    state = room(person(HOLDER, muted=True), person(LISTENER), person(OTHER))
    assert speaker_of(state) is None
    assert (
        refusal_code(state, HOLDER, sdp_frame("voice_answer", LISTENER, direction)) == "forbidden"
    )
    assert refusal_code(state, LISTENER, sdp_frame("voice_offer", HOLDER, direction)) == "forbidden"


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_removed_holder_is_no_speaker_and_cannot_be_reached(direction):
    state = room(person(HOLDER, removed=True), person(LISTENER), person(OTHER))
    assert speaker_of(state) is None
    assert (
        refusal_code(state, HOLDER, sdp_frame("voice_answer", LISTENER, direction)) == "forbidden"
    )
    assert refusal_code(state, LISTENER, sdp_frame("voice_offer", HOLDER, direction)) == "not_found"


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_listeners_never_signal_each_other_in_any_direction(direction):
    for kind in ("voice_offer", "voice_answer"):
        assert refusal_code(room(), LISTENER, sdp_frame(kind, OTHER, direction)) == "forbidden"
    ice = VoiceFrame("voice_ice", OTHER, candidate=None)
    assert refusal_code(room(), LISTENER, ice) == "forbidden"


@pytest.mark.parametrize("status", ["open", "paused", "ended"])
def test_with_the_room_not_live_nobody_is_the_speaker(status):
    state = room(status=status)
    assert speaker_of(state) is None
    frame = sdp_frame("voice_answer", LISTENER, "sendonly")
    assert refusal_code(state, HOLDER, frame) == "forbidden"


def test_with_nobody_holding_the_piece_offers_are_refused():
    state = room(holder=None)
    assert (
        refusal_code(state, LISTENER, sdp_frame("voice_offer", HOLDER, "recvonly")) == "forbidden"
    )


def test_a_holder_whose_connection_dropped_is_no_speaker():
    state = room(person(HOLDER, connections=0), person(LISTENER), person(OTHER))
    assert speaker_of(state) is None


def test_video_and_data_channels_are_refused_even_from_the_holder():
    video = offer("sendonly").replace("m=audio", "m=video")
    data = offer("recvonly") + data_channel_section()
    for sdp in (video, data):
        frame = VoiceFrame("voice_answer", LISTENER, sdp=sdp)
        assert refusal_code(room(), HOLDER, frame) == "forbidden"


def test_text_that_is_not_sdp_is_a_bad_request():
    frame = VoiceFrame("voice_offer", HOLDER, sdp="hello")
    assert refusal_code(room(), LISTENER, frame) == "bad_request"


# --- Who may signal whom ----------------------------------------------------------------


def test_ice_candidates_pass_between_the_speaker_and_a_listener_both_ways():
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host"}
    assert (
        refusal_code(room(), LISTENER, VoiceFrame("voice_ice", HOLDER, candidate=candidate)) is None
    )
    assert refusal_code(room(), HOLDER, VoiceFrame("voice_ice", LISTENER, candidate=None)) is None


def test_a_hang_up_reaches_anyone_present_even_after_the_piece_moved():
    state = room(holder=OTHER)
    assert refusal_code(state, LISTENER, VoiceFrame("voice_hangup", HOLDER)) is None
    assert (
        refusal_code(
            room(holder=None, status="paused"), HOLDER, VoiceFrame("voice_hangup", LISTENER)
        )
        is None
    )


def test_nobody_signals_themselves():
    assert refusal_code(room(), HOLDER, VoiceFrame("voice_hangup", HOLDER)) == "forbidden"


def test_someone_absent_or_unknown_cannot_be_reached():
    state = room(person(HOLDER), person(LISTENER), person(OTHER, connections=0))
    assert refusal_code(state, HOLDER, VoiceFrame("voice_hangup", OTHER)) == "not_found"
    assert refusal_code(state, HOLDER, VoiceFrame("voice_hangup", 99)) == "not_found"


def test_a_circle_with_voice_off_refuses_every_voice_frame():
    frame = sdp_frame("voice_offer", HOLDER, "recvonly")
    assert refusal_code(room(), LISTENER, frame, enabled=False) == "voice_off"
    assert refusal_code(room(), LISTENER, VoiceFrame("voice_hangup", HOLDER), enabled=False) == (
        "voice_off"
    )


# --- The cap ----------------------------------------------------------------------------


def test_the_first_present_people_in_seat_order_have_voice():
    people = (
        person(1, seat=1),
        person(2, seat=2, connections=0),
        person(3, seat=3),
        person(4, seat=0),
        person(5, seat=4, removed=True),
    )
    state = RoomState(status="live", participants=people)
    assert voice_seats(state, 2) == (4, 1)
    assert voice_seats(state, 12) == (4, 1, 3)


def test_someone_beyond_the_cap_is_told_voice_is_full_either_way():
    state = room()
    offer_frame = sdp_frame("voice_offer", HOLDER, "recvonly")
    answer = sdp_frame("voice_answer", OTHER, "sendonly")
    assert refusal_code(state, OTHER, offer_frame, max_voices=2) == "voice_full"
    assert refusal_code(state, HOLDER, answer, max_voices=2) == "voice_full"
    assert refusal_code(state, LISTENER, offer_frame, max_voices=2) is None
    with pytest.raises(Refused) as refused:
        judge(state, OTHER, offer_frame, max_voices=2)
    assert "(2 people)" in refused.value.message


# --- Shape and what is forwarded --------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"type": "voice_offer", "sdp": "v=0"},
        {"type": "voice_offer", "to": "2", "sdp": "v=0"},
        {"type": "voice_offer", "to": True, "sdp": "v=0"},
        {"type": "voice_offer", "to": 2},
        {"type": "voice_answer", "to": 2, "sdp": ""},
        {"type": "voice_answer", "to": 2, "sdp": "v=0\r\n" + "a=x\r\n" * 4000},
        {"type": "voice_ice", "to": 2},
        {"type": "voice_ice", "to": 2, "candidate": "candidate:1"},
        {"type": "voice_ice", "to": 2, "candidate": {"candidate": "x" * 1001}},
        {"type": "voice_ice", "to": 2, "candidate": {"candidate": "c\x00"}},
        {"type": "voice_ice", "to": 2, "candidate": {"candidate": "c", "sdpMLineIndex": 64}},
        {"type": "voice_ice", "to": 2, "candidate": {"candidate": "c", "sdpMid": 0}},
    ],
    ids=lambda data: repr(data)[:50],
)
def test_a_malformed_voice_frame_is_a_bad_request(data):
    with pytest.raises(Refused) as refused:
        parse(data)
    assert refused.value.code == "bad_request"


def test_the_addressee_gets_the_frame_from_its_sender_and_nothing_else():
    sdp = offer("recvonly")
    frame = parse({"type": "voice_offer", "to": HOLDER, "sdp": sdp, "ref": "r1", "extra": 1})
    assert forwarded(frame, LISTENER) == {"type": "voice_offer", "from": LISTENER, "sdp": sdp}
    ice = parse(
        {
            "type": "voice_ice",
            "to": HOLDER,
            "candidate": {"candidate": "candidate:1", "sdpMid": "0", "sdpMLineIndex": 0},
        }
    )
    assert forwarded(ice, LISTENER) == {
        "type": "voice_ice",
        "from": LISTENER,
        "candidate": {
            "candidate": "candidate:1",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
            "usernameFragment": None,
        },
    }
    end = parse({"type": "voice_ice", "to": HOLDER, "candidate": None})
    assert forwarded(end, LISTENER) == {"type": "voice_ice", "from": LISTENER, "candidate": None}
    assert forwarded(parse({"type": "voice_hangup", "to": 1}), 2) == {
        "type": "voice_hangup",
        "from": 2,
    }


def test_every_voice_refusal_has_words_for_people():
    for code in (
        "bad_request",
        "forbidden",
        "not_found",
        "voice_off",
        "voice_full",
        "rate_limited",
    ):
        refusal = voice_refused(code)
        assert isinstance(refusal, Refused) and refusal.message.strip()
        assert refusal.message == VOICE_WORDS.get(code, REFUSAL_MESSAGES[code])
    with pytest.raises(ValueError):
        voice_refused("no_such_code")
