import pytest
from django.urls import reverse

from circles.actions import update_circle
from circles.models import Circle
from hearth.refusal import Refused
from tests.circles.conftest import messages_of
from tests.factories import CircleFactory, TopicFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return TopicFactory(name="Grief test", slug="grief-test")


def url(circle):
    return reverse("circles:manage", args=[circle.slug])


def settings_data(circle, topic, **fields):
    return {
        "name": circle.name,
        "slug": circle.slug,
        "topics": [topic.pk],
        "description": circle.description,
        "language": "en",
        "join_policy": "open",
        "visibility": "listed",
        "member_limit": "",
        "retention_hours": "24",
        "crisis_resources": "",
        **fields,
    }


def test_the_manage_page_lists_requests_members_and_invites(
    client_for, circle, host, member, pending, banned
):
    response = client_for(host).get(url(circle))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Requests to join", "Pia Pending", "Milo Member", "Bo Banned", "Invite links"):
        assert text in body
    assert 'for="role-' in body  # every control has a label


def test_a_host_edits_the_settings_and_the_address(client_for, circle, host, topic):
    data = settings_data(circle, topic, name="Evening grief", slug="evening", join_policy="request")
    response = client_for(host).post(url(circle), data)
    assert response["Location"] == reverse("circles:manage", args=["evening"])
    circle.refresh_from_db()
    assert (circle.name, circle.slug, circle.join_policy) == ("Evening grief", "evening", "request")
    assert list(circle.topics.all()) == [topic]


def test_duplicate_names_and_addresses_are_refused(client_for, circle, host, topic):
    CircleFactory(name="Taken name", slug="taken-slug")
    response = client_for(host).post(
        url(circle), settings_data(circle, topic, name="TAKEN NAME", slug="taken-slug")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already a circle called" in body
    assert "is taken by another circle" in body
    circle.refresh_from_db()
    assert (circle.name, circle.slug) == ("Evening grief circle", "evening-grief")


def test_reserved_and_malformed_addresses_are_refused(client_for, circle, host, topic):
    for slug in ("new", "not a slug!"):
        response = client_for(host).post(url(circle), settings_data(circle, topic, slug=slug))
        assert response.status_code == 400
    assert Circle.objects.get(pk=circle.pk).slug == "evening-grief"


def test_over_long_fields_are_refused(client_for, circle, host, topic):
    response = client_for(host).post(
        url(circle), settings_data(circle, topic, name="x" * 81, description="y" * 501)
    )
    assert response.status_code == 400
    assert "at most 80 characters" in response.content.decode()
    assert Circle.objects.get(pk=circle.pk).name == "Evening grief circle"


def test_only_hosts_and_staff_reach_the_manage_page(client_for, circle, facilitator, member, staff):
    assert client_for(facilitator).get(url(circle)).status_code == 403
    assert client_for(member).get(url(circle)).status_code == 403
    assert client_for(staff).get(url(circle)).status_code == 200


def test_members_cannot_post_settings(client_for, circle, member, topic):
    response = client_for(member).post(url(circle), settings_data(circle, topic, name="Mine"))
    assert response.status_code == 403
    assert Circle.objects.get(pk=circle.pk).name == "Evening grief circle"


def test_the_manage_page_refuses_other_methods(client_for, circle, host):
    assert client_for(host).delete(url(circle)).status_code == 405


def test_update_circle_refuses_non_hosts(circle, member):
    with refused("forbidden"):
        update_circle(circle, member, name="Mine")


def test_update_circle_refuses_a_taken_name(circle, host):
    CircleFactory(name="Other")
    with pytest.raises(Refused, match="already a circle"):
        update_circle(circle, host, name="other")


def test_the_saved_message_is_shown(client_for, circle, host, topic):
    response = client_for(host).post(url(circle), settings_data(circle, topic), follow=True)
    assert any("settings are saved" in m for m in messages_of(response))
