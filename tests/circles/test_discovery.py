import zoneinfo
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles import extensions
from circles.models import Circle, Membership, Topic
from tests.circles.conftest import bulk_users
from tests.factories import CircleFactory, MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = reverse("circles:discover")


@pytest.fixture
def grief():
    return TopicFactory(name="Grief test", slug="grief-test")


@pytest.fixture
def anxiety():
    return TopicFactory(name="Anxiety test", slug="anxiety-test")


def names(response) -> list[str]:
    return [circle.name for circle in response.context["circles"]]


def test_visitors_see_listed_circles_with_member_counts(client, circle, host, member):
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Evening grief circle"]
    assert response.context["circles"][0].member_count == 2
    assert host.display_name not in response.content.decode()


def test_unlisted_circles_are_not_shown(client, circle):
    CircleFactory(name="Hidden", visibility=Circle.Visibility.UNLISTED)
    assert names(client.get(URL)) == ["Evening grief circle"]


def test_it_filters_by_topic(client, grief, anxiety):
    CircleFactory(name="Grief one", topics=[grief])
    CircleFactory(name="Anxiety one", topics=[anxiety])
    CircleFactory(name="Both", topics=[grief, anxiety])
    assert names(client.get(URL, {"topic": "grief-test"})) == ["Both", "Grief one"]


def test_it_searches_names_and_descriptions(client):
    CircleFactory(name="Morning walkers", description="We walk and talk.")
    CircleFactory(name="Night owls", description="For those who can't sleep; walking later.")
    CircleFactory(name="Readers", description="Books.")
    assert names(client.get(URL, {"q": "walk"})) == ["Morning walkers", "Night owls"]


def test_an_unknown_topic_gets_a_message_not_an_error(client, circle):
    response = client.get(URL, {"topic": "no-such-topic"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_bad_page_number_shows_a_page_not_an_error(client, circle):
    assert client.get(URL, {"page": "lots"}).status_code == 200
    assert client.get(URL, {"page": "999"}).status_code == 200


def test_it_paginates(client):
    Circle.objects.bulk_create(
        Circle(name=f"Circle {n:03}", slug=f"c-{n}", description="x") for n in range(45)
    )
    first = client.get(URL)
    assert len(first.context["circles"]) == 20
    assert first.context["page"].paginator.num_pages == 3
    assert names(client.get(URL, {"page": 3})) == [f"Circle {n:03}" for n in range(40, 45)]


def test_circles_the_viewer_is_banned_from_are_hidden(client_for, circle, banned):
    assert names(client_for(banned).get(URL)) == []


def test_it_refuses_post(client, db):
    assert client.post(URL).status_code == 405


def test_the_next_meeting_shows_in_the_viewers_time_zone(client_for, circle, outsider):
    outsider.time_zone = "Asia/Tokyo"
    outsider.save()
    starts = datetime(2030, 1, 5, 18, 30, tzinfo=UTC)
    lookup = lambda ids: {circle.pk: starts} if circle.pk in ids else {}  # noqa: E731
    extensions.register_next_meeting_lookup(lookup)
    try:
        body = client_for(outsider).get(URL).content.decode()
    finally:
        extensions._next_meeting_lookups.remove(lookup)
    local = starts.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert local.strftime("%H:%M") == "03:30"
    assert "Sunday 6 January, 03:30" in body
    assert "JST" in body or "Asia/Tokyo" in body


def _bulk_circles(topics, start, count):
    circles = Circle.objects.bulk_create(
        Circle(name=f"Bulk circle {n:03}", slug=f"bulk-{n}", description="Together.")
        for n in range(start, start + count)
    )
    Through = Circle.topics.through
    Through.objects.bulk_create(
        Through(circle_id=circle.pk, topic_id=topics[n % len(topics)].pk)
        for n, circle in enumerate(circles)
    )
    return circles


def test_discovery_runs_a_fixed_number_of_queries_over_hundreds_of_circles(
    client_for, outsider, django_assert_max_num_queries
):
    topics = Topic.objects.bulk_create(
        Topic(name=f"Bulk topic {n}", slug=f"bulk-topic-{n}") for n in range(5)
    )
    _bulk_circles(topics, 0, 10)
    client = client_for(outsider)
    client.get(URL)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"topic": "bulk-topic-1"})

    circles = _bulk_circles(topics, 10, 300)
    users = bulk_users(50)
    Membership.objects.bulk_create(
        Membership(circle=circle, user=user, state="active", accepted_version=0)
        for circle in circles[:40]
        for user in users
    )
    calls = []

    def lookup(ids):
        calls.append(list(ids))
        return {}

    extensions.register_next_meeting_lookup(lookup)
    try:
        with django_assert_max_num_queries(len(few)):
            response = client.get(URL, {"topic": "bulk-topic-1"})
        with django_assert_max_num_queries(len(few)):
            client.get(URL, {"page": 7, "q": "bulk"})
    finally:
        extensions._next_meeting_lookups.remove(lookup)
    assert response.status_code == 200
    assert len(response.context["circles"]) == 20
    assert len(calls[0]) == 20  # one batch for the whole page
    assert len(few) <= 10


def test_member_counts_count_only_active_members(client, circle, host, member, pending, banned):
    MembershipFactory(circle=circle, state=Membership.State.LEFT)
    assert client.get(URL).context["circles"][0].member_count == 2
