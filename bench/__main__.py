"""``python -m bench``: every benchmark Hearth has (today, the room's fan-out)."""

from bench.fanout import main

main()
