"""Every page tells the browser to turn off the features Hearth never uses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import RSVP, Meeting

NEVER_USED = ("camera", "geolocation", "payment", "usb", "serial", "hid", "bluetooth", "midi")


def policy_of(response) -> dict[str, str]:
    header = response.headers["Permissions-Policy"]
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/circles/", "/accounts/login/", "/no/such/page/"])
def test_every_page_turns_off_what_hearth_never_uses(client, path):
    policy = policy_of(client.get(path))
    for feature in NEVER_USED:
        assert policy[feature] == "()", feature


@pytest.mark.django_db
def test_the_microphone_is_off_on_every_page_but_a_voice_room(client, member):
    client.force_login(member)
    assert policy_of(client.get("/"))["microphone"] == "()"
    assert policy_of(client.get(reverse("members:home")))["microphone"] == "()"


@pytest.mark.django_db
@pytest.mark.parametrize(("voice_enabled", "microphone"), [(False, "()"), (True, "(self)")])
def test_the_room_page_allows_its_own_microphone_only_when_the_circle_has_voice(
    client, circle, member, voice_enabled, microphone
):
    circle.voice_enabled = voice_enabled
    circle.save(update_fields=["voice_enabled"])
    meeting = Meeting.objects.create(
        circle=circle, title="Evening circle", starts_at=timezone.now() + timedelta(minutes=5)
    )
    RSVP.objects.create(meeting=meeting, user=member, response=RSVP.Response.GOING)
    client.force_login(member)
    response = client.get(reverse("room:room", args=[meeting.pk]))
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["microphone"] == microphone
    assert policy["camera"] == "()"


@pytest.mark.django_db
def test_the_clipboard_stays_available_for_copying_invite_links(client):
    assert "clipboard-write" not in policy_of(client.get("/"))
