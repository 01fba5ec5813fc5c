"""The room's beat tasks: closing rooms after the meeting, purging shares on time."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from meetings.models import Meeting
from meetings.room import commands, store
from meetings.room.commands import Actor, End, RaiseHand, React, Start
from meetings.room.limits import AWAY_QUEUE_SECONDS, GRACE_SECONDS
from meetings.room.models import Reaction, Room, Share
from meetings.room.tasks import close_rooms, purge_expired_shares
from tests.meetings.room.conftest import make_meeting


def a_meeting_with_a_share(circle, facilitator, member, starts_at):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member], starts_at=starts_at)
    store.join(meeting.pk, facilitator, "facilitator", now=starts_at)
    store.join(meeting.pk, member, "member", now=starts_at)
    store.execute(meeting.pk, Actor(2), RaiseHand(), now=starts_at)
    store.execute(meeting.pk, Actor(1), Start(), now=starts_at)
    store.execute(meeting.pk, Actor(2), commands.Share("Kept a while."), user=member, now=starts_at)
    store.execute(meeting.pk, Actor(1), React(1, "heard"), user=facilitator, now=starts_at)
    return meeting


def test_a_room_nobody_ended_closes_thirty_minutes_after_the_scheduled_end(
    circle, facilitator, member
):
    starts = timezone.now()
    meeting = a_meeting_with_a_share(circle, facilitator, member, starts)
    with time_machine.travel(starts + timedelta(minutes=60 + 29)):
        assert close_rooms() == 0
    with time_machine.travel(starts + timedelta(minutes=60 + 30)):
        assert close_rooms() == 1
        assert close_rooms() == 0
    assert Room.objects.get(pk=meeting.pk).status == "ended"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED


def test_shares_are_purged_after_the_circles_retention_time(circle, facilitator, member):
    circle.retention_hours = 24
    circle.save()
    starts = timezone.now()
    meeting = a_meeting_with_a_share(circle, facilitator, member, starts)
    ends = meeting.ends_at
    with time_machine.travel(ends + timedelta(hours=23, minutes=59)):
        assert purge_expired_shares() == 0
    assert Share.objects.filter(meeting=meeting).exists()
    with time_machine.travel(ends + timedelta(hours=24)):
        assert purge_expired_shares() == 2  # the share and its reaction
    assert not Share.objects.exists()
    assert not Reaction.objects.exists()


def test_the_purge_counts_from_when_a_facilitator_ended_the_meeting(circle, facilitator, member):
    circle.retention_hours = 1
    circle.save()
    starts = timezone.now()
    meeting = a_meeting_with_a_share(circle, facilitator, member, starts)
    store.execute(meeting.pk, Actor(1), End(), user=facilitator, now=starts)
    meeting.refresh_from_db()
    assert meeting.ended_at is not None
    with time_machine.travel(meeting.ended_at + timedelta(hours=1, seconds=1)):
        assert purge_expired_shares() == 2


def test_the_backstop_marks_someone_away_and_later_takes_them_out_of_the_queue(
    circle, facilitator, member, other_member
):
    from meetings.room.tasks import expire_due_turns

    starts = timezone.now()
    meeting = make_meeting(
        circle, facilitators=[facilitator], going=[member, other_member], starts_at=starts
    )
    store.join(meeting.pk, facilitator, "facilitator", now=starts)
    store.join(meeting.pk, member, "member", now=starts)
    store.join(meeting.pk, other_member, "member", now=starts)
    store.execute(meeting.pk, Actor(1), Start(), now=starts)
    store.execute(meeting.pk, Actor(2), RaiseHand(), now=starts)  # Milo holds it
    store.execute(meeting.pk, Actor(3), RaiseHand(), now=starts)
    store.leave(meeting.pk, 3, now=starts)

    with time_machine.travel(starts + timedelta(seconds=GRACE_SECONDS + 1)):
        assert expire_due_turns() == 1
        assert expire_due_turns() == 0
    state = store.load_state(meeting.pk)
    assert state.participant(3).away and state.queue == (3,)
    with time_machine.travel(starts + timedelta(seconds=AWAY_QUEUE_SECONDS + 1)):
        expire_due_turns()
    assert store.load_state(meeting.pk).queue == ()
