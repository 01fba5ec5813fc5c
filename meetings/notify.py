"""In-app notifications, and the emails that go with them (sent by Celery after commit)."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import formats, timezone

from meetings.models import Meeting, Notification


def when_for(user, moment) -> str:
    """A start time as the member reads it: in their own zone, with the zone named."""
    local = timezone.localtime(moment, user.zone)
    return f"{formats.date_format(local, 'D j M Y, H:i')} ({user.zone.key})"


def notify(
    users: Iterable,
    kind: str,
    meeting: Meeting | None,
    text: Callable[[object], str],
    *,
    email: bool = True,
    url: str | None = None,
) -> list[Notification]:
    """Write one notification per user and queue its email once the transaction commits.

    ``text(user)`` builds each member's own wording (times in their zone). ``url`` defaults
    to the meeting's page.
    """
    if url is None:
        url = meeting.get_absolute_url() if meeting is not None else ""
    notifications = Notification.objects.bulk_create(
        [
            Notification(user=user, meeting=meeting, kind=kind, text=text(user)[:500], url=url)
            for user in users
        ]
    )
    if email and notifications:
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: _queue_emails(ids))
    return notifications


def _queue_emails(ids: list[int]) -> None:
    from meetings.tasks import send_notification_email

    for notification_id in ids:
        send_notification_email.delay(notification_id)


EMAIL_SUBJECTS = {
    Notification.Kind.GOING: "You're going",
    Notification.Kind.WAITLISTED: "You're on the waitlist",
    Notification.Kind.PROMOTED: "A place opened up: you're going",
    Notification.Kind.CHANGED: "A meeting changed",
    Notification.Kind.CANCELLED: "A meeting was cancelled",
    Notification.Kind.REMINDER_24H: "Reminder: a meeting tomorrow",
    Notification.Kind.REMINDER_15M: "Reminder: a meeting starts soon",
    Notification.Kind.FOLLOW_UP: "You have a message on Hearth",
}
