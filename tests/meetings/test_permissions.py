"""The permission matrix: every action against every role and membership state."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from circles.models import Membership
from meetings import permissions
from meetings.models import RSVP, Meeting
from tests.factories import MembershipFactory, UserFactory

# role: (schedule, facilitate, manage (edit, cancel), view, see names, rsvp, room role)
# Staff can do everything a host can (docs/circles.md): schedule, edit and cancel, but
# they do not facilitate (no check-in insights, docs/wellbeing.md).
MATRIX = {
    "visitor": (False, False, False, False, False, False, None),
    "outsider": (False, False, False, True, False, False, None),
    "pending": (False, False, False, True, False, False, None),
    "invited": (False, False, False, True, False, False, None),
    "member": (False, False, False, True, True, True, None),
    "member_going": (False, False, False, True, True, True, "member"),
    "member_waitlisted": (False, False, False, True, True, True, None),
    "muted_going": (False, False, False, True, True, True, None),
    "left_going": (False, False, False, True, False, False, None),
    "removed_going": (False, False, False, True, False, False, None),
    "banned_going": (False, False, False, False, False, False, None),
    "circle_facilitator": (True, True, True, True, True, True, None),
    "meeting_facilitator": (True, True, True, True, True, True, "facilitator"),
    "removed_meeting_facilitator": (False, False, False, True, False, False, None),
    "host": (True, True, True, True, True, True, "host"),
    "staff": (True, False, True, True, True, False, "staff"),
}


def make_person(role, circle, meeting):
    if role == "visitor":
        return AnonymousUser()
    person = UserFactory(is_staff=role == "staff")
    state, membership_role, answer, muted = "active", "member", None, None
    if role in ("pending", "invited"):
        state = role
    if role.endswith("_going"):
        answer = "going"
        state = {"left": "left", "removed": "removed", "banned": "banned"}.get(
            role.split("_")[0], "active"
        )
    if role == "member_waitlisted":
        answer = "waitlisted"
    if role == "muted_going":
        muted = timezone.now() + timedelta(days=1)
    if role == "circle_facilitator":
        membership_role = "facilitator"
    if role in ("meeting_facilitator", "removed_meeting_facilitator"):
        membership_role = "facilitator"
        meeting.facilitators.add(person)
        state = "removed" if role.startswith("removed") else "active"
    if role == "host":
        membership_role = "host"
    if role not in ("outsider", "staff"):
        MembershipFactory(
            circle=circle, user=person, role=membership_role, state=state, muted_until=muted
        )
    if answer:
        RSVP.objects.create(
            meeting=meeting,
            user=person,
            response=answer,
            waitlisted_at=timezone.now() if answer == "waitlisted" else None,
        )
    return person


@pytest.mark.parametrize("role", MATRIX)
def test_the_permission_matrix(role, circle, meeting_factory):
    meeting = meeting_factory(facilitators=[])
    person = make_person(role, circle, meeting)
    meeting = Meeting.objects.select_related("circle").get(pk=meeting.pk)
    expected = MATRIX[role]
    actual = (
        permissions.can_schedule(person, circle),
        permissions.can_facilitate_meeting(person, meeting),
        permissions.can_manage_meeting(person, meeting),
        permissions.can_view_meeting(person, meeting),
        permissions.can_view_attendees(person, meeting),
        permissions.can_rsvp(person, meeting),
        permissions.room_role(person, meeting),
    )
    assert actual == expected
    assert permissions.can_enter_room(person, meeting) == (expected[6] is not None)
    assert permissions.can_edit_meeting(person, meeting) == expected[2]
    assert permissions.can_cancel_meeting(person, meeting) == expected[2]


@pytest.mark.parametrize("role", ["meeting_facilitator", "host", "staff"])
def test_nobody_edits_or_answers_for_a_cancelled_meeting(role, circle, meeting_factory):
    meeting = meeting_factory(facilitators=[], status=Meeting.Status.CANCELLED)
    person = make_person(role, circle, meeting)
    assert permissions.can_manage_meeting(person, meeting)
    assert not permissions.can_edit_meeting(person, meeting)
    assert not permissions.can_cancel_meeting(person, meeting)
    assert not permissions.can_rsvp(person, meeting)


def test_a_host_who_is_also_staff_is_a_host_in_the_room(circle, meeting):
    person = UserFactory(is_staff=True)
    MembershipFactory(circle=circle, user=person, role=Membership.Role.HOST)
    assert permissions.room_role(person, meeting) == "host"


def test_a_deactivated_account_enters_no_room(circle, meeting, host):
    host.is_active = False
    host.save()
    assert permissions.room_role(host, meeting) is None


def test_get_meeting_for_returns_a_visible_meeting(member, meeting):
    assert permissions.get_meeting_for(member, str(meeting.pk)) == meeting


@pytest.mark.parametrize("meeting_id", ["0", "-1", "abc", None, "99999999", str(2**70), "1.5"])
def test_get_meeting_for_hides_what_does_not_exist(member, meeting, meeting_id):
    with pytest.raises(Http404):
        permissions.get_meeting_for(member, meeting_id)


def test_get_meeting_for_hides_a_meeting_from_the_banned_and_visitors(circle, meeting):
    banned = UserFactory()
    MembershipFactory(circle=circle, user=banned, state=Membership.State.BANNED)
    for person in (banned, AnonymousUser()):
        with pytest.raises(Http404):
            permissions.get_meeting_for(person, meeting.pk)


# --- The same matrix over HTTP ------------------------------------------------------------

HTTP = {
    # role: (detail, edit, cancel, new, ics)
    "outsider": (200, 403, 403, 403, 200),
    "member": (200, 403, 403, 403, 200),
    "banned_going": (404, 404, 404, 404, 404),
    "meeting_facilitator": (200, 200, 200, 200, 200),
    "host": (200, 200, 200, 200, 200),
    "staff": (200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("role", HTTP)
def test_every_page_answers_each_role_rightly(role, client, circle, meeting_factory):
    meeting = meeting_factory(facilitators=[])
    client.force_login(make_person(role, circle, meeting))
    urls = [
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/{meeting.pk}/cancel/",
        f"/circles/{circle.slug}/meetings/new/",
        f"/meetings/{meeting.pk}/calendar.ics",
    ]
    assert tuple(client.get(url).status_code for url in urls) == HTTP[role]


def test_visitors_are_sent_to_log_in_everywhere(client, circle, meeting):
    for url in (
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/{meeting.pk}/cancel/",
        f"/meetings/{meeting.pk}/calendar.ics",
        "/meetings/calendar/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/meetings/{meeting.pk}/rsvp/", {"response": "going"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not RSVP.objects.exists()
