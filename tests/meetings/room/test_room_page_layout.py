"""The room page's one-screen layout (issue 11): what the HTML carries for the script."""

import pytest

from tests.meetings.room.conftest import make_meeting


@pytest.fixture
def page_meeting(circle, facilitator, member):
    return make_meeting(circle, facilitators=[facilitator], going=[member])


def body_for(client, user, meeting):
    client.force_login(user)
    response = client.get(f"/meetings/{meeting.pk}/room/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_support_dialog_carries_the_resources_and_a_way_to_post_without_the_socket(
    client, page_meeting, member
):
    body = body_for(client, member, page_meeting)
    dialog = body[body.index('<dialog id="support-dialog"') : body.index("</dialog>")]
    assert 'href="https://findahelpline.com"' in dialog
    assert 'name="csrfmiddlewaretoken"' in dialog
    assert f'data-support-path="/meetings/{page_meeting.pk}/room/support/"' in body


def test_a_member_gets_no_facilitator_panel_menu_or_alerts(client, page_meeting, member):
    body = body_for(client, member, page_meeting)
    for marker in ('id="person-menu"', 'id="panel-toggle"', 'id="support-alerts"'):
        assert marker not in body


def test_a_facilitator_gets_the_panel_one_tap_away_the_seat_menu_and_the_alerts(
    client, page_meeting, facilitator
):
    body = body_for(client, facilitator, page_meeting)
    assert 'aria-controls="facilitator-panel"' in body
    assert 'id="person-menu"' in body
    assert 'id="support-alerts" class="support-alerts" role="alert"' in body
    assert 'id="alert-sound"' in body


def test_the_page_shows_when_the_meeting_ends_and_how_long_it_has(client, page_meeting, member):
    body = body_for(client, member, page_meeting)
    assert f'data-ends-at="{page_meeting.ends_at.isoformat()}"' in body
    assert 'id="meeting-clock"' in body
    assert 'id="room-ended"' in body
