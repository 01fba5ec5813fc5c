"""Recurrence for meeting series, with dateutil's ``rrule`` in the series' own time zone.

The rule runs on *local* wall-clock times (an aware ``dtstart`` in the series' zone), so a
meeting at 19:00 in Europe/Berlin stays at 19:00 local when the clocks change; only its
UTC instant moves. Each occurrence is then converted to UTC for storage.
"""

import zoneinfo
from datetime import UTC, datetime

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

WEEKLY_RULE = "weekly"
BIWEEKLY_RULE = "biweekly"
MONTHLY_RULE = "monthly"


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def nth_weekday(local_start: datetime) -> weekday:
    """The "same weekday" of a monthly series: the 2nd Tuesday, or the last one if it is
    the 5th (not every month has a 5th Tuesday)."""
    nth = (local_start.day - 1) // 7 + 1
    return weekday(local_start.weekday(), -1 if nth == 5 else nth)


def build_rule(frequency: str, first_start: datetime, time_zone: str) -> rrule:
    local_start = first_start.astimezone(zone_of(time_zone))
    if frequency == WEEKLY_RULE:
        return rrule(WEEKLY, interval=1, dtstart=local_start)
    if frequency == BIWEEKLY_RULE:
        return rrule(WEEKLY, interval=2, dtstart=local_start)
    if frequency == MONTHLY_RULE:
        return rrule(MONTHLY, dtstart=local_start, byweekday=nth_weekday(local_start))
    raise ValueError(f"Unknown frequency: {frequency!r}")


def occurrences(
    frequency: str,
    first_start: datetime,
    time_zone: str,
    *,
    after: datetime,
    before: datetime,
    until: datetime | None = None,
) -> list[datetime]:
    """Aware UTC starts of the rule in ``[after, before)`` (and before ``until``, if set)."""
    zone = zone_of(time_zone)
    rule = build_rule(frequency, first_start, time_zone)
    end = min(before, until) if until else before
    starts = rule.between(after.astimezone(zone), end.astimezone(zone), inc=True)
    # ``between`` is inclusive at both ends; the window is half-open.
    return [start.astimezone(UTC) for start in starts if start.astimezone(UTC) < end]
