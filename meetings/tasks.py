"""Celery tasks for meetings. Each takes ids, is queued after commit, and is safe to repeat.

Beat runs ``send_due_reminders`` every minute and ``extend_all_series`` every hour (the
entries are in ``hearth/settings.py``; see docs/meetings.md).
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from meetings.models import RSVP, Meeting, MeetingSeries, Notification, ReminderDelivery
from meetings.notify import EMAIL_SUBJECTS, when_for

logger = logging.getLogger("meetings")

REMINDER_LEADS = {
    ReminderDelivery.Kind.DAY_BEFORE: timedelta(hours=24),
    ReminderDelivery.Kind.SOON: timedelta(minutes=15),
}
REMINDER_NOTIFICATION = {
    ReminderDelivery.Kind.DAY_BEFORE: Notification.Kind.REMINDER_24H,
    ReminderDelivery.Kind.SOON: Notification.Kind.REMINDER_15M,
}
REMINDER_KINDS = {Notification.Kind.REMINDER_24H, Notification.Kind.REMINDER_15M}
# Emailed only to members who allow email reminders (the setting covers both).
OPTIONAL_EMAIL_KINDS = REMINDER_KINDS | {Notification.Kind.FOLLOW_UP}


def _email(notification: Notification) -> None:
    user = notification.user
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL
    body = (
        f"Hello {user.display_name},\n\n{notification.text}\n\n{link}\n\n"
        "You can change which emails you get in your settings on Hearth.\n"
    )
    subject = f"[Hearth] {EMAIL_SUBJECTS.get(notification.kind, 'News from Hearth')}"
    send_mail(subject, body, None, [user.email])


@shared_task(name="meetings.tasks.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    """Email one notification, once: the claim of ``emailed_at`` and the send share a
    transaction, so a failed send leaves it unclaimed for a retry."""
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        notification = Notification.objects.select_related("user").get(pk=notification_id)
        if not notification.user.is_active or (
            notification.kind in OPTIONAL_EMAIL_KINDS and not notification.user.email_reminders
        ):
            return False
        _email(notification)
    return True


@shared_task(name="meetings.tasks.send_due_reminders")
def send_due_reminders(now_iso: str | None = None) -> int:
    """Beat, every minute: record the reminders that are due and queue one task for each.

    Due: a scheduled meeting that starts within the reminder's lead time and has not
    started yet; the 24-hour reminder is skipped once the 15-minute one is due. Inserting
    the ``ReminderDelivery`` rows is idempotent (unique per meeting, member, kind and
    start), so a second beat, or two beats at once, add nothing.
    """
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    queued = []
    for kind, lead in REMINDER_LEADS.items():
        window = Q(starts_at__gt=now, starts_at__lte=now + lead)
        if kind == ReminderDelivery.Kind.DAY_BEFORE:
            window &= Q(starts_at__gt=now + REMINDER_LEADS[ReminderDelivery.Kind.SOON])
        meetings = Meeting.objects.filter(window, status=Meeting.Status.SCHEDULED)
        rows = []
        for meeting_id, starts_at in meetings.values_list("pk", "starts_at"):
            going = RSVP.objects.filter(
                meeting_id=meeting_id, response=RSVP.Response.GOING
            ).values_list("user_id", flat=True)
            facilitators = Meeting.facilitators.through.objects.filter(
                meeting_id=meeting_id
            ).values_list("user_id", flat=True)
            for user_id in set(going) | set(facilitators):
                rows.append(
                    ReminderDelivery(
                        meeting_id=meeting_id, user_id=user_id, kind=kind, starts_at=starts_at
                    )
                )
        ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        queued += ReminderDelivery.objects.filter(
            state=ReminderDelivery.State.PENDING,
            kind=kind,
            meeting__in=meetings,
        ).values_list("pk", flat=True)
    for delivery_id in queued:
        send_reminder.delay(delivery_id)
    return len(queued)


@shared_task(name="meetings.tasks.send_reminder")
def send_reminder(delivery_id: int) -> bool:
    """Deliver one reminder exactly once.

    The claim is a conditional update ``pending -> sent``: of two workers running this at
    once, the second waits on the row lock and then updates nothing. The notification,
    the email and the claim share one transaction, so a worker that dies before commit
    leaves the reminder pending for the next beat (the only window for a second email is a
    crash between the mail server accepting it and the commit).
    """
    with transaction.atomic():
        now = timezone.now()
        claimed = ReminderDelivery.objects.filter(
            pk=delivery_id, state=ReminderDelivery.State.PENDING
        ).update(state=ReminderDelivery.State.SENT, sent_at=now)
        if not claimed:
            return False
        delivery = ReminderDelivery.objects.select_related("meeting", "user").get(pk=delivery_id)
        meeting, user = delivery.meeting, delivery.user
        still_going = meeting.facilitators.filter(pk=user.pk).exists() or (
            RSVP.objects.filter(meeting=meeting, user=user, response=RSVP.Response.GOING).exists()
        )
        if (
            meeting.status != Meeting.Status.SCHEDULED
            or meeting.starts_at != delivery.starts_at
            or meeting.starts_at <= now
            or not still_going
            or not user.is_active
        ):
            ReminderDelivery.objects.filter(pk=delivery_id).update(
                state=ReminderDelivery.State.SKIPPED
            )
            return False
        soon = delivery.kind == ReminderDelivery.Kind.SOON
        text = f"“{meeting.title}” starts {when_for(user, meeting.starts_at)}. " + (
            f"The room opens {meeting.opens_minutes_before} minutes before the start."
            if soon
            else "See you there. If you can't come, please say so to free your place."
        )
        notification = Notification.objects.create(
            user=user,
            meeting=meeting,
            kind=REMINDER_NOTIFICATION[delivery.kind],
            text=text,
            url=meeting.get_absolute_url(),
            emailed_at=now if user.email_reminders else None,
        )
        if user.email_reminders:
            _email(notification)
    logger.info("meetings.reminder.sent meeting=%s user=%s kind=%s", meeting.pk, user.pk, soon)
    return True


@shared_task(name="meetings.tasks.extend_all_series")
def extend_all_series() -> int:
    """Beat, hourly: keep every open series generated ``SERIES_HORIZON`` ahead."""
    from meetings.actions import extend_series

    now = timezone.now()
    created = 0
    for series in MeetingSeries.objects.filter(Q(until__isnull=True) | Q(until__gt=now)):
        created += extend_series(series, now=now)
    return created
