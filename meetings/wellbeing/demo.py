"""Demo data for ``seed_demo``: a few approved strategies in the demo circle's toolbox.

Called from ``meetings.demo.seed(context)`` (or ``hearth.demo``) after the circles are
seeded: reads ``context["demo_circle"]`` (falling back to the first of
``context["circles"]``) and the demo ``users``. Safe to run again: a strategy with the
same text in the same circle is not added twice.
"""

from django.utils import timezone

from meetings.wellbeing.models import Strategy

STRATEGIES = [
    (
        "alex",
        "evenings",
        "When the evening gets heavy, I text one person before 8pm. "
        "Just “thinking of you” is enough.",
    ),
    (
        "sam",
        "sleep",
        "If I can't sleep, I get up, make a warm drink and write three lines in a notebook. "
        "Then I try again.",
    ),
    (
        "jo",
        "anniversaries",
        "On the hard dates I plan one small thing in advance, like a walk to the place "
        "we liked, so the day has a shape.",
    ),
    ("alex", "mornings", "I open the curtains before I look at my phone. Light first, news later."),
    (
        "sam",
        "panic",
        "Breathing out for longer than I breathe in, four counts in and six out, "
        "slows everything down for me.",
    ),
    (
        "jo",
        "loneliness",
        "I keep a short list of people who said “call me anytime”, and I believe them "
        "a little more each time I call.",
    ),
]


def _demo_circle(context: dict):
    circle = context.get("demo_circle")
    if circle is None:
        circles = context.get("circles")
        if isinstance(circles, dict):
            circles = list(circles.values())
        circle = circles[0] if circles else None
    return circle


def seed(context: dict) -> list[str]:
    circle = _demo_circle(context)
    if circle is None:
        return []
    users = context.get("users", {})
    reviewer = users.get("host") or users.get("facilitator")
    now = timezone.now()
    added = 0
    for who, tag, text in STRATEGIES:
        _, created = Strategy.objects.get_or_create(
            circle=circle,
            text=text,
            defaults={
                "author": users.get(who),
                "tag": tag,
                "state": Strategy.State.APPROVED,
                "reviewed_by": reviewer,
                "reviewed_at": now,
            },
        )
        added += created
    context["toolbox_strategies"] = Strategy.objects.filter(circle=circle).count()
    return [f"Toolbox of {circle.name}: {added} strategies added ({len(STRATEGIES)} in the demo)."]
