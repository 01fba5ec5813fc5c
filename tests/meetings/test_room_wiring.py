"""What happens in the circle and to the meeting reaches rooms people are already in."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from circles import actions as circle_actions
from circles.models import Membership
from meetings import actions
from meetings.room import store
from members.actions import delete_account


@pytest.fixture
def open_room(meeting_factory, member, facilitator):
    """A meeting whose room is open, with the member and the facilitator inside."""
    meeting = meeting_factory(starts_in=timedelta(minutes=5))
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    return meeting


def participant_of(meeting, user):
    return store.load_state(meeting.pk).participant_for_user(user.pk)


def membership(circle, user):
    return Membership.objects.get(circle=circle, user=user)


def test_a_ban_from_the_circle_takes_the_member_out_of_open_rooms(
    open_room, circle, member, host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.ban_member(membership(circle, member), host, "Repeated harassment")
    assert participant_of(open_room, member).removed


def test_a_removal_from_the_circle_takes_the_member_out_of_open_rooms(
    open_room, circle, member, host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.remove_member(membership(circle, member), host, "Asked to leave")
    assert participant_of(open_room, member).removed


def test_a_mute_in_the_circle_mutes_the_member_in_open_rooms_until_lifted(
    open_room, circle, member, host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.mute_member(
            membership(circle, member), host, timezone.now() + timedelta(hours=1), "Cool off"
        )
    assert participant_of(open_room, member).muted

    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.unmute_member(membership(circle, member), host)
    assert not participant_of(open_room, member).muted


def test_leaving_the_circle_does_not_throw_anyone_out_of_a_room(
    open_room, circle, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.leave_circle(member, circle)
    assert not participant_of(open_room, member).removed


def test_cancelling_a_meeting_ends_its_open_room(
    open_room, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_meeting(facilitator, open_room, "The facilitator is unwell.")
    assert store.load_state(open_room.pk).status == "ended"
    open_room.refresh_from_db()
    assert open_room.status == open_room.Status.CANCELLED


def test_cancelling_a_meeting_nobody_entered_creates_no_room(
    meeting, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_meeting(facilitator, meeting, "Holiday.")
    assert store.load_state(meeting.pk) is None


def test_a_deleted_account_is_a_former_member_in_the_room(open_room, member):
    delete_account(member)
    names = [p.display_name for p in store.load_state(open_room.pk).participants]
    assert "a former member" in names
    assert member.display_name not in names


def test_the_room_is_part_of_download_my_data(client, open_room, member):
    client.force_login(member)
    data = json.loads(client.get("/me/settings/export/").content)
    assert "room" in data
