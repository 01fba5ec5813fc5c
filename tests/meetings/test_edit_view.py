from datetime import UTC, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from meetings import actions
from meetings.models import Meeting, Notification


def url(meeting):
    return f"/meetings/{meeting.pk}/edit/"


def form_data(meeting, facilitator, **changes):
    local = meeting.starts_at.astimezone(UTC)
    data = {
        "title": meeting.title,
        "description": meeting.description,
        "facilitators": [facilitator.pk],
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "UTC",
        "duration_minutes": str(meeting.duration_minutes),
        "capacity": "" if meeting.capacity is None else str(meeting.capacity),
        "opens_minutes_before": "10",
        "room_mode": "round",
        "turn_seconds": "180",
    }
    data.update(changes)
    return data


@pytest.fixture
def planned(meeting_factory):
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    return meeting_factory(starts_at=start, capacity=3)


def test_the_form_shows_the_meeting_in_its_own_zone(client, facilitator, meeting_factory):
    meeting = meeting_factory(time_zone="Asia/Tokyo")
    client.force_login(facilitator)
    response = client.get(url(meeting))
    assert response.status_code == 200
    expected = meeting.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert expected.strftime("%Y-%m-%dT%H:%M").encode() in response.content


def test_it_saves_a_change_and_tells_everyone_who_answered(
    client, facilitator, member, planned, django_capture_on_commit_callbacks
):
    actions.rsvp(member, planned, "going")
    mail.outbox.clear()
    client.force_login(facilitator)
    later = planned.starts_at + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(planned),
            form_data(planned, facilitator, starts_at=later.strftime("%Y-%m-%dT%H:%M")),
        )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.starts_at == later and planned.revision == 1
    assert Notification.objects.filter(user=member, kind="changed").count() == 1
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "has moved" in mail.outbox[0].body


def test_capacity_below_those_going_is_refused(client, facilitator, planned, members_of):
    for person in members_of(3):
        actions.rsvp(person, planned, "going")
    client.force_login(facilitator)
    response = client.post(url(planned), form_data(planned, facilitator, capacity="2"))
    assert "can't be less than 3" in page_text(response)
    planned.refresh_from_db()
    assert planned.capacity == 3 and planned.revision == 0


def test_a_cancelled_meeting_cannot_be_edited(client, facilitator, meeting_factory):
    meeting = meeting_factory(status=Meeting.Status.CANCELLED)
    client.force_login(facilitator)
    response = client.post(url(meeting), form_data(meeting, facilitator, title="New"), follow=True)
    assert "can't be edited" in page_text(response)
    meeting.refresh_from_db()
    assert meeting.title == "Evening circle"


def test_moving_a_meeting_into_the_past_is_refused(client, facilitator, planned):
    client.force_login(facilitator)
    past = timezone.now() - timedelta(days=1)
    response = client.post(
        url(planned), form_data(planned, facilitator, starts_at=past.strftime("%Y-%m-%dT%H:%M"))
    )
    assert "in the past" in page_text(response)
    planned.refresh_from_db()
    assert planned.revision == 0


def test_saving_without_a_change_changes_nothing(client, facilitator, planned):
    client.force_login(facilitator)
    client.post(url(planned), form_data(planned, facilitator))
    planned.refresh_from_db()
    assert planned.revision == 0


def test_site_staff_edit_as_a_host_can(client, facilitator, staff, planned):
    client.force_login(staff)
    assert client.get(url(planned)).status_code == 200
    response = client.post(url(planned), form_data(planned, facilitator, title="Moved by staff"))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.title == "Moved by staff"


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_it_refuses_people_who_do_not_facilitate(client, facilitator, planned, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(planned)).status_code == 403
    response = client.post(url(planned), form_data(planned, facilitator, title="Mine now"))
    assert response.status_code == 403
    planned.refresh_from_db()
    assert planned.title == "Evening circle"


def test_it_refuses_the_wrong_method(client, facilitator, planned):
    client.force_login(facilitator)
    assert client.delete(url(planned)).status_code == 405


def test_an_unknown_meeting_is_not_found(client, facilitator):
    client.force_login(facilitator)
    assert client.get("/meetings/999999/edit/").status_code == 404


def page_text(response) -> str:
    return unescape(response.content.decode())
