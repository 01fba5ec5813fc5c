import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings import actions
from meetings.calendar import feed_for
from meetings.models import RSVP, CalendarFeed


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar):
    return list(calendar.walk("VEVENT"))


def test_one_meeting_as_an_ics_file_with_its_time_zone(client, member, meeting_factory):
    start = datetime(2027, 3, 30, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    meeting = meeting_factory(starts_at=start, time_zone="Europe/Berlin", title="Spring circle")
    client.force_login(member)
    calendar = parse(client.get(f"/meetings/{meeting.pk}/calendar.ics"))
    (event,) = events(calendar)
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == f"Spring circle · {meeting.circle.name}"
    assert event.decoded("DTSTART") == start
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTEND") == start + timedelta(hours=1)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert f"/meetings/{meeting.pk}/" in str(event["URL"])


def test_a_changed_meeting_raises_its_sequence_and_a_cancelled_one_says_so(
    client, facilitator, member, meeting
):
    draft = actions.MeetingDraft(
        title="Renamed", starts_at=meeting.starts_at, facilitators=[facilitator]
    )
    actions.edit_meeting(facilitator, meeting, draft)
    actions.cancel_meeting(facilitator, meeting, "Flooded hall")
    client.force_login(member)
    (event,) = events(parse(client.get(f"/meetings/{meeting.pk}/calendar.ics")))
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert "Flooded hall" in str(event["DESCRIPTION"])


def test_the_private_feed_lists_the_meetings_i_go_to(client, member, facilitator, meeting_factory):
    going = meeting_factory(title="Going", time_zone="America/Chicago")
    cancelled = meeting_factory(title="Called off")
    meeting_factory(title="Not answered")
    old = meeting_factory(title="Long ago", starts_in=-timedelta(days=90))
    actions.rsvp(member, going, "going")
    actions.rsvp(member, cancelled, "going")
    RSVP.objects.create(meeting=old, user=member, response="going")
    actions.cancel_meeting(facilitator, cancelled, "Sorry")
    token = feed_for(member).token
    response = client.get(f"/meetings/feed/{token}.ics")  # no session needed
    calendar = parse(response)
    by_title = {str(event["SUMMARY"]).split(" · ")[0]: event for event in events(calendar)}
    assert set(by_title) == {"Going", "Called off"}
    assert by_title["Called off"]["STATUS"] == "CANCELLED"
    assert by_title["Going"]["DTSTART"].params["TZID"] == "America/Chicago"
    assert by_title["Going"].decoded("DTSTART") == going.starts_at.replace(microsecond=0)


def test_a_facilitator_feed_includes_what_they_facilitate(client, facilitator, meeting):
    calendar = parse(client.get(f"/meetings/feed/{feed_for(facilitator).token}.ics"))
    assert len(events(calendar)) == 1


def test_the_calendar_page_shows_the_feed_address_and_resetting_replaces_it(client, member):
    client.force_login(member)
    text = client.get("/meetings/calendar/").content.decode()
    token = CalendarFeed.objects.get(user=member).token
    assert f"/meetings/feed/{token}.ics" in text
    assert client.get("/meetings/calendar/reset/").status_code == 405
    client.post("/meetings/calendar/reset/")
    new_token = CalendarFeed.objects.get(user=member).token
    assert new_token != token
    assert client.get(f"/meetings/feed/{token}.ics").status_code == 404
    assert client.get(f"/meetings/feed/{new_token}.ics").status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "not a token",
        "%00%00",
        "a" * 31,
        "a" * 65,
        "../../etc/passwd",
        "A" * 43,
        "ünïcødé" * 6,
    ],
)
def test_a_malformed_or_unknown_token_is_not_found(client, member, token):
    feed_for(member)
    response = client.get(f"/meetings/feed/{token}.ics")
    assert response.status_code == 404


def test_a_deactivated_member_feed_is_gone(client, member):
    token = feed_for(member).token
    member.is_active = False
    member.save()
    assert client.get(f"/meetings/feed/{token}.ics").status_code == 404


def test_the_feed_token_is_long_and_url_safe(member):
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", feed_for(member).token)


def test_the_feed_refuses_the_wrong_method(client, member):
    assert client.post(f"/meetings/feed/{feed_for(member).token}.ics").status_code == 405


def test_times_are_right_for_a_meeting_planned_in_utc(client, member, meeting_factory):
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    meeting = meeting_factory(starts_at=start, time_zone="UTC")
    client.force_login(member)
    (event,) = events(parse(client.get(f"/meetings/{meeting.pk}/calendar.ics")))
    assert event.decoded("DTSTART") == start
