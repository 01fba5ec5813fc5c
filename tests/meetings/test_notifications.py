"""What members are told, on the dashboard and by email, in their own time zone."""

from datetime import UTC, datetime

from django.core import mail

from meetings import actions
from meetings.models import Notification


def test_the_promoted_member_is_told_by_email_and_on_the_dashboard(
    meeting_factory, members_of, django_capture_on_commit_callbacks
):
    meeting = meeting_factory(capacity=1)
    first, second = members_of(2)
    actions.rsvp(first, meeting, "going")
    actions.rsvp(second, meeting, "going")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.rsvp(first, meeting, "not_going")
    assert [message.to for message in mail.outbox] == [[second.email]]
    assert mail.outbox[0].subject == "[Hearth] A place opened up: you're going"
    assert f"/meetings/{meeting.pk}/" in mail.outbox[0].body
    assert Notification.objects.filter(user=second, kind="promoted").count() == 1


def test_times_in_notifications_are_in_each_member_zone(meeting_factory, members_of):
    meeting = meeting_factory(starts_at=datetime(2030, 1, 15, 18, 0, tzinfo=UTC))
    tokyo, lima = members_of(2)
    tokyo.time_zone, lima.time_zone = "Asia/Tokyo", "America/Lima"
    tokyo.save()
    lima.save()
    actions.rsvp(tokyo, meeting, "going")
    actions.rsvp(lima, meeting, "going")
    assert "Wed 16 Jan 2030, 03:00 (Asia/Tokyo)" in Notification.objects.get(user=tokyo).text
    assert "Tue 15 Jan 2030, 13:00 (America/Lima)" in Notification.objects.get(user=lima).text


def test_emails_wait_for_the_commit(member, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.rsvp(member, meeting, "going")
    assert mail.outbox == []
    assert len(callbacks) == 1
