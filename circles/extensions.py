"""Hooks through which higher apps add to circle pages, so circles never imports them.

``meetings`` registers, in its ``AppConfig.ready``, a batch lookup of each circle's next
meeting (one query for a whole page of circles) and a panel for the circle's page.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

NextMeetingLookup = Callable[[Iterable[int]], dict[int, datetime]]
_next_meeting_lookups: list[NextMeetingLookup] = []
_detail_panels: list[tuple[str, Callable]] = []


def register_next_meeting_lookup(lookup: NextMeetingLookup) -> None:
    _next_meeting_lookups.append(lookup)


def next_meeting_times(circle_ids: Iterable[int]) -> dict[int, datetime]:
    """``{circle_id: start}`` of each circle's next meeting; circles with none are absent."""
    circle_ids = list(circle_ids)
    found: dict[int, datetime] = {}
    for lookup in _next_meeting_lookups:
        for circle_id, starts_at in lookup(circle_ids).items():
            if circle_id not in found or starts_at < found[circle_id]:
                found[circle_id] = starts_at
    return found


def register_detail_panel(template: str, context: Callable) -> None:
    """Add a panel to the circle page: ``context(request, circle) -> dict``."""
    _detail_panels.append((template, context))


def detail_panels(request, circle) -> list[dict]:
    return [
        {"template": template, **context(request, circle)} for template, context in _detail_panels
    ]
