import pytest
from django.urls import reverse

from circles import permissions
from circles.actions import create_circle, unique_slug
from circles.models import AgreementVersion, Circle, Membership
from hearth.refusal import Refused
from tests.factories import CircleFactory, TopicFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db
URL = reverse("circles:create")


@pytest.fixture
def topic():
    return TopicFactory(name="Grief test", slug="grief-test")


def make(user, topic, **fields):
    values = {
        "name": "Sunday mourners",
        "description": "For Sundays.",
        "topics": [topic],
        "agreements": "- Be kind.",
    }
    return create_circle(user, **{**values, **fields})


def form_data(topic, **fields):
    return {
        "name": "Sunday mourners",
        "topics": [topic.pk],
        "description": "For Sundays.",
        "language": "en",
        "join_policy": "open",
        "visibility": "listed",
        "member_limit": "",
        "retention_hours": "24",
        "crisis_resources": "",
        "agreements": "- Be kind.",
        **fields,
    }


def test_the_creator_becomes_the_host_with_version_one_accepted(outsider, topic):
    circle = make(outsider, topic)
    assert circle.slug == "sunday-mourners"
    assert circle.agreements_version == 1
    assert AgreementVersion.objects.get(circle=circle).text == "- Be kind."
    host = Membership.objects.get(circle=circle, user=outsider)
    assert (host.role, host.state, host.accepted_version) == ("host", "active", 1)
    assert list(circle.topics.all()) == [topic]
    assert permissions.can_manage(outsider, circle)


def test_names_are_unique_whatever_the_case(outsider, topic):
    make(outsider, topic)
    with pytest.raises(Refused, match="already a circle called"):
        make(outsider, topic, name="SUNDAY MOURNERS")
    assert Circle.objects.count() == 1


def test_slugs_are_made_unique(outsider, topic):
    CircleFactory(name="Something else", slug="sunday-mourners")
    assert make(outsider, topic).slug == "sunday-mourners-2"


def test_reserved_slugs_are_avoided(db):
    assert unique_slug("New") == "new-2"
    assert unique_slug("Invite") == "invite-2"
    assert unique_slug("!!!") == "circle"


def test_a_taken_explicit_slug_is_refused(outsider, topic):
    CircleFactory(name="Other", slug="taken")
    with pytest.raises(Refused, match="taken"):
        make(outsider, topic, slug="taken")


def test_over_long_fields_are_refused(outsider, topic):
    with pytest.raises(Refused, match="at most 80"):
        make(outsider, topic, name="x" * 81)
    with pytest.raises(Refused, match="at most 500"):
        make(outsider, topic, description="x" * 501)
    assert not Circle.objects.exists()


def test_a_circle_needs_a_topic_and_agreements(outsider, topic):
    with pytest.raises(Refused, match="topic"):
        make(outsider, topic, topics=[])
    with pytest.raises(Refused, match="agreements"):
        make(outsider, topic, agreements="")
    assert not Circle.objects.exists()


def test_bad_settings_are_refused_with_readable_messages(outsider, topic):
    with pytest.raises(Refused, match="720"):
        make(outsider, topic, retention_hours=1000)
    with pytest.raises(Refused, match="from 2 to 500"):
        make(outsider, topic, member_limit=1)
    with pytest.raises(Refused, match="from 2 to 500"):
        make(outsider, topic, member_limit=1_000_000_000_000)
    with pytest.raises(Refused, match="Join policy"):
        make(outsider, topic, join_policy="secret")
    assert not Circle.objects.exists()


def test_visitors_cannot_create_circles(topic):
    from django.contrib.auth.models import AnonymousUser

    with refused("forbidden"):
        make(AnonymousUser(), topic)


def test_the_page_creates_a_circle(client_for, outsider, topic):
    response = client_for(outsider).post(URL, form_data(topic))
    circle = Circle.objects.get()
    assert response["Location"] == reverse("circles:detail", args=[circle.slug])
    assert Membership.objects.get(circle=circle).user == outsider


def test_the_page_shows_errors_and_creates_nothing(client_for, outsider, topic):
    CircleFactory(name="Sunday Mourners")
    response = client_for(outsider).post(
        URL, form_data(topic, name="sunday mourners", retention_hours="0", member_limit="1")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already a circle called" in body
    assert "from 1 to 720 hours" in body
    assert "from 2 to 500 people" in body
    assert Circle.objects.count() == 1


def test_the_page_needs_a_topic(client_for, outsider, topic):
    response = client_for(outsider).post(URL, form_data(topic, topics=[]))
    assert "Choose at least one topic" in response.content.decode()
    assert not Circle.objects.exists()


def test_the_page_is_for_members_only(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_the_page_renders_with_labels(client_for, outsider, topic):
    body = client_for(outsider).get(URL).content.decode()
    assert '<label for="id_name">Name</label>' in body
    assert "Group agreements" in body


def test_the_page_refuses_other_methods(client_for, outsider):
    assert client_for(outsider).put(URL).status_code == 405
