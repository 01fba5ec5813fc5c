"""``python -m bench``: every benchmark Hearth has. ``BENCH_ONLY=meeting,rsvp`` runs some."""

import os

from bench import fanout, meeting, rsvp, voice

BENCHES = {"fanout": fanout.main, "meeting": meeting.main, "rsvp": rsvp.main, "voice": voice.main}

for name in os.environ.get("BENCH_ONLY", ",".join(BENCHES)).split(","):
    BENCHES[name.strip()]()
