"""``python -m bench``: every benchmark Hearth has. ``BENCH_ONLY=voice`` runs some."""

import os

from bench import fanout, voice

BENCHES = {"fanout": fanout.main, "voice": voice.main}

for name in os.environ.get("BENCH_ONLY", ",".join(BENCHES)).split(","):
    BENCHES[name.strip()]()
