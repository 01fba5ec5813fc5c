"""Scheduling, editing and cancelling meetings each write one audit entry, in the same
transaction as the change (a staff cancellation from the admin included)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hearth.refusal import Refused
from meetings import actions
from meetings.models import Meeting
from moderation.models import ModerationAction

pytestmark = pytest.mark.django_db


def draft(**fields):
    fields.setdefault("title", "Evening circle")
    fields.setdefault("starts_at", timezone.now() + timedelta(days=2))
    return actions.MeetingDraft(**fields)


def entries():
    return list(ModerationAction.objects.order_by("pk"))


def test_scheduling_a_meeting_is_logged(facilitator, circle):
    meeting = actions.schedule_meeting(facilitator, circle, draft(facilitators=[facilitator]))
    [entry] = entries()
    assert (entry.action, entry.actor, entry.circle, entry.meeting_id) == (
        "meetings.meeting.scheduled",
        facilitator,
        circle,
        meeting.pk,
    )
    assert entry.extra == {"starts_at": meeting.starts_at.isoformat()}


def test_scheduling_a_series_is_one_entry(host, circle):
    first = actions.schedule_meeting(host, circle, draft(facilitators=[host]), frequency="weekly")
    [entry] = entries()
    assert (entry.action, entry.meeting_id) == ("meetings.series.scheduled", first.pk)
    assert (entry.extra["series_id"], entry.extra["frequency"]) == (first.series_id, "weekly")


def test_a_refused_schedule_writes_nothing(member, circle):
    with pytest.raises(Refused):
        actions.schedule_meeting(member, circle, draft())
    assert entries() == []


def test_an_edit_is_logged_with_the_names_of_what_changed(facilitator, meeting):
    actions.edit_meeting(
        facilitator,
        meeting,
        draft(starts_at=meeting.starts_at, facilitators=[facilitator], title="Gentle evening"),
    )
    [entry] = entries()
    assert (entry.action, entry.meeting_id, entry.extra) == (
        "meetings.meeting.edited",
        meeting.pk,
        {"fields": ["title"]},
    )


def test_an_edit_that_changes_nothing_writes_nothing(facilitator, meeting):
    same = draft(title=meeting.title, starts_at=meeting.starts_at, facilitators=[facilitator])
    actions.edit_meeting(facilitator, meeting, same)
    assert entries() == []


def test_a_cancellation_is_logged_with_its_reason(facilitator, meeting):
    actions.cancel_meeting(facilitator, meeting, "The facilitator is ill")
    [entry] = entries()
    assert (entry.action, entry.actor, entry.reason, entry.extra) == (
        "meetings.meeting.cancelled",
        facilitator,
        "The facilitator is ill",
        {},
    )


def test_a_cancellation_is_logged_before_commit_and_rolls_back_with_it(facilitator, meeting):
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.cancel_meeting(facilitator, meeting, "Ill")
        assert [entry.action for entry in entries()] == ["meetings.meeting.cancelled"]
        raise RuntimeError("rolled back")
    assert entries() == []


def test_cancelling_twice_writes_one_entry(facilitator, meeting):
    actions.cancel_meeting(facilitator, meeting, "Ill")
    actions.cancel_meeting(facilitator, meeting, "Ill")
    assert len(entries()) == 1


def test_a_staff_cancellation_from_the_admin_is_logged(admin_client, meeting):
    admin_client.post(
        "/admin/meetings/meeting/",
        {"action": "cancel_selected", "_selected_action": [meeting.pk]},
    )
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED
    [entry] = entries()
    assert (entry.action, entry.actor.is_superuser, entry.extra) == (
        "meetings.meeting.cancelled",
        True,
        {"by_staff": True},
    )
    assert entry.reason == "Cancelled by Hearth's staff."
