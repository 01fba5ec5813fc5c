"""A meeting of a circle you may not see answers exactly like a meeting that does not exist.

Meeting ids are sequential: if the meetings of an unlisted or invite-only circle answered
anything but 404 to people outside it, walking /meetings/1..N would reveal the circle's
name and address though it never appears in discovery.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from circles.models import Circle, Membership
from meetings.models import RSVP, Meeting
from tests.factories import CircleFactory, MembershipFactory, UserFactory

MISSING_ID = 987_654

PRIVATE = {
    "unlisted": {"visibility": Circle.Visibility.UNLISTED},
    "invite_only": {"join_policy": Circle.JoinPolicy.INVITE},
}

GET_PAGES = [
    "/meetings/{id}/",
    "/meetings/{id}/edit/",
    "/meetings/{id}/cancel/",
    "/meetings/{id}/calendar.ics",
    "/meetings/{id}/room/",
    "/meetings/{id}/check-in/",
    "/meetings/{id}/check-out/",
    "/meetings/{id}/insights/",
]
POST_PAGES = ["/meetings/{id}/rsvp/", "/meetings/{id}/agree/", "/meetings/{id}/check-in/"]


def private_meeting(kind):
    circle = CircleFactory(name=f"Quiet {kind} circle", slug=f"quiet-{kind}", **PRIVATE[kind])
    host = UserFactory(display_name=f"Host of {kind}")
    MembershipFactory(circle=circle, user=host, role=Membership.Role.HOST)
    meeting = Meeting.objects.create(
        circle=circle, title="Secret meeting", starts_at=timezone.now() + timedelta(minutes=5)
    )
    meeting.facilitators.set([host])
    return circle, meeting


def person_in(circle, state):
    """Someone outside the circle (``state=None``) or with a membership in ``state``."""
    person = UserFactory()
    if state is not None:
        MembershipFactory(circle=circle, user=person, state=state)
    return person


def without_csrf_tokens(content: bytes) -> bytes:
    """The page's CSRF token is masked anew for every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def answers(client, meeting_id):
    got = [client.get(page.format(id=meeting_id)) for page in GET_PAGES]
    got += [client.post(page.format(id=meeting_id), {}) for page in POST_PAGES]
    return got


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PRIVATE)
@pytest.mark.parametrize("state", [None, "pending", "invited", "left", "removed", "banned"])
def test_a_private_circles_meeting_is_a_404_like_one_that_does_not_exist(client, kind, state):
    circle, meeting = private_meeting(kind)
    client.force_login(person_in(circle, state))
    for hidden, missing in zip(
        answers(client, meeting.pk), answers(client, MISSING_ID), strict=True
    ):
        assert hidden.status_code == missing.status_code == 404
        assert without_csrf_tokens(hidden.content) == without_csrf_tokens(missing.content)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert circle.name not in page and circle.slug not in page
    assert not RSVP.objects.filter(meeting=meeting).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PRIVATE)
def test_a_private_circles_members_and_staff_open_its_meetings(client, kind):
    circle, meeting = private_meeting(kind)
    for person in (person_in(circle, "active"), UserFactory(is_staff=True)):
        client.force_login(person)
        assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
        assert client.get(f"/meetings/{meeting.pk}/calendar.ics").status_code == 200


@pytest.mark.django_db
def test_a_listed_open_circles_meetings_stay_visible_to_people_thinking_of_joining(
    client, circle, meeting_factory
):
    meeting = meeting_factory()
    client.force_login(UserFactory())
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PRIVATE)
def test_the_circle_page_lists_a_private_circles_meetings_only_to_those_who_may_open_them(
    client, kind
):
    circle, meeting = private_meeting(kind)
    client.force_login(UserFactory())
    page = client.get(f"/circles/{circle.slug}/").content.decode()
    assert f"/meetings/{meeting.pk}/" not in page
    assert "shown to its members" in page
    client.force_login(person_in(circle, "active"))
    assert f"/meetings/{meeting.pk}/" in client.get(f"/circles/{circle.slug}/").content.decode()
