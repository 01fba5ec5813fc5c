"""Circle names: no look-alike of another circle, no mixed scripts, no line breaks, and
member limits and retention within range. The same rules hold for the create page, the
manage page and ``circles.actions`` (which the admin uses)."""

import pytest
from django.urls import reverse

from circles.actions import create_circle
from circles.models import Circle
from hearth.refusal import Refused
from tests.circles.test_create_circle import form_data
from tests.circles.test_manage import settings_data
from tests.factories import CircleFactory, TopicFactory

CYRILLIC_E = "\u0415"  # looks like the Latin E


@pytest.fixture
def topic(db):
    return TopicFactory(name="Names test", slug="names-test")


def create(user, topic, name, **fields):
    return create_circle(
        user, name=name, description="For us.", topics=[topic], agreements="- Be kind.", **fields
    )


@pytest.mark.parametrize(
    "look_alike", ["EVENING GRIEF CIRCLE", "Evening grief circIe", "Evening grief circ1e"]
)
def test_a_look_alike_of_another_circle_is_refused(outsider, topic, circle, look_alike):
    with pytest.raises(Refused, match="looks just like it"):
        create(outsider, topic, look_alike)
    assert Circle.objects.count() == 1


def test_a_name_mixing_scripts_is_refused_in_plain_words(outsider, topic):
    with pytest.raises(Refused, match="mixes alphabets"):
        create(outsider, topic, f"{CYRILLIC_E}vening circle")
    assert not Circle.objects.exists()


@pytest.mark.parametrize("name", ["Two\r\nlines", "Nul\x00circle", "Tab\tcircle"])
def test_a_line_break_or_control_character_is_refused(outsider, topic, name):
    with pytest.raises(Refused, match="one line"):
        create(outsider, topic, name)


def test_the_create_page_explains_a_look_alike(client, outsider, topic, circle):
    client.force_login(outsider)
    response = client.post(reverse("circles:create"), form_data(topic, name="Evening grief circIe"))
    assert response.status_code == 400
    assert "looks just like it" in response.content.decode()


def test_the_manage_page_refuses_a_line_break_in_the_name(client, host, circle, topic):
    client.force_login(host)
    data = settings_data(circle, topic, name="Evening\nX-INJECTED:1")
    response = client.post(reverse("circles:manage", args=[circle.slug]), data)
    assert response.status_code == 400
    assert "one line" in response.content.decode()
    circle.refresh_from_db()
    assert circle.name == "Evening grief circle"


@pytest.mark.parametrize("limit", ["1", "501", "1000000000000"])
def test_the_manage_page_refuses_a_member_limit_out_of_range(client, host, circle, topic, limit):
    client.force_login(host)
    data = settings_data(circle, topic, member_limit=limit)
    response = client.post(reverse("circles:manage", args=[circle.slug]), data)
    assert response.status_code == 400
    assert "from 2 to 500 people" in response.content.decode()
    circle.refresh_from_db()
    assert circle.member_limit is None


def test_a_circle_may_keep_its_own_name(client, host, circle, topic):
    client.force_login(host)
    data = settings_data(circle, topic, name="EVENING grief circle")
    response = client.post(reverse("circles:manage", args=[circle.slug]), data)
    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.name == "EVENING grief circle"


def test_renaming_keeps_the_key_in_step(circle):
    circle.name = "Morning circle"
    circle.save(update_fields=["name"])
    circle.refresh_from_db()
    assert circle.name_key == "rnorning circle"
    assert CircleFactory(name="Another circle").name_key == "another circle"
