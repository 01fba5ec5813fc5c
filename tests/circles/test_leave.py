import pytest
from django.urls import reverse

from circles.actions import leave_circle
from circles.models import Membership
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of

pytestmark = pytest.mark.django_db
State = Membership.State


def leave_url(circle):
    return reverse("circles:leave", args=[circle.slug])


def test_a_member_leaves(circle, host, member):
    leave_circle(member, circle)
    assert membership(circle, member).state == State.LEFT


def test_a_pending_member_withdraws_their_request(client_for, circle, pending):
    response = client_for(pending).post(leave_url(circle), follow=True)
    assert any("request to join was withdrawn" in m for m in messages_of(response))
    assert membership(circle, pending).state == State.LEFT


def test_leaving_a_circle_you_are_not_in_is_refused(circle, outsider):
    with pytest.raises(Refused, match="not a member"):
        leave_circle(outsider, circle)
    assert not Membership.objects.filter(user=outsider).exists()


def test_leaving_twice_is_refused(circle, host, member):
    leave_circle(member, circle)
    with pytest.raises(Refused, match="not a member"):
        leave_circle(member, circle)


def test_the_last_host_cannot_leave(circle, host, member):
    with pytest.raises(Refused, match="only host"):
        leave_circle(host, circle)
    assert membership(circle, host).is_host


def test_a_host_can_leave_when_another_host_remains(circle, host, member):
    Membership.objects.filter(user=member).update(role=Membership.Role.HOST)
    leave_circle(host, circle)
    left = membership(circle, host)
    assert (left.state, left.role) == (State.LEFT, Membership.Role.MEMBER)


def test_a_facilitator_who_leaves_comes_back_as_a_member(circle, host, facilitator):
    leave_circle(facilitator, circle)
    assert membership(circle, facilitator).role == Membership.Role.MEMBER


def test_the_leave_page_works(client_for, circle, host, member):
    response = client_for(member).post(leave_url(circle), follow=True)
    assert any("You left" in m for m in messages_of(response))
    assert membership(circle, member).state == State.LEFT


def test_the_leave_page_explains_a_refusal(client_for, circle, outsider):
    response = client_for(outsider).post(leave_url(circle), follow=True)
    assert any("not a member" in m for m in messages_of(response))


def test_the_leave_page_refuses_get(client_for, circle, member):
    assert client_for(member).get(leave_url(circle)).status_code == 405


def test_the_leave_page_sends_visitors_to_log_in(client, circle):
    assert client.post(leave_url(circle))["Location"].startswith("/accounts/login/")
