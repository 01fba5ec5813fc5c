"""A circle's hosts turn voice in the talking circle on or off; off is the default."""

import pytest
from django.urls import reverse

from circles.models import Circle
from moderation.models import ModerationAction
from tests.circles.test_manage import settings_data
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return TopicFactory(name="Grief test", slug="grief-test")


def manage_url(circle):
    return reverse("circles:manage", args=[circle.slug])


def test_a_new_circle_is_text_only(circle):
    assert Circle.objects.get(pk=circle.pk).voice_enabled is False


def test_the_settings_form_offers_voice_in_words_a_newcomer_understands(client_for, circle, host):
    body = client_for(host).get(manage_url(circle)).content.decode()
    assert 'name="voice_enabled"' in body
    assert "<label" in body and "Voice in the talking circle" in body
    assert "only the holder can be heard and nothing is recorded" in body


def test_a_host_turns_voice_on_and_it_is_audited(client_for, circle, host, topic):
    response = client_for(host).post(
        manage_url(circle), settings_data(circle, topic, voice_enabled="on")
    )
    assert response.status_code == 302
    assert Circle.objects.get(pk=circle.pk).voice_enabled is True
    entry = ModerationAction.objects.get(action="circles.circle.updated")
    assert entry.actor == host
    assert "voice_enabled" in entry.extra["fields"]
    assert entry.extra["voice_enabled"] is True


def test_a_host_turns_voice_off_by_leaving_the_box_unticked(client_for, circle, host, topic):
    Circle.objects.filter(pk=circle.pk).update(voice_enabled=True)
    client_for(host).post(manage_url(circle), settings_data(circle, topic))
    assert Circle.objects.get(pk=circle.pk).voice_enabled is False
    assert ModerationAction.objects.get().extra["voice_enabled"] is False


def test_a_member_cannot_turn_voice_on(client_for, circle, member, topic):
    client_for(member).post(manage_url(circle), settings_data(circle, topic, voice_enabled="on"))
    assert Circle.objects.get(pk=circle.pk).voice_enabled is False


@pytest.mark.parametrize(
    ("voice_enabled", "words"),
    [(False, "Text only"), (True, "only the person holding the talking piece can be heard")],
)
def test_the_circle_page_says_whether_its_circle_speaks(
    client_for, circle, member, voice_enabled, words
):
    Circle.objects.filter(pk=circle.pk).update(voice_enabled=voice_enabled)
    body = client_for(member).get(reverse("circles:detail", args=[circle.slug])).content.decode()
    assert words in body
