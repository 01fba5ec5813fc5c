"""Reminders 24 hours and 15 minutes before, exactly once per member, meeting and start."""

from datetime import timedelta

import pytest
from django.core import mail

from meetings import actions, tasks
from meetings.models import Notification, ReminderDelivery


@pytest.fixture
def going(member, meeting_factory):
    def build(**fields):
        meeting = meeting_factory(**fields)
        actions.rsvp(member, meeting, "going")
        mail.outbox.clear()
        return meeting

    return build


def reminders(user):
    return list(Notification.objects.filter(user=user, kind__startswith="reminder"))


def test_the_day_before_reminder_goes_out_once(member, facilitator, going):
    meeting = going(starts_in=timedelta(hours=20))
    assert tasks.send_due_reminders() == 2  # the member and the facilitator
    assert tasks.send_due_reminders() == 0
    (notification,) = reminders(member)
    assert notification.kind == "reminder_24h" and meeting.title in notification.text
    assert len(reminders(facilitator)) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [member.email, facilitator.email]
    )
    assert mail.outbox[0].subject == "[Hearth] Reminder: a meeting tomorrow"


def test_fifteen_minutes_before_only_the_soon_reminder_goes_out(member, going):
    going(starts_in=timedelta(minutes=10))
    tasks.send_due_reminders()
    assert [notification.kind for notification in reminders(member)] == ["reminder_15m"]
    assert not ReminderDelivery.objects.filter(kind="24h").exists()


def test_a_meeting_further_away_gets_no_reminder_yet(member, going):
    going(starts_in=timedelta(hours=30))
    assert tasks.send_due_reminders() == 0
    assert not ReminderDelivery.objects.exists()


def test_running_the_same_reminder_twice_sends_it_once(member, going):
    going(starts_in=timedelta(hours=2))
    tasks.send_due_reminders()
    delivery = ReminderDelivery.objects.get(user=member)
    assert tasks.send_reminder(delivery.pk) is False
    assert tasks.send_reminder(delivery.pk) is False
    assert len(reminders(member)) == 1
    assert len([m for m in mail.outbox if m.to == [member.email]]) == 1


def test_a_member_who_wants_no_reminder_emails_still_sees_them_on_the_dashboard(member, going):
    member.email_reminders = False
    member.save()
    going(starts_in=timedelta(hours=2))
    tasks.send_due_reminders()
    assert len(reminders(member)) == 1
    assert not [m for m in mail.outbox if m.to == [member.email]]


def test_a_moved_meeting_is_reminded_at_its_new_time(member, facilitator, going):
    meeting = going(starts_in=timedelta(hours=2))
    tasks.send_due_reminders()
    draft = actions.MeetingDraft(
        title=meeting.title,
        starts_at=meeting.starts_at + timedelta(hours=3),
        facilitators=[facilitator],
    )
    actions.edit_meeting(facilitator, meeting, draft)
    tasks.send_due_reminders()
    assert len(reminders(member)) == 2


def test_waitlisted_and_cancelled_get_no_reminder(member, other_member, facilitator, going):
    meeting = going(starts_in=timedelta(hours=2), capacity=1)
    actions.rsvp(other_member, meeting, "going")
    tasks.send_due_reminders()
    assert reminders(other_member) == []
    cancelled = going(starts_in=timedelta(hours=3))
    actions.cancel_meeting(facilitator, cancelled, "Sorry")
    tasks.send_due_reminders()
    assert not ReminderDelivery.objects.filter(meeting=cancelled).exists()


def test_a_pending_reminder_for_a_meeting_cancelled_since_is_skipped(member, facilitator, going):
    meeting = going(starts_in=timedelta(hours=2))
    delivery = ReminderDelivery.objects.create(
        meeting=meeting, user=member, kind="24h", starts_at=meeting.starts_at
    )
    actions.cancel_meeting(facilitator, meeting, "Sorry")
    assert tasks.send_reminder(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.state == "skipped"
    assert reminders(member) == []


def test_a_failed_email_leaves_the_reminder_pending_for_the_next_beat(member, going, monkeypatch):
    going(starts_in=timedelta(hours=2))

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", broken)
    with pytest.raises(ConnectionError):
        tasks.send_due_reminders()
    delivery = ReminderDelivery.objects.get(user=member)
    assert delivery.state == "pending"
    assert reminders(member) == []
    monkeypatch.undo()
    assert tasks.send_reminder(delivery.pk) is True
    assert len(reminders(member)) == 1


def test_notification_emails_are_sent_once(member, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.rsvp(member, meeting, "going")
    notification = Notification.objects.get(user=member)
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1 and "You're going" in mail.outbox[0].body
    assert tasks.send_notification_email(notification.pk) is False
    assert len(mail.outbox) == 1
