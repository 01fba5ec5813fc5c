import pytest
from django.urls import reverse

from circles.actions import join_circle
from circles.models import Circle, Membership
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of
from tests.factories import MembershipFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db
State = Membership.State


def join_url(circle):
    return reverse("circles:join", args=[circle.slug])


def accepted(circle):
    return {"version": circle.agreements_version, "accept": "on"}


# --- The action ------------------------------------------------------------------------


def test_joining_an_open_circle_makes_an_active_member_with_the_agreements(circle, outsider):
    joined = join_circle(outsider, circle, accepted_version=1)
    assert joined.state == State.ACTIVE
    assert joined.role == Membership.Role.MEMBER
    assert joined.accepted_version == 1


def test_joining_a_circle_by_request_leaves_a_pending_request(circle, outsider):
    circle.join_policy = Circle.JoinPolicy.REQUEST
    circle.save()
    assert join_circle(outsider, circle, accepted_version=1).state == State.PENDING


def test_an_invite_only_circle_refuses_people_without_an_invitation(circle, outsider):
    circle.join_policy = Circle.JoinPolicy.INVITE
    circle.save()
    with pytest.raises(Refused, match="invite only"):
        join_circle(outsider, circle, accepted_version=1)
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_invited_person_can_join_an_invite_only_circle(circle, outsider):
    circle.join_policy = Circle.JoinPolicy.INVITE
    circle.save()
    MembershipFactory(circle=circle, user=outsider, state=State.INVITED, accepted_version=None)
    assert join_circle(outsider, circle, accepted_version=1).state == State.ACTIVE


def test_joining_needs_the_current_agreements_version(circle, outsider):
    with pytest.raises(Refused, match="agreements changed"):
        join_circle(outsider, circle, accepted_version=0)
    with pytest.raises(Refused, match="agreements changed"):
        join_circle(outsider, circle, accepted_version="nonsense")
    assert not Membership.objects.filter(user=outsider).exists()


def test_joining_twice_is_refused_and_changes_nothing(circle, member):
    before = membership(circle, member)
    with pytest.raises(Refused, match="already a member"):
        join_circle(member, circle, accepted_version=1)
    after = membership(circle, member)
    assert (after.state, after.role, after.updated_at) == (
        before.state,
        before.role,
        before.updated_at,
    )


def test_asking_twice_is_refused(circle, pending):
    with pytest.raises(Refused, match="already asked"):
        join_circle(pending, circle, accepted_version=1)


def test_a_banned_member_cannot_rejoin(circle, banned):
    with pytest.raises(Refused, match="banned"):
        join_circle(banned, circle, accepted_version=1)
    assert membership(circle, banned).state == State.BANNED


def test_a_full_circle_refuses_with_a_clear_message(circle, host, member, outsider):
    circle.member_limit = 2
    circle.save()
    with pytest.raises(Refused, match="full"):
        join_circle(outsider, circle, accepted_version=1)
    assert not Membership.objects.filter(user=outsider).exists()


def test_someone_who_left_can_join_again(circle, outsider):
    join_circle(outsider, circle, accepted_version=1)
    Membership.objects.filter(user=outsider).update(state=State.LEFT)
    assert join_circle(outsider, circle, accepted_version=1).state == State.ACTIVE
    assert Membership.objects.filter(user=outsider).count() == 1


def test_visitors_cannot_join(circle):
    from django.contrib.auth.models import AnonymousUser

    with refused("forbidden"):
        join_circle(AnonymousUser(), circle, accepted_version=1)


# --- The view --------------------------------------------------------------------------


def test_the_join_page_joins_after_the_agreements_are_accepted(client_for, circle, outsider):
    response = client_for(outsider).post(join_url(circle), accepted(circle), follow=True)
    assert membership(circle, outsider).state == State.ACTIVE
    assert any("Welcome to Evening grief circle" in m for m in messages_of(response))


def test_the_join_page_asks_for_the_tick_and_changes_nothing_without_it(
    client_for, circle, outsider
):
    response = client_for(outsider).post(join_url(circle), {"version": 1}, follow=True)
    assert any("tick the box" in m for m in messages_of(response))
    assert not Membership.objects.filter(user=outsider).exists()


def test_the_join_page_says_when_a_request_was_sent(client_for, circle, outsider):
    circle.join_policy = Circle.JoinPolicy.REQUEST
    circle.save()
    response = client_for(outsider).post(join_url(circle), accepted(circle), follow=True)
    assert any("asked to join" in m for m in messages_of(response))


def test_the_join_page_shows_refusals_as_messages(client_for, circle, member):
    response = client_for(member).post(join_url(circle), accepted(circle), follow=True)
    assert response.status_code == 200
    assert any("already a member" in m for m in messages_of(response))


def test_the_join_page_sends_visitors_to_log_in(client, circle):
    response = client.post(join_url(circle), accepted(circle))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "evening-grief" in response["Location"]


def test_the_join_page_refuses_get(client_for, circle, outsider):
    assert client_for(outsider).get(join_url(circle)).status_code == 405


def test_a_banned_member_gets_a_403_from_the_join_page(client_for, circle, banned):
    assert client_for(banned).post(join_url(circle), accepted(circle)).status_code == 403
    assert membership(circle, banned).state == State.BANNED
