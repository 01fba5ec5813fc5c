from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Meeting, MeetingSeries


def url(circle):
    return f"/circles/{circle.slug}/meetings/new/"


def local(days=3, hour=19, zone="America/New_York"):
    moment = timezone.now().astimezone(ZoneInfo(zone)) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def form_data(facilitator, **changes):
    data = {
        "title": "Thursday circle",
        "description": "Come as you are.",
        "facilitators": [facilitator.pk],
        "starts_at": local().strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "America/New_York",
        "duration_minutes": "90",
        "capacity": "8",
        "opens_minutes_before": "10",
        "room_mode": "queue",
        "turn_seconds": "240",
        "repeat": "",
        "repeat_until": "",
    }
    data.update(changes)
    return data


def test_a_facilitator_sees_the_form_in_their_own_zone(client, circle, facilitator):
    facilitator.time_zone = "Asia/Tokyo"
    facilitator.save()
    client.force_login(facilitator)
    response = client.get(url(circle))
    assert response.status_code == 200
    assert b'<option value="Asia/Tokyo" selected>' in response.content
    assert b"Fern Facilitator" in response.content


def test_it_schedules_a_meeting_in_the_zone_it_was_entered_in(client, circle, facilitator, host):
    client.force_login(facilitator)
    response = client.post(
        url(circle), form_data(facilitator, facilitators=[facilitator.pk, host.pk])
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.starts_at == local()
    assert meeting.starts_at.utcoffset() == timedelta(0), "stored in UTC"
    assert meeting.time_zone == "America/New_York"
    assert (meeting.duration_minutes, meeting.capacity, meeting.room_mode) == (90, 8, "queue")
    assert meeting.turn_seconds == 240
    assert set(meeting.facilitators.all()) == {facilitator, host}
    assert meeting.created_by == facilitator


def test_a_host_can_schedule_too(client, circle, host):
    client.force_login(host)
    assert client.post(url(circle), form_data(host)).status_code == 302
    assert Meeting.objects.count() == 1


def test_it_schedules_a_weekly_series(client, circle, facilitator):
    client.force_login(facilitator)
    until = (local() + timedelta(days=21)).date().isoformat()
    client.post(url(circle), form_data(facilitator, repeat="weekly", repeat_until=until))
    series = MeetingSeries.objects.get()
    assert series.meetings.count() == 4
    assert {
        m.starts_at.astimezone(ZoneInfo("America/New_York")).hour for m in series.meetings.all()
    } == {19}


def test_site_staff_schedule_as_a_host_can(client, circle, facilitator, staff):
    client.force_login(staff)
    assert client.get(url(circle)).status_code == 200
    response = client.post(url(circle), form_data(facilitator))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.created_by == staff


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_it_refuses_people_who_do_not_run_the_circle(client, circle, facilitator, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(circle)).status_code == 403
    assert client.post(url(circle), form_data(facilitator)).status_code == 403
    assert not Meeting.objects.exists()


def test_visitors_are_asked_to_log_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_circle_is_not_found(client, facilitator):
    client.force_login(facilitator)
    assert client.get("/circles/nowhere/meetings/new/").status_code == 404


def test_it_refuses_the_wrong_method(client, circle, facilitator):
    client.force_login(facilitator)
    assert client.put(url(circle)).status_code == 405


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": local(days=-1).strftime("%Y-%m-%dT%H:%M")}, "in the past"),
        ({"starts_at": "tomorrow evening"}, "Enter a date and time"),
        ({"starts_at": "9999-12-31T23:59"}, "Enter a date and time"),
        ({"duration_minutes": "10"}, "from 15 to 240 minutes"),
        ({"duration_minutes": "300"}, "from 15 to 240 minutes"),
        ({"capacity": "0"}, "from 1 to 500 people"),
        ({"capacity": "1000000000000"}, "from 1 to 500 people"),
        ({"opens_minutes_before": "999"}, "from 0 to 120 minutes"),
        ({"turn_seconds": "5"}, "from 30 to 1,800 seconds"),
        ({"title": "Two\nlines"}, "on one line"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"room_mode": "shouting"}, "Select a valid choice"),
        ({"facilitators": []}, "This field is required"),
        ({"title": ""}, "This field is required"),
        ({"repeat": "daily"}, "Select a valid choice"),
        ({"repeat_until": "2020-01-01"}, "Choose how often"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    client, circle, facilitator, changes, message
):
    client.force_login(facilitator)
    response = client.post(url(circle), form_data(facilitator, **changes))
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Meeting.objects.exists() and not MeetingSeries.objects.exists()


def test_a_member_cannot_be_named_facilitator(client, circle, facilitator, member):
    client.force_login(facilitator)
    response = client.post(url(circle), form_data(facilitator, facilitators=[member.pk]))
    assert "Select a valid choice" in page_text(response)
    assert not Meeting.objects.exists()


def test_a_time_the_clocks_skip_is_refused(client, circle, facilitator, time_machine):
    time_machine.move_to("2027-03-01T12:00:00Z")
    client.force_login(facilitator)
    data = form_data(facilitator, starts_at="2027-03-28T02:30", time_zone="Europe/Berlin")
    response = client.post(url(circle), data)
    assert "does not exist in this time zone" in page_text(response)
    assert not Meeting.objects.exists()


def page_text(response) -> str:
    return unescape(response.content.decode())
