"""Gentle facilitation: the nudges a facilitator may send the holder, and the lines of
the group agreements they may remind the room of.

A circle's nudges are the defaults below unless its hosts (through the Django admin)
wrote their own list (``NudgeText``). A nudge is chosen by ``text_id``: ``"default-<n>"``
for the defaults, ``"<pk>"`` for the circle's own. Nothing here touches the room's state.
"""

from __future__ import annotations

import re

DEFAULT_NUDGES = (
    "A minute left — take your time to finish.",
    "Remember we share from our own experience, not advice.",
    "Let's come back to the topic.",
)

_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SPACE = re.compile(r"\s+")


def nudge_texts(circle) -> dict[str, str]:
    """The circle's nudges as ``{text_id: text}``, in the order facilitators see them."""
    from meetings.room.models import NudgeText

    own = NudgeText.objects.filter(circle=circle).order_by("position", "pk")
    texts = {str(nudge.pk): nudge.text for nudge in own}
    if texts:
        return texts
    return {f"default-{n}": text for n, text in enumerate(DEFAULT_NUDGES, start=1)}


def current_agreements(circle) -> str:
    """The text of the circle's current agreements ('' when it has none)."""
    version = circle.agreement_versions.filter(version=circle.agreements_version).first()
    return version.text if version is not None else ""


def agreement_lines(circle) -> list[str]:
    """The non-blank lines of the current agreements, without list markers or Markdown
    emphasis, for a facilitator to pick one to remind the room of."""
    lines = []
    for raw in current_agreements(circle).splitlines():
        line = _clean(raw)
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def agreement_line(circle, text: str) -> str | None:
    """The line of the circle's agreements that ``text`` names (compared normalised:
    spacing, list markers and case aside), or None."""
    wanted = _key(text)
    if not wanted:
        return None
    return next((line for line in agreement_lines(circle) if _key(line) == wanted), None)


def _clean(text: str) -> str:
    text = _LIST_MARKER.sub("", text)
    text = text.replace("**", "").replace("__", "")
    return _SPACE.sub(" ", text).strip()


def _key(text: str) -> str:
    return _clean(text).casefold()
