"""Checking in and out: the actions, the endpoints, and the safety event for a big drop."""

from datetime import timedelta

import pytest
from django.urls import reverse

from hearth.refusal import Refused
from meetings.models import RSVP
from meetings.wellbeing.actions import record_check_in
from meetings.wellbeing.models import CheckIn
from moderation.models import SafetyEvent
from tests.refusals import refused
from tests.wellbeing.conftest import json_post

pytestmark = pytest.mark.django_db


def check_in_url(meeting):
    return reverse("wellbeing:check_in", args=[meeting.pk])


def check_out_url(meeting):
    return reverse("wellbeing:check_out", args=[meeting.pk])


# --- The action -------------------------------------------------------------------------


def test_it_records_how_a_member_arrives(open_meeting, member):
    check_in = record_check_in(member, open_meeting.pk, "arriving", "2", wants_check_in=True)
    assert (check_in.moment, check_in.score, check_in.wants_check_in) == ("arriving", 2, True)


def test_rather_not_say_is_an_answer_without_a_score(open_meeting, member):
    assert record_check_in(member, open_meeting.pk, "arriving", "none").score is None


def test_an_answer_can_be_changed_while_the_room_is_open(open_meeting, member):
    record_check_in(member, open_meeting.pk, "arriving", 2)
    record_check_in(member, open_meeting.pk, "arriving", 4)
    assert list(CheckIn.objects.values_list("score", flat=True)) == [4]


@pytest.mark.parametrize("score", ["0", "6", "2.5", "lots", 9, -1])
def test_a_score_off_the_scale_is_refused_and_changes_nothing(open_meeting, member, score):
    record_check_in(member, open_meeting.pk, "arriving", 3)
    with pytest.raises(Refused, match="one of the five answers"):
        record_check_in(member, open_meeting.pk, "arriving", score)
    assert CheckIn.objects.get().score == 3


def test_it_refuses_someone_who_may_not_enter_the_room(open_meeting, circle, user_factory):
    from tests.factories import MembershipFactory

    not_going = user_factory()
    MembershipFactory(circle=circle, user=not_going)
    with refused("forbidden"):
        record_check_in(not_going, open_meeting.pk, "arriving", 3)
    assert not CheckIn.objects.exists()


def test_arriving_is_closed_once_the_meeting_ended(ended_meeting, member):
    with refused("forbidden", match="over"):
        record_check_in(member, ended_meeting.pk, "arriving", 3)


def test_leaving_stays_open_for_a_while_after_the_meeting(ended_meeting, member):
    assert record_check_in(member, ended_meeting.pk, "leaving", 4).score == 4


def test_leaving_closes_two_hours_after_the_room(long_ago_meeting, member):
    with refused("forbidden", match="closed"):
        record_check_in(member, long_ago_meeting.pk, "leaving", 4)


def test_leaving_is_not_asked_before_the_meeting_starts(meeting_factory, member):
    later = meeting_factory(going=[member], starts_in=timedelta(minutes=5))
    with refused("forbidden", match="started"):
        record_check_in(member, later.pk, "leaving", 4)


def test_a_much_lower_check_out_records_one_safety_event(open_meeting, member, circle):
    record_check_in(member, open_meeting.pk, "arriving", 4)
    record_check_in(member, open_meeting.pk, "leaving", 2)
    record_check_in(member, open_meeting.pk, "leaving", 1)
    event = SafetyEvent.objects.get()
    assert event.kind == SafetyEvent.Kind.CHECKOUT_DROP
    assert (event.user, event.circle, event.meeting_id) == (member, circle, open_meeting.pk)
    assert event.note == ""


def test_a_one_point_drop_records_no_safety_event(open_meeting, member):
    record_check_in(member, open_meeting.pk, "arriving", 4)
    record_check_in(member, open_meeting.pk, "leaving", 3, wants_check_in=True)
    assert not SafetyEvent.objects.exists()


# --- The endpoints ------------------------------------------------------------------------


def test_the_check_in_page_shows_the_scale_in_words(client_for, member, open_meeting):
    response = client_for(member).get(check_in_url(open_meeting))
    assert response.status_code == 200
    for words in ("Really struggling", "Low", "Okay", "Good", "Really good", "Rather not say"):
        assert words in response.content.decode()


def test_posting_a_check_in_saves_it_and_comes_back(client_for, member, open_meeting):
    response = client_for(member).post(check_in_url(open_meeting), {"score": "5"})
    assert response.status_code == 302
    assert CheckIn.objects.get(user=member).score == 5


def test_the_room_posts_with_fetch_and_gets_json(client_for, member, open_meeting):
    response = json_post(
        client_for(member), check_out_url(open_meeting), {"score": "none", "wants_check_in": "on"}
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True
    check_in = CheckIn.objects.get(user=member)
    assert (check_in.moment, check_in.score, check_in.wants_check_in) == ("leaving", None, True)


def test_the_room_form_comes_back_to_the_room(client_for, member, open_meeting):
    room = f"/meetings/{open_meeting.pk}/room/"
    response = client_for(member).post(check_in_url(open_meeting), {"score": "3", "next": room})
    assert response.status_code == 302
    assert response["Location"] == room


def test_an_off_scale_post_is_answered_clearly_and_changes_nothing(
    client_for, member, open_meeting
):
    client = client_for(member)
    client.post(check_in_url(open_meeting), {"score": "3"})
    response = client.post(check_in_url(open_meeting), {"score": "9"})
    assert response.status_code == 400
    assert "one of the five answers" in response.content.decode()
    response = json_post(client, check_in_url(open_meeting), {"score": ""})
    assert response.status_code == 400
    assert "one of the five answers" in response.json()["error"]
    assert CheckIn.objects.get().score == 3


def test_it_refuses_a_member_who_is_not_going(client_for, other_member, open_meeting):
    RSVP.objects.filter(user=other_member).delete()
    client = client_for(other_member)
    assert client.get(check_in_url(open_meeting)).status_code == 403
    assert json_post(client, check_in_url(open_meeting), {"score": "3"}).status_code == 403
    assert not CheckIn.objects.exists()


def test_it_hides_the_meeting_from_a_banned_member(client_for, member, open_meeting):
    member.memberships.update(state="banned")
    assert client_for(member).post(check_in_url(open_meeting), {"score": "3"}).status_code == 404
    assert not CheckIn.objects.exists()


def test_it_sends_visitors_to_log_in(client_for, open_meeting):
    response = client_for(None).post(check_in_url(open_meeting), {"score": "3"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_closed_check_in_is_refused_with_a_reason(client_for, member, ended_meeting):
    response = json_post(client_for(member), check_in_url(ended_meeting), {"score": "3"})
    assert response.status_code == 403
    assert "over" in response.json()["error"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_it_refuses_other_methods(client_for, member, open_meeting, method):
    response = getattr(client_for(member), method)(check_in_url(open_meeting))
    assert response.status_code == 405
    assert not CheckIn.objects.exists()


def test_an_empty_post_from_someone_refused_gets_the_reason_not_an_error(
    client_for, other_member, open_meeting
):
    response = client_for(other_member).post(check_in_url(open_meeting), {})
    assert response.status_code == 400
    assert not CheckIn.objects.exists()
