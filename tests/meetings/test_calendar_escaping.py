"""What people wrote reaches a calendar file only through icalendar's escaping.

A line break in a circle's name (a crafted POST, before names refused control characters)
made the meeting's calendar.ics answer 500, and under ``python -O``, where icalendar's
assertion is gone, it wrote new properties into the file.
"""

import subprocess
import sys
from pathlib import Path

from icalendar import Calendar

from circles.models import Circle
from meetings.calendar import feed_for
from meetings.models import RSVP, Meeting

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_NAME = "Evil circle\r\nX-INJECTED:1\r\nATTENDEE:mailto:someone@example.org"
HOSTILE_TITLE = "Tuesday\nATTENDEE:mailto:someone@example.org"


def plant(circle, meeting):
    """Write the values past every form, as old data or a bypassed check would be."""
    Circle.objects.filter(pk=circle.pk).update(name=HOSTILE_NAME)
    Meeting.objects.filter(pk=meeting.pk).update(title=HOSTILE_TITLE, description="a\r\nb")


def content_lines(body: bytes) -> list[str]:
    return body.decode().replace("\r\n ", "").split("\r\n")


def assert_nothing_injected(body: bytes):
    lines = content_lines(body)
    assert not [line for line in lines if line.startswith(("X-INJECTED", "ATTENDEE"))]
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert "ATTENDEE" not in event
    return calendar, event


def test_the_meeting_file_escapes_a_line_break_in_the_circle_name(client, member, meeting):
    plant(meeting.circle, meeting)
    client.force_login(member)
    response = client.get(f"/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200
    _, event = assert_nothing_injected(response.content)
    escaped = HOSTILE_NAME.replace("\r\n", "\\n")
    assert f"X-WR-CALNAME:{escaped}" in content_lines(response.content)
    assert str(event["SUMMARY"]).startswith("Tuesday\nATTENDEE")


def test_the_private_feed_escapes_the_same_values(client, member, meeting):
    plant(meeting.circle, meeting)
    RSVP.objects.create(meeting=meeting, user=member, response=RSVP.Response.GOING)
    response = client.get(f"/meetings/feed/{feed_for(member).token}.ics")
    assert response.status_code == 200
    assert_nothing_injected(response.content)


SCRIPT = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
django.setup()
from datetime import datetime, UTC
from circles.models import Circle
from meetings.calendar import calendar_for
from meetings.models import Meeting
circle = Circle(pk=1, name={name!r}, slug="evil")
meeting = Meeting(pk=1, circle=circle, title={title!r}, starts_at=datetime(2030, 1, 1, tzinfo=UTC),
                  updated_at=datetime(2030, 1, 1, tzinfo=UTC))
import sys
sys.stdout.write(calendar_for([meeting], circle.name).decode())
"""


def test_without_assertions_python_O_writes_no_new_property():
    script = SCRIPT.format(name=HOSTILE_NAME, title=HOSTILE_TITLE)
    result = subprocess.run(
        [sys.executable, "-O", "-c", script],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert b"BEGIN:VCALENDAR" in result.stdout
    assert_nothing_injected(result.stdout)


def test_a_plain_meeting_still_reads_as_written(client, member, meeting):
    client.force_login(member)
    calendar = Calendar.from_ical(client.get(f"/meetings/{meeting.pk}/calendar.ics").content)
    assert str(calendar["X-WR-CALNAME"]) == meeting.circle.name
