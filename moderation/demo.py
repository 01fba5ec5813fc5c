"""Demo data for seed_demo (see hearth/demo.py)."""

from moderation.actions import file_report
from moderation.defaults import ensure_safety_defaults


def seed(context: dict) -> list[str]:
    lines = []
    created = ensure_safety_defaults()
    if created:
        lines.append(f"Moderation: added {created} default crisis phrases and blocked words.")
    users = context.get("users", {})
    circle = context.get("demo_circle")
    if circle is not None and "sam" in users and "jo" in users:
        report = file_report(
            users["sam"],
            target=users["jo"],
            reason="other",
            note="Testing the queue",
            circle=circle,
        )
        context["demo_report"] = report
        lines.append(
            f"Moderation: a sample open report in {circle.name} is waiting at /moderation/ "
            "(log in as the host or staff)."
        )
    return lines
