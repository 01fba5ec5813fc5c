"""Builders for meetings tests, next to the shared personas in tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circles.models import Membership
from meetings.models import Meeting
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def meeting_factory(circle, facilitator):
    """``meeting_factory(capacity=3, starts_in=timedelta(days=1), facilitators=[...])``."""

    def build(*, starts_in=timedelta(days=1), facilitators=None, **fields):
        fields.setdefault("title", "Evening circle")
        fields.setdefault("time_zone", "UTC")
        meeting = Meeting.objects.create(
            circle=fields.pop("circle", circle),
            starts_at=fields.pop("starts_at", timezone.now() + starts_in),
            **fields,
        )
        meeting.facilitators.set(facilitators if facilitators is not None else [facilitator])
        return meeting

    return build


@pytest.fixture
def meeting(meeting_factory):
    return meeting_factory()


@pytest.fixture
def members_of(circle):
    """``members_of(5)``: that many new active members of ``circle``."""

    def build(count, *, circle_=None, role=Membership.Role.MEMBER):
        people = []
        for _ in range(count):
            person = UserFactory()
            MembershipFactory(circle=circle_ or circle, user=person, role=role)
            people.append(person)
        return people

    return build
