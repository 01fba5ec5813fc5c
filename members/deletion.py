"""What a member is told before deleting their account, from the apps above members.

members never imports them: circles registers here the circles a member hosts alone, so
the delete page asks them to hand each over first, or to confirm that it passes to site
staff. The deletion itself never leaves a circle unhosted silently (``circles.actions.
pass_to_staff``, connected to the user's ``pre_delete``).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Handover:
    """Something the member looks after alone: its name and where to hand it over."""

    name: str
    url: str


_providers: list[Callable] = []


def register_handovers(provider: Callable) -> None:
    """``provider(user) -> list[Handover]``, called when the delete page is shown."""
    _providers.append(provider)


def handovers_of(user) -> list[Handover]:
    return [handover for provider in _providers for handover in provider(user)]
