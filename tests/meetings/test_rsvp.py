from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles.models import Membership
from hearth.refusal import Refused
from meetings import actions
from meetings.models import RSVP, Meeting, Notification

GOING, NOT_GOING, WAITLISTED = "going", "not_going", "waitlisted"


def responses(meeting):
    return {entry.user_id: entry.response for entry in RSVP.objects.filter(meeting=meeting)}


def test_a_member_is_going_when_there_is_room(member, meeting_factory):
    meeting = meeting_factory(capacity=2)
    result = actions.rsvp(member, meeting, GOING)
    assert result.response == GOING and result.changed
    meeting.refresh_from_db()
    assert meeting.going_count == 1
    assert Notification.objects.filter(user=member, kind="going").count() == 1


def test_going_past_capacity_puts_members_on_the_waitlist_in_order(meeting_factory, members_of):
    meeting = meeting_factory(capacity=1)
    first, second, third = members_of(3)
    assert actions.rsvp(first, meeting, GOING).response == GOING
    assert actions.rsvp(second, meeting, GOING).response == WAITLISTED
    assert actions.rsvp(third, meeting, GOING).response == WAITLISTED
    assert actions.waitlist_position(meeting, second) == 1
    assert actions.waitlist_position(meeting, third) == 2
    assert Notification.objects.get(user=third, kind="waitlisted").text.count("number 2")


def test_it_promotes_the_first_waitlisted_member_when_a_going_member_cancels(
    meeting_factory, members_of
):
    meeting = meeting_factory(capacity=1)
    first, second, third = members_of(3)
    for person in (first, second, third):
        actions.rsvp(person, meeting, GOING)
    result = actions.rsvp(first, meeting, NOT_GOING)
    assert [person.pk for person in result.promoted] == [second.pk]
    assert responses(meeting) == {first.pk: NOT_GOING, second.pk: GOING, third.pk: WAITLISTED}
    assert actions.waitlist_position(meeting, third) == 1
    assert Notification.objects.filter(user=second, kind="promoted").count() == 1
    meeting.refresh_from_db()
    assert meeting.going_count == 1


def test_leaving_the_waitlist_promotes_nobody_and_keeps_the_order(meeting_factory, members_of):
    meeting = meeting_factory(capacity=1)
    first, second, third = members_of(3)
    for person in (first, second, third):
        actions.rsvp(person, meeting, GOING)
    assert actions.rsvp(second, meeting, NOT_GOING).promoted == ()
    assert actions.waitlist_position(meeting, third) == 1


def test_facilitators_do_not_count_against_capacity(facilitator, meeting_factory, members_of):
    meeting = meeting_factory(capacity=1)
    (person,) = members_of(1)
    assert actions.rsvp(facilitator, meeting, GOING).response == GOING
    assert actions.rsvp(person, meeting, GOING).response == GOING
    meeting.refresh_from_db()
    assert meeting.going_count == 1


def test_it_is_idempotent(member, meeting_factory):
    meeting = meeting_factory(capacity=3)
    actions.rsvp(member, meeting, GOING)
    again = actions.rsvp(member, meeting, GOING)
    assert again.response == GOING and not again.changed
    meeting.refresh_from_db()
    assert meeting.going_count == 1
    assert Notification.objects.filter(user=member).count() == 1
    actions.rsvp(member, meeting, NOT_GOING)
    assert not actions.rsvp(member, meeting, NOT_GOING).changed


def test_going_again_after_the_waitlist_keeps_the_place_in_line(meeting_factory, members_of):
    meeting = meeting_factory(capacity=1)
    first, second = members_of(2)
    actions.rsvp(first, meeting, GOING)
    actions.rsvp(second, meeting, GOING)
    before = RSVP.objects.get(user=second).waitlisted_at
    assert actions.rsvp(second, meeting, GOING).response == WAITLISTED
    assert RSVP.objects.get(user=second).waitlisted_at == before


@pytest.mark.parametrize("answer", ["maybe", "", "GOING", "waitlisted"])
def test_it_refuses_an_unknown_answer(member, meeting, answer):
    with pytest.raises(Refused):
        actions.rsvp(member, meeting, answer)
    assert not RSVP.objects.exists()


def test_it_refuses_a_non_member(outsider, meeting):
    with pytest.raises(Refused) as refusal:
        actions.rsvp(outsider, meeting, GOING)
    assert refusal.value.code == "forbidden"
    assert not RSVP.objects.exists()


@pytest.mark.parametrize("state", ["pending", "invited", "left", "removed", "banned"])
def test_it_refuses_members_who_are_not_active(circle, user_factory, meeting, state):
    person = user_factory()
    Membership.objects.create(circle=circle, user=person, state=state)
    with pytest.raises(Refused):
        actions.rsvp(person, meeting, GOING)
    assert not RSVP.objects.exists()


def test_it_refuses_a_cancelled_meeting(member, meeting_factory):
    meeting = meeting_factory(status=Meeting.Status.CANCELLED)
    with pytest.raises(Refused, match="cancelled"):
        actions.rsvp(member, meeting, GOING)
    assert not RSVP.objects.exists()


def test_it_refuses_a_meeting_that_has_ended(member, meeting_factory):
    meeting = meeting_factory(starts_in=-timedelta(hours=2), duration_minutes=60)
    with pytest.raises(Refused, match="over"):
        actions.rsvp(member, meeting, GOING)
    ended = meeting_factory(status=Meeting.Status.ENDED)
    with pytest.raises(Refused):
        actions.rsvp(member, ended, GOING)
    assert not RSVP.objects.exists()


def test_members_may_answer_while_the_meeting_is_under_way(member, meeting_factory):
    meeting = meeting_factory(starts_in=-timedelta(minutes=5), status=Meeting.Status.LIVE)
    assert actions.rsvp(member, meeting, GOING).response == GOING


def test_raising_capacity_promotes_the_waitlist(facilitator, meeting_factory, members_of):
    meeting = meeting_factory(capacity=1)
    people = members_of(3)
    for person in people:
        actions.rsvp(person, meeting, GOING)
    draft = actions.MeetingDraft(
        title=meeting.title,
        starts_at=meeting.starts_at,
        facilitators=[facilitator],
        capacity=2,
    )
    actions.edit_meeting(facilitator, meeting, draft)
    assert responses(meeting) == {
        people[0].pk: GOING,
        people[1].pk: GOING,
        people[2].pk: WAITLISTED,
    }


def test_leaving_the_circle_frees_the_place_for_the_waitlist(circle, meeting_factory, members_of):
    meeting = meeting_factory(capacity=1)
    first, second = members_of(2)
    actions.rsvp(first, meeting, GOING)
    actions.rsvp(second, meeting, GOING)
    assert actions.withdraw_member(first, circle) == 1
    assert responses(meeting) == {first.pk: NOT_GOING, second.pk: GOING}


def test_the_database_refuses_a_going_count_above_capacity(meeting_factory):
    meeting = meeting_factory(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(going_count=3)


def test_a_waitlisted_rsvp_needs_its_time_in_line(member, meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.create(meeting=meeting, user=member, response=WAITLISTED)


def test_answers_stop_at_the_end_of_the_meeting(member, meeting_factory, time_machine):
    meeting = meeting_factory(starts_in=timedelta(hours=1), duration_minutes=30)
    time_machine.move_to(timezone.now() + timedelta(hours=1, minutes=31))
    with pytest.raises(Refused):
        actions.rsvp(member, meeting, GOING)
