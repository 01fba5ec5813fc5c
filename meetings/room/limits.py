"""Every limit of the talking circle, declared once, each with why it is what it is.

Plain values and no imports, so anything may use it: the rules, the socket's edge, the
models, the forms, the settings module and (through ``for_the_page``) the templates and
the JavaScript, which never write a limit of their own.
"""

# --- The talking piece -----------------------------------------------------------------

# Long enough to say one thing; a circle of ten at the shortest still goes round quickly.
MIN_TURN_SECONDS = 30
# Thirty minutes: past that one person's turn has become the meeting.
MAX_TURN_SECONDS = 1800
# Three minutes: enough to be heard, short enough that everyone gets a turn in an hour.
DEFAULT_TURN_SECONDS = 180
# A facilitator's "one more minute" when they don't say how much.
DEFAULT_EXTEND_SECONDS = 60
# Ten minutes at a time, so a turn grows by the facilitator's choice, never by a slip.
MAX_EXTEND_SECONDS = 600
# A holder whose connection dropped keeps the piece this long: a phone changing network.
GRACE_SECONDS = 30
# Someone away this long leaves the queue (keeping their seat) so the queue keeps moving.
AWAY_QUEUE_SECONDS = 300
# The holder's countdown turns urgent (seen and announced) at this many seconds left.
LOW_TIME_SECONDS = 30

# --- What people write -----------------------------------------------------------------

# About a page: room to tell what happened, and short enough for the circle to take in.
MAX_SHARE_CHARS = 4000
# One line that warns before the share is opened; the share itself says the rest.
MAX_CONTENT_WARNING_CHARS = 200
# A facilitator's reminder of one group agreement: a few sentences at most.
MAX_REMINDER_CHARS = 300
# A facilitator's gentle private word to the holder is one line.
MAX_NUDGE_CHARS = 200
# A note with "I need support" or a report: enough to say what is wrong, not a letter.
MAX_NOTE_CHARS = 1000

# --- The socket ------------------------------------------------------------------------

# A client's reference for a command; a UUID is 36, so 64 leaves room and bounds storage.
MAX_REF_CHARS = 64
# The longest frame: a longest share fits even as JSON escapes (12 bytes a character).
MAX_FRAME_BYTES = 64 * 1024
# Frames per account per window (``settings.ROOM_RATE_LIMIT_FRAMES`` may raise it for
# load tests): a person typing, reacting and passing never meets it, a runaway script does.
RATE_LIMIT_FRAMES = 20
# The window of the rate budget above.
RATE_LIMIT_SECONDS = 10
# A refusal's words are kept with the command they answered (``CommandRecord.message``)
# to answer a re-send the same way; every refusal message is far shorter than this.
MAX_STORED_REFUSAL_CHARS = 300

# --- The room's life -------------------------------------------------------------------

# A room nobody ended closes this long after its meeting's scheduled end: a circle that
# runs over is not cut off, and a forgotten room does not stay open for ever.
ROOM_CLOSES_MINUTES_AFTER_END = 30


def for_the_page() -> dict:
    """The limits the room page's templates and JavaScript need (by ``json_script``)."""
    return {
        "min_turn_seconds": MIN_TURN_SECONDS,
        "max_turn_seconds": MAX_TURN_SECONDS,
        "low_time_seconds": LOW_TIME_SECONDS,
        "max_share_chars": MAX_SHARE_CHARS,
        "max_content_warning_chars": MAX_CONTENT_WARNING_CHARS,
        "max_note_chars": MAX_NOTE_CHARS,
    }
