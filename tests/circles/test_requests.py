import pytest
from django.urls import reverse

from circles.actions import approve_request, decline_request, join_circle
from circles.models import Circle, Membership
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db
State = Membership.State


def action_url(circle, target, verb):
    return reverse("circles:member_action", args=[circle.slug, target.pk, verb])


def test_a_host_approves_a_request(circle, host, pending):
    approved = approve_request(membership(circle, pending), host)
    assert approved.state == State.ACTIVE


def test_approving_twice_is_harmless(circle, host, pending):
    approve_request(membership(circle, pending), host)
    assert approve_request(membership(circle, pending), host).state == State.ACTIVE


def test_approving_into_a_full_circle_is_refused(circle, host, member, pending):
    Circle.objects.filter(pk=circle.pk).update(member_limit=2)
    with pytest.raises(Refused, match="full"):
        approve_request(membership(circle, pending), host)
    assert membership(circle, pending).state == State.PENDING


def test_only_hosts_approve(circle, facilitator, member, pending):
    for user in (facilitator, member, pending):
        with refused("forbidden"):
            approve_request(membership(circle, pending), user)
    assert membership(circle, pending).state == State.PENDING


def test_a_host_declines_and_the_person_may_ask_again(circle, host, pending):
    declined = decline_request(membership(circle, pending), host)
    assert declined.state == State.LEFT
    Circle.objects.filter(pk=circle.pk).update(join_policy=Circle.JoinPolicy.REQUEST)
    circle.refresh_from_db()
    assert join_circle(pending, circle, accepted_version=1).state == State.PENDING


def test_declining_something_that_is_not_a_request_is_refused(circle, host, member):
    with pytest.raises(Refused, match="no open request"):
        decline_request(membership(circle, member), host)
    assert membership(circle, member).state == State.ACTIVE


def test_the_manage_page_approves(client_for, circle, host, pending):
    response = client_for(host).post(
        action_url(circle, membership(circle, pending), "approve"), follow=True
    )
    assert any("is now a member" in m for m in messages_of(response))
    assert membership(circle, pending).state == State.ACTIVE


def test_the_manage_page_declines(client_for, circle, host, pending):
    client_for(host).post(action_url(circle, membership(circle, pending), "decline"))
    assert membership(circle, pending).state == State.LEFT


def test_members_cannot_use_the_approve_button(client_for, circle, member, pending):
    url = action_url(circle, membership(circle, pending), "approve")
    assert client_for(member).post(url).status_code == 403
    assert membership(circle, pending).state == State.PENDING


def test_the_approve_button_refuses_get(client_for, circle, host, pending):
    url = action_url(circle, membership(circle, pending), "approve")
    assert client_for(host).get(url).status_code == 405


def test_an_unknown_verb_or_membership_is_a_404(client_for, circle, host, pending):
    client = client_for(host)
    assert (
        client.post(action_url(circle, membership(circle, pending), "promote")).status_code == 404
    )
    url = reverse("circles:member_action", args=[circle.slug, 999_999, "approve"])
    assert client.post(url).status_code == 404


def test_a_membership_of_another_circle_is_a_404(
    client_for, circle, host, circle_factory, outsider
):
    other = circle_factory(join_policy="request")
    request = join_circle(outsider, other, accepted_version=1)
    assert client_for(host).post(action_url(circle, request, "approve")).status_code == 404
    assert membership(other, outsider).state == State.PENDING
