"""Builders for the wellbeing tests: meetings in every phase, attendance, strategies."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetings.models import RSVP, Meeting
from meetings.wellbeing import apps_hooks
from meetings.wellbeing.models import CheckIn, Strategy


@pytest.fixture(autouse=True)
def _wellbeing_wired(settings):
    """Use the project's URLs with ours included, and the start-up hooks registered (both
    are no-ops once the project does it itself)."""
    settings.ROOT_URLCONF = "tests.wellbeing.urls"
    apps_hooks.register()


def make_meeting(circle, *, facilitators=(), going=(), starts_in=timedelta(minutes=-5), **fields):
    fields = {
        "title": "Tuesday evening circle",
        "starts_at": timezone.now() + starts_in,
        "duration_minutes": 60,
        **fields,
    }
    meeting = Meeting.objects.create(circle=circle, **fields)
    meeting.facilitators.set(facilitators)
    for user in going:
        RSVP.objects.create(meeting=meeting, user=user, response=RSVP.Response.GOING)
    return meeting


@pytest.fixture
def meeting_factory(circle, facilitator):
    def build(**kwargs):
        kwargs.setdefault("facilitators", [facilitator])
        return make_meeting(circle, **kwargs)

    return build


@pytest.fixture
def open_meeting(meeting_factory, member, other_member):
    """Its room is open now: started five minutes ago."""
    return meeting_factory(going=[member, other_member])


@pytest.fixture
def ended_meeting(meeting_factory, member, other_member):
    """Ended by its facilitator ten minutes ago."""
    meeting = meeting_factory(going=[member, other_member], starts_in=timedelta(minutes=-70))
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.ENDED, ended_at=timezone.now() - timedelta(minutes=10)
    )
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def long_ago_meeting(meeting_factory, member, other_member):
    """Ended a day ago: check-out has closed and the group's figures are ready."""
    meeting = meeting_factory(going=[member, other_member], starts_in=timedelta(days=-1))
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.ENDED, ended_at=meeting.ends_at
    )
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def strategy_factory(circle, member):
    def build(text="I walk around the block before bed.", **fields):
        fields.setdefault("author", member)
        fields.setdefault("state", Strategy.State.APPROVED)
        fields.setdefault("circle", circle)
        return Strategy.objects.create(text=text, **fields)

    return build


@pytest.fixture
def check_in_factory():
    def build(meeting, user, moment="arriving", score=3, wants=False):
        return CheckIn.objects.create(
            meeting=meeting, user=user, moment=moment, score=score, wants_check_in=wants
        )

    return build


@pytest.fixture
def client_for():
    def build(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return build


def json_post(client, url, data):
    return client.post(url, data, HTTP_ACCEPT="application/json")
