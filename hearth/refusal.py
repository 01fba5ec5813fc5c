"""One way to say no: ``Refused(code, message)``, raised by every app's actions and rules.

``code`` is for programs (a view's status, the room's ``error`` frame, a test); ``message``
is for people and defaults to the words declared for the code below. Every code is declared
once, here, with its words: the room's socket sends the same codes (docs/protocol.md). Plain
Python, no Django: the room's rules raise it too. Views answer a refusal with
``hearth.refusal_views``; the room's consumer with an ``error`` frame.
"""

from __future__ import annotations

REFUSAL_MESSAGES = {
    "bad_request": "That request wasn't understood.",
    "forbidden": "You don't have permission to do that.",
    "not_your_turn": "Please wait until you hold the talking piece.",
    "muted": "A facilitator has muted you for now.",
    "room_not_live": "The circle isn't in session right now.",
    "too_long": "That's longer than the circle allows.",
    "not_found": "We couldn't find that in this circle.",
    "rate_limited": "That was a lot at once. Please wait a moment and try again.",
    # The server could not handle the frame (its database or cache away); never a rule's.
    "unavailable": "Something went wrong on our side. Please try again in a moment.",
    "removed": "A facilitator has asked you to leave this circle.",
    "locked": "This circle is closed to new people right now.",
    "closed": "This circle has ended.",
    # Someone else changed the same thing first (a report already handled, agreements
    # that changed while they were read): look again, then try again.
    "conflict": "Someone changed this a moment ago. Please look again.",
    # Voice (docs/voice.md): the circle has it off, or more people than its cap are present.
    "voice_off": "Voice is off in this circle. You can follow and share in text.",
    "voice_full": "Voice is full in this circle. You can follow and share in text.",
}

# The HTTP status a view answers each code with; any other code (a ``conflict`` too: the
# person looks again and sends again) is a 400.
HTTP_STATUS = {
    "forbidden": 403,
    "voice_off": 403,
    "removed": 403,
    "not_found": 404,
    "rate_limited": 429,
    "unavailable": 503,
}


class Refused(Exception):
    """An action or command that is not allowed, or whose input is wrong; nothing changed."""

    def __init__(self, code: str, message: str | None = None) -> None:
        if code not in REFUSAL_MESSAGES:
            raise ValueError(f"Unknown refusal code {code!r}.")
        self.code = code
        self.message = message or REFUSAL_MESSAGES[code]
        super().__init__(f"{code}: {self.message}")

    def __str__(self) -> str:
        return self.message

    @property
    def status(self) -> int:
        """The HTTP status a page or JSON answer gives this refusal."""
        return HTTP_STATUS.get(self.code, 400)
