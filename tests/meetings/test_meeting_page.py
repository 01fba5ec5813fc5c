from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from meetings import actions
from meetings.models import RSVP, Meeting


def page_text(response) -> str:
    return unescape(response.content.decode())


def test_members_see_the_details_in_their_own_zone(client, member, meeting_factory):
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    meeting = meeting_factory(starts_at=start, description="Bring tea.")
    member.time_zone = "Asia/Kolkata"
    member.save()
    client.force_login(member)
    text = page_text(client.get(f"/meetings/{meeting.pk}/"))
    local = timezone.localtime(start, member.zone)
    assert local.strftime("%H:%M") in text
    assert "Asia/Kolkata" in text
    assert "Fern Facilitator" in text and "Bring tea." in text
    assert "Add to my calendar" in text


def test_members_see_who_is_going_and_outsiders_only_counts(
    client, member, other_member, outsider, meeting_factory
):
    meeting = meeting_factory(capacity=1)
    actions.rsvp(member, meeting, "going")
    actions.rsvp(other_member, meeting, "going")
    client.force_login(member)
    text = page_text(client.get(f"/meetings/{meeting.pk}/"))
    assert "1 going, 1 on the waitlist" in text
    assert "Milo Member" in text and "Olive Other" in text
    client.force_login(outsider)
    text = page_text(client.get(f"/meetings/{meeting.pk}/"))
    assert "1 going, 1 on the waitlist" in text
    assert "Milo Member" not in text and "Olive Other" not in text
    assert "Only active members" in text


def test_a_waitlisted_member_sees_their_place_in_line(
    client, member, other_member, meeting_factory, members_of
):
    meeting = meeting_factory(capacity=1)
    (first,) = members_of(1)
    for person in (first, other_member, member):
        actions.rsvp(person, meeting, "going")
    client.force_login(member)
    assert "You're number 2 on the waitlist" in page_text(client.get(f"/meetings/{meeting.pk}/"))


def test_the_room_button_shows_once_the_room_is_open(client, member, meeting_factory):
    meeting = meeting_factory(starts_in=timedelta(minutes=5), opens_minutes_before=10)
    actions.rsvp(member, meeting, "going")
    client.force_login(member)
    assert f'href="/meetings/{meeting.pk}/room/"' in page_text(
        client.get(f"/meetings/{meeting.pk}/")
    )
    later = meeting_factory(starts_in=timedelta(hours=2))
    actions.rsvp(member, later, "going")
    assert "/room/" not in page_text(client.get(f"/meetings/{later.pk}/"))


def test_a_cancelled_meeting_says_so_with_its_reason(client, member, facilitator, meeting):
    actions.cancel_meeting(facilitator, meeting, "Snowed in")
    client.force_login(member)
    text = page_text(client.get(f"/meetings/{meeting.pk}/"))
    assert "This meeting is cancelled" in text and "Snowed in" in text
    assert "I'm going" not in text


def test_the_page_runs_a_fixed_number_of_queries(
    client, member, meeting_factory, members_of, django_assert_max_num_queries
):
    meeting = meeting_factory(capacity=3)
    actions.rsvp(member, meeting, "going")
    client.force_login(member)
    client.get(f"/meetings/{meeting.pk}/")
    with django_assert_max_num_queries(12) as few:
        client.get(f"/meetings/{meeting.pk}/")
    for person in members_of(30):
        actions.rsvp(person, meeting, "going")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/meetings/{meeting.pk}/")
    assert "28 on the waitlist" in page_text(response)


def test_an_unknown_meeting_is_not_found(client, member):
    client.force_login(member)
    assert client.get("/meetings/424242/").status_code == 404


def test_the_page_refuses_the_wrong_method(client, member, meeting):
    client.force_login(member)
    assert client.post(f"/meetings/{meeting.pk}/").status_code == 405


# --- POST /meetings/<id>/rsvp/ ---------------------------------------------------------------


def rsvp_url(meeting):
    return f"/meetings/{meeting.pk}/rsvp/"


def test_answering_going_works_and_says_so(client, member, meeting):
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"response": "going"}, follow=True)
    assert "You're going" in page_text(response)
    assert RSVP.objects.get(user=member).response == "going"


def test_answering_going_to_a_full_meeting_waitlists(client, member, other_member, meeting_factory):
    meeting = meeting_factory(capacity=1)
    actions.rsvp(other_member, meeting, "going")
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"response": "going"}, follow=True)
    assert "on the waitlist" in page_text(response)
    assert RSVP.objects.get(user=member).response == "waitlisted"


def test_a_double_click_changes_nothing(client, member, meeting):
    client.force_login(member)
    client.post(rsvp_url(meeting), {"response": "going"})
    response = client.post(rsvp_url(meeting), {"response": "going"}, follow=True)
    assert "already saved" in page_text(response)
    assert RSVP.objects.count() == 1


@pytest.mark.parametrize("data", [{}, {"response": "maybe"}, {"response": "waitlisted"}])
def test_a_bad_answer_changes_nothing(client, member, meeting, data):
    client.force_login(member)
    response = client.post(rsvp_url(meeting), data, follow=True)
    assert "going or not going" in page_text(response)
    assert not RSVP.objects.exists()


def test_an_outsider_cannot_answer(client, outsider, meeting):
    client.force_login(outsider)
    response = client.post(rsvp_url(meeting), {"response": "going"}, follow=True)
    assert "Only active members" in page_text(response)
    assert not RSVP.objects.exists()


def test_a_cancelled_meeting_takes_no_answers(client, member, meeting_factory):
    meeting = meeting_factory(status=Meeting.Status.CANCELLED)
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"response": "going"}, follow=True)
    assert "was cancelled" in page_text(response)
    assert not RSVP.objects.exists()


def test_rsvp_refuses_the_wrong_method(client, member, meeting):
    client.force_login(member)
    assert client.get(rsvp_url(meeting)).status_code == 405
    assert not RSVP.objects.exists()
