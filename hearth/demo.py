"""Demo data for ``seed_demo``: each app seeds its own part, in dependency order.

Each app's ``demo.seed(context)`` reads what the apps before it put into ``context``
(``users``, ``circles``, ``demo_circle``, ``open_meeting``...), adds its own, and
returns lines to print.
"""

from circles import demo as circles_demo
from meetings import demo as meetings_demo
from meetings.wellbeing import demo as wellbeing_demo
from members.demo import DEMO_ACCOUNTS, seed_members
from moderation import demo as moderation_demo


def seed_all() -> list[str]:
    context = {"users": seed_members()}
    lines = [f"Demo accounts: {', '.join(email for _, email, *_ in DEMO_ACCOUNTS)}"]
    for app in (circles_demo, moderation_demo, meetings_demo, wellbeing_demo):
        lines += app.seed(context)
    return lines
