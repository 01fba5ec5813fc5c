"""A report about a spoken turn records who held the piece and when, never audio."""

import pytest

from circles.models import Circle
from meetings.room import rules, store
from meetings.room.rules import Actor
from moderation.models import Report
from tests.meetings.room.conftest import make_meeting

pytestmark = pytest.mark.django_db

FERN, MILO, OLIVE = 1, 2, 3


@pytest.fixture
def speaking_room(circle, facilitator, member, other_member):
    """A live voice room: Milo holds the piece (turn 1), Olive listens."""
    Circle.objects.filter(pk=circle.pk).update(voice_enabled=True)
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member])
    for user, role in ((facilitator, "facilitator"), (member, "member"), (other_member, "member")):
        store.join(meeting.pk, user, role)
    store.execute(meeting.pk, Actor(MILO), rules.RaiseHand())
    store.execute(meeting.pk, Actor(FERN), rules.Start())
    return meeting


def report(client, user, meeting, **data):
    client.force_login(user)
    return client.post(f"/meetings/{meeting.pk}/room/voice/report/", data)


def test_a_listener_reports_the_turn_under_way_naming_its_holder_and_time(
    client, speaking_room, member, other_member
):
    response = report(client, other_member, speaking_room, turn_id=1, reason="harassment")
    assert response.status_code == 200
    filed = Report.objects.get(pk=response.json()["report_id"])
    assert (filed.reporter, filed.reported_user, filed.target) == (other_member, member, member)
    assert filed.meeting_id == speaking_room.pk
    assert filed.snapshot["author_display_name"] == "Milo Member"
    assert "turn 1" in filed.snapshot["text"]
    assert "there is no audio" in filed.snapshot["text"]
    assert filed.snapshot["created_at"]


def test_a_turn_that_has_ended_cannot_be_reported_as_a_voice_turn(
    client, speaking_room, other_member
):
    store.execute(speaking_room.pk, Actor(MILO), rules.EndTurn())
    response = report(client, other_member, speaking_room, turn_id=1, reason="harassment")
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("That turn has ended.")
    assert not Report.objects.exists()


def test_in_a_text_only_circle_there_is_no_voice_turn_to_report(
    client, speaking_room, other_member
):
    Circle.objects.filter(pk=speaking_room.circle_id).update(voice_enabled=False)
    response = report(client, other_member, speaking_room, turn_id=1, reason="harassment")
    assert response.json()["error"]["code"] == "voice_off"
    assert not Report.objects.exists()


def test_a_bad_turn_or_reason_is_refused_with_a_clear_message(client, speaking_room, other_member):
    assert (
        report(client, other_member, speaking_room, turn_id="x", reason="spam").status_code == 400
    )
    response = report(client, other_member, speaking_room, turn_id=1, reason="nonsense")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Choose a reason from the list."
    assert not Report.objects.exists()


def test_someone_not_in_the_room_cannot_report_a_turn(client, speaking_room, outsider):
    assert report(client, outsider, speaking_room, turn_id=1, reason="spam").status_code == 403
    assert client.get(f"/meetings/{speaking_room.pk}/room/voice/report/").status_code == 405
