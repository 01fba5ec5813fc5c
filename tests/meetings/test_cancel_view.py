from html import unescape

import pytest
from django.core import mail

from meetings import actions
from meetings.models import Meeting, Notification


def url(meeting):
    return f"/meetings/{meeting.pk}/cancel/"


def test_it_cancels_and_sends_the_reason_to_everyone_who_answered(
    client, facilitator, meeting_factory, members_of, django_capture_on_commit_callbacks
):
    meeting = meeting_factory(capacity=1)
    going, waiting, declined = members_of(3)
    actions.rsvp(going, meeting, "going")
    actions.rsvp(waiting, meeting, "going")
    actions.rsvp(declined, meeting, "not_going")
    mail.outbox.clear()
    client.force_login(facilitator)
    assert client.get(url(meeting)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting), {"reason": "I am unwell, sorry."})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "I am unwell, sorry."
    assert meeting.revision == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted([going.email, waiting.email])
    assert all("I am unwell, sorry." in message.body for message in mail.outbox)
    assert not Notification.objects.filter(user=declined, kind="cancelled").exists()


def test_a_reason_is_required(client, facilitator, meeting):
    client.force_login(facilitator)
    response = client.post(url(meeting), {"reason": "   "})
    assert response.status_code == 200 and "This field is required" in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_cancelling_twice_changes_nothing(client, facilitator, meeting):
    client.force_login(facilitator)
    client.post(url(meeting), {"reason": "Holiday"})
    response = client.post(url(meeting), {"reason": "Again"}, follow=True)
    assert "already cancelled" in page_text(response)
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "Holiday" and meeting.revision == 1


def test_site_staff_cancel_as_a_host_can(client, staff, meeting):
    client.force_login(staff)
    assert client.get(url(meeting)).status_code == 200
    client.post(url(meeting), {"reason": "The circle is moving"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_it_refuses_people_who_do_not_facilitate(client, meeting, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(meeting), {"reason": "Mine"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_a_host_can_cancel(client, host, meeting):
    client.force_login(host)
    client.post(url(meeting), {"reason": "The room is needed"})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_it_refuses_the_wrong_method(client, facilitator, meeting):
    client.force_login(facilitator)
    assert client.put(url(meeting)).status_code == 405


def page_text(response) -> str:
    return unescape(response.content.decode())
