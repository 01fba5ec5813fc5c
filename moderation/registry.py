"""Handlers higher apps register so moderation can act on their content without importing
them (ARCHITECTURE.md section 1).

Meetings registers its shares at start-up, in ``MeetingsConfig.ready()``::

    from moderation.registry import register_content_handler
    register_content_handler("meetings.share", hide=hide_share, describe=describe_share)

It also registers how to name its meetings (``register_meeting_lookup``), so the queue
shows a safety event's meeting by its title, with a link, instead of "#11".

``hide(object_id, actor) -> None`` hides the content everywhere (and tells open rooms);
it must be safe to call twice. ``describe(object_id) -> dict | None`` optionally returns
the content's current state for the queue, e.g. ``{"hidden": True, "exists": True}``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentHandler:
    label: str
    hide: Callable[[int, object], None]
    describe: Callable[[int], dict | None] | None = None


_handlers: dict[str, ContentHandler] = {}


def register_content_handler(
    content_type_label: str,
    *,
    hide: Callable[[int, object], None],
    describe: Callable[[int], dict | None] | None = None,
) -> None:
    """Register (or replace) the handler for ``app_label.model``, e.g. ``meetings.share``."""
    label = content_type_label.lower()
    _handlers[label] = ContentHandler(label=label, hide=hide, describe=describe)


def unregister_content_handler(content_type_label: str) -> None:
    _handlers.pop(content_type_label.lower(), None)


def handler_for(content_type_label: str) -> ContentHandler | None:
    return _handlers.get(content_type_label.lower())


# --- Follow-ups offered next to safety events in the queue -----------------------------------

SafetyEventLinks = Callable[[object, list], dict[int, dict]]
_safety_event_links: list[SafetyEventLinks] = []


def register_safety_event_links(lookup: SafetyEventLinks) -> None:
    """Meetings offers "Send a follow-up" next to safety events in the queue:
    ``lookup(user, events) -> {event_id: {"url", "link_text", "thread_url", "status"}}``."""
    if lookup not in _safety_event_links:
        _safety_event_links.append(lookup)


def safety_event_links(user, events: list) -> dict[int, dict]:
    found: dict[int, dict] = {}
    for lookup in _safety_event_links:
        found.update(lookup(user, events))
    return found


# Meetings, named for the queue: ``lookup(ids) -> {id: {"title": ..., "url": ...}}``.
_meeting_lookup: Callable[[set[int]], dict[int, dict]] | None = None


def register_meeting_lookup(lookup: Callable[[set[int]], dict[int, dict]]) -> None:
    global _meeting_lookup
    _meeting_lookup = lookup


def describe_meetings(ids) -> dict[int, dict]:
    """``{id: {"title", "url"}}`` for the meetings that still exist (empty without a lookup)."""
    ids = {meeting_id for meeting_id in ids if meeting_id}
    if not ids or _meeting_lookup is None:
        return {}
    return _meeting_lookup(ids)
