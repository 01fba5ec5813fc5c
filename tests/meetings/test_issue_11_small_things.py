"""Smaller things seen on the way (issue 11, item 9): each one as it should be."""

from datetime import timedelta
from html import unescape

from django.urls import reverse
from django.utils import timezone

from meetings import actions
from meetings.models import Meeting, Notification
from moderation.actions import record_safety_event


def page_text(client, user, meeting) -> str:
    client.force_login(user)
    return unescape(client.get(f"/meetings/{meeting.pk}/").content.decode())


def test_the_facilitators_own_meeting_page_does_not_ask_if_they_are_going(
    client, facilitator, meeting
):
    text = page_text(client, facilitator, meeting)

    assert "You're facilitating this meeting." in text
    assert "I'm going" not in text
    assert "I'm not going" not in text


def test_a_member_is_still_asked(client, member, meeting):
    assert "I'm going" in page_text(client, member, meeting)


def test_after_a_cancelled_answer_nobody_is_going_rather_than_nobody_answered(
    client, member, other_member, meeting
):
    actions.rsvp(member, meeting, "going")
    actions.rsvp(member, meeting, "not_going")

    text = page_text(client, other_member, meeting)

    assert "Nobody is going yet." in text
    assert "Nobody has answered yet" not in text


def test_going_not_going_going_sends_one_youre_going(member, meeting):
    actions.rsvp(member, meeting, "going")
    actions.rsvp(member, meeting, "not_going")
    actions.rsvp(member, meeting, "going")

    going = Notification.objects.filter(user=member, meeting=meeting, kind="going")
    assert going.count() == 1


def test_another_meeting_still_sends_its_own_youre_going(member, meeting, meeting_factory):
    other = meeting_factory(starts_in=timedelta(days=8))
    actions.rsvp(member, meeting, "going")
    actions.rsvp(member, other, "going")

    assert Notification.objects.filter(user=member, kind="going").count() == 2


def test_the_moderation_queue_names_the_meeting_with_a_link(client, host, circle, member, meeting):
    record_safety_event(
        kind="need_support", user=member, circle=circle, meeting_id=meeting.pk, note="rough"
    )
    client.force_login(host)

    body = client.get(reverse("moderation:queue")).content.decode()

    assert f'<a href="/meetings/{meeting.pk}/">Evening circle</a>' in body
    assert f"#{meeting.pk}" not in body


def test_a_meeting_that_no_longer_exists_is_named_by_its_number(client, host, circle, member):
    record_safety_event(kind="need_support", user=member, circle=circle, meeting_id=424242)
    client.force_login(host)

    assert "#424242" in client.get(reverse("moderation:queue")).content.decode()


def test_an_ended_meetings_page_is_unchanged_for_the_facilitator(client, facilitator, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=2), status=Meeting.Status.ENDED
    )

    assert "I'm going" not in page_text(client, facilitator, meeting)
