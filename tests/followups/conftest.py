"""Builders for the follow-up tests: an ended meeting, every kind of reason, a second
circle and a second meeting, and the people around them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from circles.models import Membership
from meetings.followups import actions
from meetings.followups.reasons import find_reason
from meetings.models import Meeting
from meetings.wellbeing.models import CheckIn
from moderation.actions import record_safety_event
from moderation.models import SafetyEvent
from tests.factories import CircleFactory, MembershipFactory, UserFactory
from tests.wellbeing.conftest import make_meeting

OPENING = "Hi Milo, I was thinking of you after tonight. How are you doing?"


def ended(meeting, minutes_ago=10):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.ENDED, ended_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def meeting_facilitator(circle):
    """A member of the circle named as facilitator of ``meeting`` only."""
    user = UserFactory(display_name="Mia Meetinglead")
    MembershipFactory(circle=circle, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def meeting(circle, facilitator, meeting_facilitator, member, other_member):
    return ended(
        make_meeting(
            circle,
            facilitators=[facilitator, meeting_facilitator],
            going=[member, other_member],
            starts_in=timedelta(minutes=-70),
        )
    )


@pytest.fixture
def other_meeting(circle, facilitator, member):
    """Another meeting of the same circle, which ``meeting_facilitator`` did not lead."""
    return ended(
        make_meeting(
            circle,
            facilitators=[facilitator],
            going=[member],
            starts_in=timedelta(days=-2),
            title="Last week's circle",
        )
    )


@pytest.fixture
def other_circle(member):
    circle = CircleFactory(name="Morning carers", slug="morning-carers")
    MembershipFactory(circle=circle, user=member)
    return circle


@pytest.fixture
def other_host(other_circle):
    user = UserFactory(display_name="Hugo Otherhost")
    MembershipFactory(circle=other_circle, user=user, role=Membership.Role.HOST)
    return user


@pytest.fixture
def support_event(meeting, member):
    event = record_safety_event(
        kind=SafetyEvent.Kind.NEED_SUPPORT,
        user=member,
        circle=meeting.circle,
        meeting_id=meeting.pk,
        note="rough week",
    )
    return find_reason("event", event.pk)


@pytest.fixture
def asked_reason(meeting, member):
    check_in = CheckIn.objects.create(
        meeting=meeting, user=member, moment="arriving", score=5, wants_check_in=True
    )
    return find_reason("asked", check_in.pk)


@pytest.fixture
def lower_reason(meeting, member, asked_reason):
    """Arrived at 5 (asking for a check-in), left at 2."""
    leaving = CheckIn.objects.create(meeting=meeting, user=member, moment="leaving", score=2)
    return find_reason("lower", leaving.pk)


@pytest.fixture
def other_meeting_reason(other_meeting, member):
    event = record_safety_event(
        kind=SafetyEvent.Kind.NEED_SUPPORT,
        user=member,
        circle=other_meeting.circle,
        meeting_id=other_meeting.pk,
    )
    return find_reason("event", event.pk)


@pytest.fixture
def other_circle_reason(other_circle, member):
    meeting = ended(make_meeting(other_circle, going=[member], starts_in=timedelta(hours=-3)))
    check_in = CheckIn.objects.create(
        meeting=meeting, user=member, moment="leaving", score=3, wants_check_in=True
    )
    return find_reason("asked", check_in.pk)


@pytest.fixture
def thread(facilitator, support_event):
    return actions.open_follow_up(facilitator, support_event, OPENING)


@pytest.fixture
def client_for():
    def build(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return build


@pytest.fixture
def people(
    member, other_member, facilitator, meeting_facilitator, host, staff, outsider, other_host
):
    return {
        "member": member,
        "other_member": other_member,
        "facilitator": facilitator,
        "meeting_facilitator": meeting_facilitator,
        "host": host,
        "staff": staff,
        "outsider": outsider,
        "other_host": other_host,
    }
