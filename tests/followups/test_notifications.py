"""A new message reaches the other side on /me/ and by an email without words, sent after
commit, exactly once, and only to members who allow emails."""

from django.core import mail

from meetings.followups import actions
from meetings.models import Notification
from meetings.tasks import send_notification_email
from tests.followups.conftest import OPENING


def test_the_member_is_told_on_me_and_by_an_email_without_words(
    client_for, facilitator, member, support_event, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thread = actions.open_follow_up(facilitator, support_event, OPENING)
    notification = Notification.objects.get(user=member)
    assert notification.kind == "follow_up" and notification.url == thread.get_absolute_url()
    assert notification.text == "You have a message on Hearth."
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject == "[Hearth] You have a message on Hearth"
    assert thread.get_absolute_url() in email.body
    for secret in (OPENING, thread.circle.name, "support", "rough week", "Fern", "Tuesday"):
        assert secret not in email.body and secret not in email.subject
    page = client_for(member).get("/me/").content.decode()
    assert "You have a message on Hearth." in page and thread.get_absolute_url() in page


def test_the_email_waits_for_the_commit(
    facilitator, support_event, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.open_follow_up(facilitator, support_event, OPENING)
    assert mail.outbox == [] and len(callbacks) == 1


def test_the_email_goes_out_exactly_once(
    facilitator, member, support_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_follow_up(facilitator, support_event, OPENING)
    notification = Notification.objects.get(user=member)
    mail.outbox.clear()
    assert send_notification_email(notification.pk) is False
    assert mail.outbox == []


def test_no_email_for_a_member_who_turned_email_reminders_off(
    facilitator, member, support_event, django_capture_on_commit_callbacks
):
    member.email_reminders = False
    member.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_follow_up(facilitator, support_event, OPENING)
    assert mail.outbox == []
    assert Notification.objects.filter(user=member, kind="follow_up").exists()


def test_the_members_answer_reaches_who_wrote_on_the_circles_side(
    facilitator, host, member, thread, django_capture_on_commit_callbacks
):
    actions.post_message(host, thread.pk, "Hanna here too, thinking of you.")
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(member, thread.pk, "Thank you both, I'm okay.")
    told = set(Notification.objects.values_list("user__display_name", flat=True))
    assert told == {"Fern Facilitator", "Hanna Host"}
    assert all("okay" not in email.body for email in mail.outbox)


def test_reading_the_thread_marks_its_notification_read(client_for, member, thread):
    assert Notification.objects.get(user=member).read_at is None
    client_for(member).get(thread.get_absolute_url())
    assert Notification.objects.get(user=member).read_at is not None
