"""The room page's context for the end of a meeting (issue 11): that it has ended, the
check-out for everyone whenever they loaded the page, and the circle's next meeting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Meeting
from meetings.room import system
from meetings.wellbeing.actions import record_check_in
from tests.meetings.room.conftest import make_meeting


def page(client, user, meeting):
    client.force_login(user)
    return client.get(f"/meetings/{meeting.pk}/room/")


@pytest.fixture
def early(circle, facilitator, member):
    """A room that is open but whose scheduled start is five minutes away."""
    return make_meeting(
        circle,
        facilitators=[facilitator],
        going=[member],
        starts_at=timezone.now() + timedelta(minutes=5),
    )


def test_someone_who_loads_the_room_before_the_start_gets_the_hidden_check_out(
    client, early, member
):
    response = page(client, member, early)

    assert response.context["wellbeing_check_out_offered"] is True
    assert response.context["wellbeing_can_check_out"] is False  # not open yet
    assert 'data-wellbeing="check-out"' in response.content.decode()


def test_a_meeting_ended_before_its_scheduled_start_still_takes_the_check_out(early, member):
    system.end_room(early.pk)

    assert record_check_in(member, early.pk, "leaving", 3).score == 3


def test_a_meeting_started_early_takes_the_check_out(early, member):
    Meeting.objects.filter(pk=early.pk).update(status=Meeting.Status.LIVE)

    assert record_check_in(member, early.pk, "leaving", 4).score == 4


def test_the_check_out_is_not_offered_for_a_cancelled_meeting(client, early, member):
    Meeting.objects.filter(pk=early.pk).update(status=Meeting.Status.CANCELLED)

    assert page(client, member, early).context["wellbeing_check_out_offered"] is False


def test_an_open_room_has_not_ended(client, early, member):
    assert page(client, member, early).context["room_ended"] is False


def test_a_room_ended_by_a_facilitator_says_so(client, early, member):
    system.end_room(early.pk)

    assert page(client, member, early).context["room_ended"] is True


def test_a_room_past_its_close_has_ended(client, circle, facilitator, member):
    past = make_meeting(
        circle,
        facilitators=[facilitator],
        going=[member],
        starts_at=timezone.now() - timedelta(hours=2),
        agreed=False,
    )

    context = page(client, member, past).context
    assert context["room_ended"] is True
    assert context["wellbeing_check_out_offered"] is True


def test_the_page_names_the_circles_next_meeting(client, early, circle, member):
    later = make_meeting(circle, starts_at=timezone.now() + timedelta(days=7), title="Next week")
    make_meeting(circle, starts_at=timezone.now() + timedelta(days=14), title="After that")
    cancelled = make_meeting(circle, starts_at=timezone.now() + timedelta(days=1))
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)

    assert page(client, member, early).context["next_meeting"] == later


def test_without_another_meeting_there_is_no_next_one(client, early, member):
    assert page(client, member, early).context["next_meeting"] is None
