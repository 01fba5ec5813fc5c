"""GET /meetings/<id>/room/voice/ice-servers/: a page's ICE servers for one connection,
for the people the room lets in, in a circle with voice on."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from circles.actions import mute_member
from circles.models import Circle
from meetings.room import limits
from meetings.room.voice.turn import verify
from moderation.models import Report
from tests.circles.conftest import membership
from tests.meetings.room.conftest import make_meeting

pytestmark = pytest.mark.django_db

TURN = {"TURN_URLS": ["turn:127.0.0.1:3478?transport=udp"], "TURN_SECRET": "shared-secret"}


@pytest.fixture
def meeting(circle, facilitator, member):
    Circle.objects.filter(pk=circle.pk).update(voice_enabled=True)
    return make_meeting(circle, facilitators=[facilitator], going=[member])


def url(meeting):
    return f"/meetings/{meeting.pk}/room/voice/ice-servers/"


def fetch(client, user, meeting):
    if user is not None:
        client.force_login(user)
    return client.get(url(meeting))


def test_with_turn_a_member_gets_fresh_relay_only_credentials(client, settings, meeting, member):
    settings.TURN_URLS, settings.TURN_SECRET = TURN["TURN_URLS"], TURN["TURN_SECRET"]
    response = fetch(client, member, meeting)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    config = response.json()
    assert config["iceTransportPolicy"] == "relay"
    (server,) = config["iceServers"]
    assert server["urls"] == TURN["TURN_URLS"]
    assert verify("shared-secret", server["username"], server["credential"], time.time())
    expiry = int(server["username"].split(":", 1)[0])
    assert expiry <= time.time() + limits.TURN_CREDENTIAL_SECONDS + 1
    random_id = server["username"].split(":", 1)[1]  # names nobody: not the id, nor the name
    assert random_id != str(member.pk) and len(random_id) >= 16
    assert member.display_name not in server["username"] and member.email not in random_id
    again = fetch(client, member, meeting).json()["iceServers"][0]
    assert again["username"] != server["username"]


def test_without_turn_a_member_gets_no_servers_and_direct_connections(client, meeting, member):
    response = fetch(client, member, meeting)
    assert response.status_code == 200
    assert response.json() == {"iceServers": [], "iceTransportPolicy": "all"}


def test_someone_logged_out_is_refused_in_json(client, meeting):
    response = fetch(client, None, meeting)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "forbidden"


def test_someone_the_room_does_not_let_in_is_refused(client, settings, meeting, other_member):
    settings.TURN_URLS, settings.TURN_SECRET = TURN["TURN_URLS"], TURN["TURN_SECRET"]
    response = fetch(client, other_member, meeting)  # a member who did not say they are going
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "iceServers" not in response.json()


def test_a_member_muted_in_the_circle_is_refused(client, meeting, member, host):
    mute_member(membership(meeting.circle, member), host, timezone.now() + timedelta(hours=1), "x")
    assert fetch(client, member, meeting).status_code == 403


def test_in_an_unlisted_circle_an_outsider_is_told_there_is_no_such_meeting(
    client, outsider, meeting
):
    Circle.objects.filter(pk=meeting.circle_id).update(visibility=Circle.Visibility.UNLISTED)
    response = fetch(client, outsider, meeting)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_meeting_that_does_not_exist_is_not_found(client, member):
    client.force_login(member)
    assert client.get("/meetings/999999/room/voice/ice-servers/").status_code == 404


def test_a_circle_with_voice_off_gives_no_servers(client, settings, meeting, member):
    settings.TURN_URLS, settings.TURN_SECRET = TURN["TURN_URLS"], TURN["TURN_SECRET"]
    Circle.objects.filter(pk=meeting.circle_id).update(voice_enabled=False)
    response = fetch(client, member, meeting)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "voice_off"


def test_a_post_is_refused(client, meeting, member):
    client.force_login(member)
    assert client.post(url(meeting)).status_code == 405


def test_the_room_page_carries_the_voice_configuration(client, settings, meeting, member):
    settings.TURN_URLS, settings.TURN_SECRET = TURN["TURN_URLS"], TURN["TURN_SECRET"]
    client.force_login(member)
    response = client.get(f"/meetings/{meeting.pk}/room/")
    assert response.status_code == 200
    assert response.context["voice"] == {
        "enabled": True,
        "max_voices": 12,
        "ice_servers_url": url(meeting),
        "relay_only": True,
    }
    assert 'id="voice-config"' in response.content.decode()


def test_a_member_still_to_confirm_the_agreements_is_told_so_in_json(client, circle, member):
    Circle.objects.filter(pk=circle.pk).update(voice_enabled=True)
    unconfirmed = make_meeting(circle, going=[member], agreed=False)
    response = fetch(client, member, unconfirmed)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "agreements" in error["message"]


def test_a_spoken_turn_report_from_someone_the_room_does_not_let_in_changes_nothing(
    client, meeting, other_member
):
    client.force_login(other_member)
    response = client.post(f"/meetings/{meeting.pk}/room/voice/report/", {"turn_id": "1"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Report.objects.exists()
