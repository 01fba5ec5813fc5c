"""Who may signal whom, and what a voice frame may say (docs/voice.md).

Plain rules over the room's state: ``parse`` checks a frame's shape, ``check`` whether
the room lets it through, ``forwarded`` is what its addressee receives. The speaker is
the one person who may be heard: the holder, under the rules that let them ``share``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hearth.refusal import Refused
from meetings.room import limits
from meetings.room.frames import VOICE_FRAMES
from meetings.room.protocol import is_storable_text
from meetings.room.rules import RoomState
from meetings.room.voice import sdp as sdp_gate

FRAME_TYPES = tuple(VOICE_FRAMES)
_WITH_SDP = tuple(t for t, fields in VOICE_FRAMES.items() if "sdp" in fields)

# Voice's own words for codes every refusal shares (``hearth.refusal``): said about voice.
VOICE_WORDS = {
    "bad_request": "That voice message wasn't understood.",
    "forbidden": "Only the person holding the talking piece can be heard.",
    "not_found": "That person isn't in the circle right now.",
}


def voice_refused(code: str, message: str | None = None) -> Refused:
    """The one refusal type, in voice's words unless the caller has its own."""
    return Refused(code, message or VOICE_WORDS.get(code))


@dataclass(frozen=True)
class VoiceFrame:
    """A voice frame as sent: ``candidate`` is None for a hang-up, an offer, an answer and
    for the end of candidates."""

    type: str
    to: int
    sdp: str | None = None
    candidate: dict[str, Any] | None = None


def is_voice_frame(data: object) -> bool:
    return isinstance(data, dict) and data.get("type") in FRAME_TYPES


def parse(data: dict[str, Any]) -> VoiceFrame:
    """The frame's fields, checked for shape and size; refuses ``bad_request``."""
    frame_type = data["type"]
    to = data.get("to")
    if not isinstance(to, int) or isinstance(to, bool):
        raise voice_refused("bad_request", "The field 'to' must be a participant's id.")
    if frame_type in _WITH_SDP:
        return VoiceFrame(frame_type, to, sdp=_sdp_of(data))
    if frame_type == "voice_ice":
        if "candidate" not in data:
            raise voice_refused("bad_request", "The field 'candidate' is required (null ends).")
        return VoiceFrame(frame_type, to, candidate=_candidate_of(data["candidate"]))
    return VoiceFrame(frame_type, to)


def _sdp_of(data: dict[str, Any]) -> str:
    sdp = data.get("sdp")
    if not isinstance(sdp, str) or not sdp:
        raise voice_refused("bad_request", "The field 'sdp' must be a session description.")
    if len(sdp) > limits.MAX_VOICE_SDP_CHARS:
        raise voice_refused(
            "bad_request",
            f"A session description can be up to {limits.MAX_VOICE_SDP_CHARS} characters.",
        )
    return sdp


def _candidate_of(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise voice_refused("bad_request", "The field 'candidate' must be an object or null.")
    candidate = value.get("candidate")
    if not _is_text(candidate, limits.MAX_ICE_CANDIDATE_CHARS):
        raise voice_refused(
            "bad_request",
            f"A candidate is text of up to {limits.MAX_ICE_CANDIDATE_CHARS} characters.",
        )
    mid, index, fragment = (value.get(k) for k in ("sdpMid", "sdpMLineIndex", "usernameFragment"))
    for name, text in (("sdpMid", mid), ("usernameFragment", fragment)):
        if text is not None and not _is_text(text, limits.MAX_ICE_FIELD_CHARS):
            raise voice_refused("bad_request", f"The candidate's {name!r} must be short text.")
    if index is not None and (
        not isinstance(index, int)
        or isinstance(index, bool)
        or not 0 <= index <= limits.MAX_ICE_MLINE_INDEX
    ):
        raise voice_refused(
            "bad_request",
            f"The candidate's 'sdpMLineIndex' must be 0 to {limits.MAX_ICE_MLINE_INDEX}.",
        )
    return {
        "candidate": candidate,
        "sdpMid": mid,
        "sdpMLineIndex": index,
        "usernameFragment": fragment,
    }


def _is_text(value: object, max_chars: int) -> bool:
    return isinstance(value, str) and len(value) <= max_chars and is_storable_text(value)


def speaker_of(state: RoomState) -> int | None:
    """Who may be heard now: the holder while the room is live, present and not muted."""
    holder = state.holder
    if state.status != "live" or holder is None:
        return None
    participant = state.participant(holder.participant_id)
    if participant is None or not participant.can_hold_piece:
        return None
    return participant.participant_id


def voice_seats(state: RoomState, max_voices: int) -> tuple[int, ...]:
    """Who has voice: the first ``max_voices`` present people, in seat order."""
    present = sorted((p for p in state.participants if p.present), key=lambda p: p.seat)
    return tuple(p.participant_id for p in present[:max_voices])


def check(
    state: RoomState, sender_id: int, frame: VoiceFrame, *, enabled: bool, max_voices: int
) -> None:
    """Refuse (``Refused``) a frame the room does not let through; return if it may go."""
    if not enabled:
        raise voice_refused("voice_off")
    if frame.to == sender_id:
        raise voice_refused("forbidden", "Voice connects you with someone else.")
    sender = state.participant(sender_id)
    if sender is None or not sender.present:
        raise voice_refused("forbidden")
    addressee = state.participant(frame.to)
    if addressee is None or not addressee.present:
        raise voice_refused("not_found")
    seats = voice_seats(state, max_voices)
    if sender_id not in seats or frame.to not in seats:
        raise voice_refused(
            "voice_full",
            f"Voice is full in this circle ({max_voices} people). "
            "You can follow and share in text.",
        )
    if frame.type == "voice_hangup":
        return
    speaker = speaker_of(state)
    if speaker is None or speaker not in (sender_id, frame.to):
        raise voice_refused("forbidden")
    if frame.sdp is not None:
        _check_sdp(frame.sdp, may_send=sender_id == speaker)


def _check_sdp(text: str, *, may_send: bool) -> None:
    try:
        sections = sdp_gate.media_sections(text)
    except sdp_gate.NotSdp as error:
        raise voice_refused("bad_request", str(error)) from error
    if sdp_gate.other_media(sections):
        raise voice_refused("forbidden", "Voice in the circle carries sound only.")
    if not may_send and sdp_gate.lets_sender_send(sections):
        raise voice_refused("forbidden")


def forwarded(frame: VoiceFrame, sender_id: int) -> dict[str, Any]:
    """What the addressee receives: the frame, from its sender."""
    message: dict[str, Any] = {"type": frame.type, "from": sender_id}
    for name in VOICE_FRAMES[frame.type]:
        message[name] = getattr(frame, name)
    return message
