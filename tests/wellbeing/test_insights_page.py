"""The facilitators' page after a meeting: group figures only with three answers, and
only once check-out has closed; follow-ups by name; nobody else may look."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def insights_url(meeting):
    return reverse("wellbeing:insights", args=[meeting.pk])


def test_two_answers_show_nothing_at_all(
    client_for, facilitator, member, other_member, long_ago_meeting, check_in_factory
):
    for person, came, went in ((member, 2, 4), (other_member, 3, 3)):
        check_in_factory(long_ago_meeting, person, "arriving", came)
        check_in_factory(long_ago_meeting, person, "leaving", went)
    response = client_for(facilitator).get(insights_url(long_ago_meeting))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fewer than 3 people answered, so there is nothing to show" in page
    assert "On average" not in page
    assert "<table" not in page


def test_three_answers_show_the_group(
    client_for, host, circle, member, other_member, user_factory, long_ago_meeting, check_in_factory
):
    third = user_factory()
    MembershipFactory(circle=circle, user=third)
    for person, came, went in ((member, 2, 4), (other_member, 3, 3), (third, 1, 2)):
        check_in_factory(long_ago_meeting, person, "arriving", came)
        check_in_factory(long_ago_meeting, person, "leaving", went)
    page = client_for(host).get(insights_url(long_ago_meeting)).content.decode()
    assert "On average, people left" in page
    assert "1.0 point higher" in page
    assert "<table" in page
    for person in (member, other_member, third):
        assert person.display_name not in page


def test_figures_wait_until_check_out_closes(
    client_for,
    facilitator,
    circle,
    member,
    other_member,
    user_factory,
    ended_meeting,
    check_in_factory,
):
    third = user_factory()
    MembershipFactory(circle=circle, user=third)
    for person in (member, other_member, third):
        check_in_factory(ended_meeting, person, "arriving", 3)
    page = client_for(facilitator).get(insights_url(ended_meeting)).content.decode()
    assert "figures appear then" in page
    assert "<table" not in page


def test_follow_ups_name_who_asked_or_left_much_lower(
    client_for, facilitator, member, other_member, ended_meeting, check_in_factory
):
    check_in_factory(ended_meeting, member, "arriving", 5)
    check_in_factory(ended_meeting, member, "leaving", 2)
    check_in_factory(ended_meeting, other_member, "leaving", None, wants=True)
    page = client_for(facilitator).get(insights_url(ended_meeting)).content.decode()
    assert member.display_name in page and "left much lower" in page
    assert other_member.display_name in page and "asked for a check-in" in page


def test_someone_fine_is_not_followed_up(
    client_for, facilitator, member, ended_meeting, check_in_factory
):
    check_in_factory(ended_meeting, member, "arriving", 3)
    check_in_factory(ended_meeting, member, "leaving", 2)
    page = client_for(facilitator).get(insights_url(ended_meeting)).content.decode()
    assert member.display_name not in page
    assert "Nobody asked for a check-in" in page


def test_the_page_waits_for_the_meeting_to_end(client_for, facilitator, open_meeting):
    page = client_for(facilitator).get(insights_url(open_meeting)).content.decode()
    assert "opens when the meeting is over" in page


@pytest.mark.parametrize("person", ["member", "other_member", "staff"])
def test_it_is_for_facilitators_and_hosts_only(request, client_for, long_ago_meeting, person):
    client = client_for(request.getfixturevalue(person))
    assert client.get(insights_url(long_ago_meeting)).status_code == 403


def test_outsiders_and_visitors_are_kept_out(client_for, outsider, long_ago_meeting):
    assert client_for(outsider).get(insights_url(long_ago_meeting)).status_code == 403
    assert client_for(None).get(insights_url(long_ago_meeting)).status_code == 302


def test_it_refuses_post(client_for, facilitator, long_ago_meeting):
    assert client_for(facilitator).post(insights_url(long_ago_meeting)).status_code == 405
