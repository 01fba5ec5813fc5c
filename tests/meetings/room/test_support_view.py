"""'I need support' over HTTP: POST /meetings/<id>/room/support/, for when the room's socket
is not connected. The same action as the socket's need_support."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import timezone

from hearth import groups
from hearth.ratelimits import LIMITS
from meetings.models import Meeting
from meetings.room import public, store, system
from meetings.room.commands import Actor, RaiseHand, Start
from moderation.models import SafetyEvent
from tests.meetings.room.conftest import make_meeting

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def lobby_meeting(circle, facilitator, member):
    """A live meeting whose member has not confirmed the agreements yet (held in the lobby)."""
    return make_meeting(circle, facilitators=[facilitator], going=[member], agreed=False)


def url(meeting):
    return f"/meetings/{meeting.pk}/room/support/"


def ask(client, user, meeting, note="", **headers):
    client.force_login(user)
    return client.post(url(meeting), {"note": note}, **{**JSON, **headers})


def test_a_member_in_the_lobby_asks_for_support_and_it_is_recorded(client, lobby_meeting, member):
    response = ask(client, member, lobby_meeting, note="I'm not doing well")

    assert response.status_code == 200
    assert response.json() == {"recorded": True, "alert_id": 1}
    event = SafetyEvent.objects.get()
    assert (event.kind, event.user, event.note) == ("need_support", member, "I'm not doing well")
    assert event.meeting_id == lobby_meeting.pk
    [alert] = public.open_alerts(store.load_state(lobby_meeting.pk))
    assert (alert["participant_id"], alert["display_name"]) == (None, member.display_name)


def test_the_connected_facilitators_are_told_at_once(
    client, lobby_meeting, member, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(groups.moderators_group(lobby_meeting.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        ask(client, member, lobby_meeting, note="please")

    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "room.private"
    assert '"type":"support_alert"' in message["frames"][0]
    assert '"note":"please"' in message["frames"][0]


def test_it_works_in_an_ended_room(client, lobby_meeting, member):
    system.end_room(lobby_meeting.pk)

    assert ask(client, member, lobby_meeting).status_code == 200
    assert SafetyEvent.objects.count() == 1


def test_it_works_before_the_room_opens(client, circle, facilitator, member):
    later = make_meeting(
        circle,
        facilitators=[facilitator],
        going=[member],
        starts_at=timezone.now() + timedelta(days=1),
    )

    assert ask(client, member, later).status_code == 200


def test_the_holder_who_asks_over_http_has_their_clock_held(
    client, lobby_meeting, member, facilitator
):
    store.join(lobby_meeting.pk, facilitator, "facilitator")
    milo, _, _ = store.join(lobby_meeting.pk, member, "member")
    store.execute(lobby_meeting.pk, Actor(1), Start(), user=facilitator)
    store.execute(lobby_meeting.pk, Actor(milo.participant_id), RaiseHand(), user=member)
    store.leave(lobby_meeting.pk, milo.participant_id)  # reconnecting: the socket is gone

    ask(client, member, lobby_meeting)

    holder = store.load_state(lobby_meeting.pk).holder
    assert holder.participant_id == milo.participant_id
    assert holder.held and holder.deadline is None


def test_a_note_over_a_thousand_characters_is_refused_and_nothing_is_recorded(
    client, lobby_meeting, member
):
    response = ask(client, member, lobby_meeting, note="x" * 1001)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_long"
    assert "1000" in response.json()["error"]["message"]
    assert not SafetyEvent.objects.exists()


def test_someone_who_may_not_see_the_room_is_refused(client, lobby_meeting, other_member):
    response = ask(client, other_member, lobby_meeting)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not SafetyEvent.objects.exists()


def test_an_unknown_meeting_is_not_found(client, member):
    client.force_login(member)
    response = client.post("/meetings/987654/room/support/", **JSON)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_only_answers_post(client, lobby_meeting, member):
    client.force_login(member)
    response = client.get(url(lobby_meeting), **JSON)

    assert response.status_code == 405
    assert not SafetyEvent.objects.exists()


def test_someone_logged_out_is_asked_to_log_in_again(client, lobby_meeting):
    response = client.post(url(lobby_meeting), **JSON)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Please log in again."


def test_a_request_past_the_support_limit_gets_a_calm_429_and_is_not_recorded(
    client, lobby_meeting, member
):
    allowed = int(LIMITS["support"].rate.split("/")[0])
    for _ in range(allowed):
        assert ask(client, member, lobby_meeting).status_code == 200

    response = ask(client, member, lobby_meeting)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "resources below are always here" in response.json()["error"]["message"]
    assert SafetyEvent.objects.count() == allowed


def test_a_note_with_a_nul_is_refused_with_a_message_and_nothing_recorded(
    client, lobby_meeting, member
):
    response = ask(client, member, lobby_meeting, note="before\x00after")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert "can't keep" in response.json()["error"]["message"]
    assert not SafetyEvent.objects.exists()


def test_a_form_posted_without_javascript_gets_a_page_with_linked_resources(
    client, lobby_meeting, member
):
    client.force_login(member)
    response = client.post(url(lobby_meeting), {"note": ""})

    assert response.status_code == 200
    body = response.content.decode()
    assert "A facilitator has been told you need support." in body
    assert 'href="tel:116123"' in body
    assert 'href="https://findahelpline.com"' in body
    assert f'href="/meetings/{lobby_meeting.pk}/room/"' in body


def test_a_refused_form_still_shows_the_resources(client, lobby_meeting, member):
    client.force_login(member)
    response = client.post(url(lobby_meeting), {"note": "x" * 1001})

    assert response.status_code == 400
    assert 'href="tel:988"' in response.content.decode()


def test_it_needs_the_csrf_token(lobby_meeting, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(url(lobby_meeting), {"note": ""}, **JSON)

    assert response.status_code == 403
    assert not SafetyEvent.objects.exists()


def test_the_csrf_header_from_fetch_is_enough(lobby_meeting, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(f"/meetings/{lobby_meeting.pk}/room/")
    token = client.cookies["csrftoken"].value

    response = client.post(url(lobby_meeting), {}, HTTP_X_CSRFTOKEN=token, **JSON)

    assert response.status_code == 200


def test_the_room_page_carries_the_resources_and_the_support_url(client, lobby_meeting, member):
    client.force_login(member)
    context = client.get(f"/meetings/{lobby_meeting.pk}/room/").context

    assert context["support_url"] == url(lobby_meeting)
    assert {"text": "988", "href": "tel:988"} in context["crisis_resources"][2]


def test_a_cancelled_meeting_still_takes_the_request(client, lobby_meeting, member):
    Meeting.objects.filter(pk=lobby_meeting.pk).update(status=Meeting.Status.CANCELLED)

    assert ask(client, member, lobby_meeting).status_code == 200
