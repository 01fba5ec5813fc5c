"""Who may enter a room: every role and membership state, by every state of the meeting,
by the agreements, against ``meetings.room.entry.entry_for``; the page asks the same rule."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from meetings.room.entry import entry_for
from meetings.room.frames import Close
from meetings.wellbeing.models import MeetingAgreement
from tests.meetings.test_permissions import MATRIX, make_person

pytestmark = pytest.mark.django_db

VIEW, ROOM_ROLE = 3, 6  # columns of the permission matrix

# meeting state: (starts in, status, is the room open now)
MEETINGS = {
    "tomorrow": (timedelta(days=1), Meeting.Status.SCHEDULED, False),
    "open": (timedelta(minutes=-5), Meeting.Status.SCHEDULED, True),
    "live": (timedelta(minutes=-5), Meeting.Status.LIVE, True),
    "ended": (timedelta(minutes=-5), Meeting.Status.ENDED, False),
    "cancelled": (timedelta(minutes=-5), Meeting.Status.CANCELLED, False),
    "long_over": (timedelta(hours=-5), Meeting.Status.SCHEDULED, False),
}
AGREEMENTS = ("confirmed", "not_confirmed", "circle_has_none")


def expected_entry(role: str, meeting_state: str, agreements: str):
    """The rule of docs/room.md, as (room role, close code)."""
    if role == "visitor":
        return None, Close.NOT_LOGGED_IN
    if not MATRIX[role][VIEW]:
        return None, Close.NOT_FOUND
    room_role = MATRIX[role][ROOM_ROLE]
    if room_role is None:
        return None, Close.FORBIDDEN
    if not MEETINGS[meeting_state][2]:
        return room_role, Close.NOT_OPEN
    if room_role == "member" and agreements == "not_confirmed":
        return room_role, Close.AGREEMENT_NEEDED
    return room_role, None


def build(role, meeting_state, agreements, circle, meeting_factory):
    starts_in, status, _open = MEETINGS[meeting_state]
    meeting = meeting_factory(facilitators=[], starts_in=starts_in, status=status)
    person = make_person(role, circle, meeting)
    if agreements == "circle_has_none":
        circle.agreement_versions.all().delete()
    elif agreements == "confirmed" and role != "visitor":
        MeetingAgreement.objects.create(
            meeting=meeting, user=person, version=1, confirmed_at=timezone.now()
        )
    return person, Meeting.objects.select_related("circle").get(pk=meeting.pk)


@pytest.mark.parametrize("agreements", AGREEMENTS)
@pytest.mark.parametrize("meeting_state", MEETINGS)
@pytest.mark.parametrize("role", MATRIX)
def test_the_entry_rule(role, meeting_state, agreements, circle, meeting_factory):
    person, meeting = build(role, meeting_state, agreements, circle, meeting_factory)
    entry = entry_for(person, meeting)
    assert (entry.role, entry.close_code) == expected_entry(role, meeting_state, agreements)
    assert bool(entry.reason) == (entry.close_code is not None)


def test_no_meeting_is_not_found(member):
    assert entry_for(member, None).close_code == Close.NOT_FOUND


def test_an_anonymous_scope_without_a_user_is_not_logged_in(meeting):
    assert entry_for(None, meeting).close_code == Close.NOT_LOGGED_IN


def test_a_member_muted_in_the_circle_has_no_room_role_so_no_second_check_is_needed(
    circle, meeting_factory
):
    person, meeting = build("muted_going", "open", "confirmed", circle, meeting_factory)
    assert entry_for(person, meeting).close_code == Close.FORBIDDEN


@pytest.mark.parametrize(
    ("role", "meeting_state", "agreements", "status"),
    [
        ("member_going", "open", "confirmed", 200),
        ("member_going", "open", "not_confirmed", 200),  # the lobby holds them
        ("member_going", "tomorrow", "confirmed", 200),  # the lobby says when it opens
        ("host", "ended", "confirmed", 200),
        ("member_waitlisted", "open", "confirmed", 403),
        ("muted_going", "open", "confirmed", 403),
        ("outsider", "open", "confirmed", 403),
        ("banned_going", "open", "confirmed", 404),
    ],
)
def test_the_room_page_follows_the_entry_rule(
    role, meeting_state, agreements, status, client, circle, meeting_factory
):
    person, meeting = build(role, meeting_state, agreements, circle, meeting_factory)
    client.force_login(person)
    response = client.get(reverse("room:room", args=[meeting.pk]))
    assert response.status_code == status
    if status == 403:
        assert "members who said they are going" in response.content.decode()
