"""Calendar files (iCalendar, RFC 5545) for one meeting and for a member's private feed."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event, vText

from meetings.models import RSVP, CalendarFeed, Meeting
from meetings.series import zone_of

FEED_TOKEN_PATTERN = r"[A-Za-z0-9_-]{32,64}"  # noqa: S105 - a shape, not a secret
FEED_PAST_DAYS = 60


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "hearth"


def _text(value: str) -> vText:
    """Every text value goes out as an iCalendar TEXT, escaped by the library (line breaks,
    commas, semicolons). icalendar does not know X- properties such as X-WR-CALNAME and
    would write them raw, so a line break in a circle's name could add properties to the
    file; nothing people wrote reaches a calendar without passing here."""
    return vText(value)


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{_host()}"


def meeting_event(meeting: Meeting) -> Event:
    """One VEVENT. Times carry the zone the meeting was planned in (with its VTIMEZONE),
    so calendars keep the local time across a daylight-saving change; SEQUENCE is the
    meeting's revision, so an edited or cancelled meeting replaces the old entry."""
    zone = zone_of(meeting.time_zone)
    url = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.revision)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated_at)
    event.add("summary", _text(f"{meeting.title} · {meeting.circle.name}"))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("url", url)
    description = meeting.description.strip()
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
        description = f"Cancelled: {meeting.cancel_reason}\n\n{description}".strip()
    else:
        event.add("status", "CONFIRMED")
    event.add("description", _text(f"{description}\n\n{url}".strip()))
    return event


def calendar_for(meetings, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Hearth//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _text(name))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_meetings(user):
    """Meetings the member goes to or facilitates, from two months back; cancelled ones
    stay in the feed (as CANCELLED) so calendars remove them."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    going = RSVP.objects.filter(user=user, response=RSVP.Response.GOING).values("meeting_id")
    return (
        Meeting.objects.filter(Q(pk__in=going) | Q(facilitators=user), starts_at__gte=since)
        .select_related("circle")
        .distinct()
        .order_by("starts_at")
    )


def feed_for(user) -> CalendarFeed:
    """The member's feed, created on first use."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    except IntegrityError:
        return CalendarFeed.objects.get(user=user)


def reset_feed(user) -> CalendarFeed:
    """A new secret: the old feed address stops working at once."""
    feed = feed_for(user)
    CalendarFeed.objects.filter(pk=feed.pk).update(
        token=secrets.token_urlsafe(32), created_at=timezone.now()
    )
    feed.refresh_from_db()
    return feed
