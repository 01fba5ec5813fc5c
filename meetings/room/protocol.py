"""The talking circle's client frames, parsed and checked at the edge.

Every frame a client may send is declared once, in ``meetings.room.frames.CLIENT_FRAMES``:
its type and the command it becomes, whose fields are the frame's. ``parse_client_frame``
turns a decoded JSON value into that command, or raises ``Refused("bad_request")``
naming what is wrong. Only the types are checked here, and that text is text a database
can keep: no text field (nor the ref) may hold a NUL or an unpaired surrogate (JSON's
``"\\ud800"``), which PostgreSQL refuses and no UTF-8 frame can carry back, just as the
HTTP forms refuse them.
What the values mean (ranges, lengths, who may do it) is for the rules.

A frame is a JSON object ``{"type": ..., "ref": ...?, **fields}``. ``ref`` is an optional
string of at most 64 characters that the server echoes in its reply. Unknown keys are
ignored. A ``null`` optional field (or ref) counts as not given.

**Exactly once.** A command that carries a ref is applied at most once per participant
and ref (``meetings.room.store`` keeps a record of each in the same transaction as the
command). Every applied command with a ref is answered, after its own replies, by
``ack_frame``: ``{"type": "ack", "ref", "seq", "repeat"}``, where ``seq`` is the seq of the
command's last event (null when it made none) and ``repeat`` is true when the command had
been applied before and this is the answer to a re-send (``seq`` is then the room's seq
at that moment, which covers the command's events). A refused command's re-send gets
the same ``error`` again. Frames refused before the room looked at them (malformed,
``rate_limited``) are not recorded: a re-send is judged afresh.
"""

from __future__ import annotations

import re
from typing import Any

from meetings.room import frames
from meetings.room.commands import ClientCommand
from meetings.room.frames import CLIENT_FRAMES, FieldSpec
from meetings.room.limits import MAX_REF_CHARS
from meetings.room.rules import Refused

# What no text field may hold: NUL (PostgreSQL refuses it in text; the forms refuse it
# too) and any surrogate code point (a JSON escape left unpaired: it has no UTF-8 form).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


_KIND_NAMES = {int: "a whole number", str: "text"}


def parse_client_frame(data: object) -> tuple[ClientCommand, str | None]:
    """Turn a decoded JSON frame into its command and its ref; refuse anything malformed."""
    if not isinstance(data, dict):
        raise Refused("bad_request", "A frame must be a JSON object.")
    frame_type = data.get("type")
    if not isinstance(frame_type, str):
        raise Refused("bad_request", "A frame needs a 'type', given as text.")
    if frame_type not in CLIENT_FRAMES:
        raise Refused("bad_request", f"Unknown frame type {frame_type[:40]!r}.")
    ref = _parse_ref(data)
    command_class, fields = CLIENT_FRAMES[frame_type]
    return command_class(**_read_fields(data, fields)), ref


def ref_of(data: object) -> str | None:
    """The frame's ref if it has a valid one, else None: to echo in an error about the frame."""
    if not isinstance(data, dict):
        return None
    try:
        return _parse_ref(data)
    except Refused:
        return None


def error_frame(code: str, message: str, ref: str | None = None) -> dict[str, Any]:
    """The frame that tells a client its command was refused."""
    return frames.Error(code, message, ref).frame()


def ack_frame(ref: str, seq: int | None, repeat: bool = False) -> dict[str, Any]:
    """The frame that tells a client its command (sent with ``ref``) was applied: once its
    state reaches ``seq`` (None: the command made no event) it shows the command's
    effect. ``repeat``: it had been applied before, and nothing was done again."""
    return frames.Ack(ref, seq, repeat).frame()


def is_storable_text(value: str) -> bool:
    """Whether ``value`` holds no NUL and no unpaired surrogate."""
    return _UNSTORABLE.search(value) is None


def _parse_ref(data: dict[Any, Any]) -> str | None:
    ref = data.get("ref")
    if ref is not None and (
        not isinstance(ref, str) or len(ref) > MAX_REF_CHARS or not is_storable_text(ref)
    ):
        raise Refused(
            "bad_request",
            f"The field 'ref' must be text of at most {MAX_REF_CHARS} characters"
            " (no NUL, no unpaired surrogate).",
        )
    return ref


def _read_fields(data: dict[Any, Any], fields: tuple[FieldSpec, ...]) -> dict[str, Any]:
    values = {}
    for spec in fields:
        value = data.get(spec.name)
        if value is None:
            if spec.required:
                raise Refused("bad_request", f"The field {spec.name!r} is required.")
            continue
        if not _is_kind(value, spec.kind):
            raise Refused(
                "bad_request", f"The field {spec.name!r} must be {_KIND_NAMES[spec.kind]}."
            )
        if spec.kind is str and not is_storable_text(value):
            raise Refused(
                "bad_request",
                f"The field {spec.name!r} holds a character that can't be kept "
                "(a NUL or an unpaired surrogate).",
            )
        values[spec.name] = value
    return values


def _is_kind(value: object, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
