"""What a session description (SDP, RFC 8866) would let its sender do with sound.

Judged strictly: whatever a browser might read as a direction that lets its sender send
counts as sending. A media section's direction is its own ``a=`` direction attribute, else
the session-level one, else ``sendrecv`` (the default). Lines are split on LF, as
browsers do; a bare CR or another control character makes the text not SDP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
SENDING = frozenset({"sendrecv", "sendonly"})
DEFAULT_DIRECTION = "sendrecv"

_NOT_SDP_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


class NotSdp(ValueError):
    """The text is not a session description this gate can judge."""


@dataclass(frozen=True)
class MediaSection:
    """One ``m=`` section: its media (``audio``, ``video``, ``application``) and direction."""

    media: str
    direction: str


def media_sections(sdp: str) -> list[MediaSection]:
    """Every media section of ``sdp`` with the direction it ends up with."""
    if _NOT_SDP_TEXT.search(sdp):
        raise NotSdp("A session description holds only text lines.")
    lines = [line.removesuffix("\r") for line in sdp.split("\n")]
    if lines[0] != "v=0":
        raise NotSdp("A session description starts with 'v=0'.")
    session_direction: str | None = None
    sections: list[list] = []  # [media, direction or None]
    for line in lines[1:]:
        if line.startswith("m="):
            sections.append([line[2:].split(" ", 1)[0], None])
            continue
        direction = _direction_of(line)
        if direction is None:
            continue
        if not sections:
            if session_direction is not None:
                raise NotSdp("The session states its direction twice.")
            session_direction = direction
        elif sections[-1][1] is not None:
            raise NotSdp("A media section states its direction twice.")
        else:
            sections[-1][1] = direction
    default = session_direction or DEFAULT_DIRECTION
    return [MediaSection(media, direction or default) for media, direction in sections]


def _direction_of(line: str) -> str | None:
    """The direction an ``a=`` line states, read loosely (case, trailing blanks)."""
    if not line.startswith("a="):
        return None
    value = line[2:].rstrip().lower()
    return value if value in DIRECTIONS else None


def lets_sender_send(sections: list[MediaSection]) -> bool:
    """Whether any audio section would carry its sender's sound."""
    return any(s.media == "audio" and s.direction in SENDING for s in sections)


def other_media(sections: list[MediaSection]) -> list[str]:
    """Media other than audio (video, data channels): voice carries sound only."""
    return sorted({s.media for s in sections if s.media != "audio"})
