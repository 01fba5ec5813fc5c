"""Panels on the member's home page, contributed by the apps that own them.

Higher apps register a panel at start-up; each is a template and a function that
builds its context from the request.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable


_panels: list[Panel] = []


def register_panel(order: int, template: str, context: Callable) -> None:
    _panels.append(Panel(order, template, context))
    _panels.sort(key=lambda panel: panel.order)


def panels_for(request) -> list[dict]:
    return [{"template": panel.template, **panel.context(request)} for panel in _panels]
