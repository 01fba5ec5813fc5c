"""The room's page: who sees it, with which controls."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circles.models import Membership
from tests.meetings.room.conftest import agree, make_meeting


@pytest.fixture
def page_meeting(circle, facilitator, member):
    return make_meeting(circle, facilitators=[facilitator], going=[member], agreed=False)


def url(meeting):
    return f"/meetings/{meeting.pk}/room/"


def test_a_member_who_is_going_gets_the_page_without_facilitator_controls(
    client, page_meeting, member
):
    client.force_login(member)
    response = client.get(url(page_meeting))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-socket-path="/ws/meetings/{page_meeting.pk}/room/"' in body
    assert "I need support" in body
    assert "Facilitator controls" not in body
    assert 'id="share-template"' in body


def test_a_facilitator_gets_the_facilitator_controls(client, page_meeting, facilitator):
    client.force_login(facilitator)
    body = client.get(url(page_meeting)).content.decode()
    assert "Facilitator controls" in body
    assert 'data-can-moderate="true"' in body


def test_site_staff_may_enter(client, page_meeting, staff):
    client.force_login(staff)
    assert client.get(url(page_meeting)).status_code == 200


def test_someone_without_an_rsvp_is_refused(client, page_meeting, other_member):
    client.force_login(other_member)
    response = client.get(url(page_meeting))
    assert response.status_code == 403


def test_a_banned_member_does_not_learn_the_meeting_exists(client, page_meeting, member):
    Membership.objects.filter(user=member).update(state=Membership.State.BANNED)
    client.force_login(member)
    assert client.get(url(page_meeting)).status_code == 404


def test_an_unknown_meeting_is_not_found(client, member):
    client.force_login(member)
    assert client.get("/meetings/987654/room/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, page_meeting):
    response = client.get(url(page_meeting))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_only_answers_get(client, page_meeting, member):
    client.force_login(member)
    assert client.post(url(page_meeting)).status_code == 405


def test_a_room_that_is_not_open_says_when_it_opens(client, circle, facilitator, member):
    later = make_meeting(
        circle,
        facilitators=[facilitator],
        going=[member],
        starts_at=timezone.now() + timedelta(days=2),
    )
    client.force_login(member)
    body = client.get(url(later)).content.decode()
    assert "The room isn't open right now" in body
    assert 'data-open="false"' in body


def test_the_page_carries_no_inline_script_or_style(client, page_meeting, facilitator):
    client.force_login(facilitator)
    body = client.get(url(page_meeting)).content.decode()
    assert "<script>" not in body
    assert ' style="' not in body
    assert " onclick=" not in body


def test_the_page_offers_the_agreements_the_check_in_and_a_hidden_check_out(
    client, page_meeting, member
):
    client.force_login(member)
    body = client.get(url(page_meeting)).content.decode()
    assert "I agree, for this meeting" in body
    assert 'data-wellbeing="check-in"' in body
    assert 'data-wellbeing="check-out"' in body


def test_a_member_who_has_not_confirmed_is_held_at_the_agreements(client, page_meeting, member):
    client.force_login(member)
    body = client.get(url(page_meeting)).content.decode()
    assert 'data-needs-agreement="true"' in body
    assert 'id="agreement-first"' in body


def test_a_member_who_confirmed_goes_straight_in(client, page_meeting, member):
    agree(member, page_meeting)
    client.force_login(member)
    body = client.get(url(page_meeting)).content.decode()
    assert 'data-needs-agreement="false"' in body
    assert 'id="agreement-first"' not in body


def test_a_facilitator_is_never_held_at_the_agreements(client, page_meeting, facilitator):
    client.force_login(facilitator)
    assert 'data-needs-agreement="false"' in client.get(url(page_meeting)).content.decode()


def test_facilitators_get_the_nudges_the_agreements_and_who_has_not_shared(
    client, page_meeting, facilitator
):
    client.force_login(facilitator)
    body = client.get(url(page_meeting)).content.decode()
    assert 'value="default-1">A minute left — take your time to finish.</option>' in body
    assert '<option value="We listen without fixing.">' in body
    assert 'id="not-shared"' in body
    assert 'data-order="not_shared_first"' in body


def test_members_get_none_of_the_facilitation_tools(client, page_meeting, member):
    client.force_login(member)
    body = client.get(url(page_meeting)).content.decode()
    for marker in ('id="nudge-form"', 'id="remind-form"', 'id="not-shared"', "default-1"):
        assert marker not in body
