import pytest
from django.urls import reverse

from circles import permissions
from circles.actions import change_role
from circles.models import Circle, Membership
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Role = Membership.Role


def role_url(circle, target):
    return reverse("circles:member_action", args=[circle.slug, target.pk, "role"])


def test_a_host_makes_a_member_a_facilitator(circle, host, member):
    change_role(membership(circle, member), host, Role.FACILITATOR)
    assert permissions.can_facilitate(member, Circle.objects.get(pk=circle.pk))


def test_a_host_makes_another_host_and_can_then_step_down(circle, host, member):
    change_role(membership(circle, member), host, Role.HOST)
    change_role(membership(circle, host), member, Role.MEMBER)
    assert membership(circle, host).role == Role.MEMBER


def test_the_last_host_cannot_be_demoted(circle, host, member):
    with pytest.raises(Refused, match="only host"):
        change_role(membership(circle, host), host, Role.FACILITATOR)
    assert membership(circle, host).role == Role.HOST


def test_site_staff_cannot_demote_the_last_host_either(circle, host, staff):
    with pytest.raises(Refused, match="only host"):
        change_role(membership(circle, host), staff, Role.MEMBER)


def test_an_unknown_role_is_refused(circle, host, member):
    with pytest.raises(Refused, match="Choose"):
        change_role(membership(circle, member), host, "overlord")
    assert membership(circle, member).role == Role.MEMBER


def test_only_active_members_get_roles(circle, host, pending):
    with pytest.raises(Refused, match="not an active member"):
        change_role(membership(circle, pending), host, Role.FACILITATOR)


def test_facilitators_and_members_cannot_change_roles(circle, host, facilitator, member):
    for actor in (facilitator, member):
        with refused("forbidden"):
            change_role(membership(circle, member), actor, Role.HOST)
    assert membership(circle, member).role == Role.MEMBER


def test_setting_the_same_role_again_is_harmless(circle, host, facilitator):
    assert change_role(membership(circle, facilitator), host, Role.FACILITATOR).role == (
        Role.FACILITATOR
    )


def test_the_manage_page_changes_a_role(client_for, circle, host, member):
    response = client_for(host).post(
        role_url(circle, membership(circle, member)), {"role": "facilitator"}, follow=True
    )
    assert any("is now a facilitator" in m for m in messages_of(response))
    assert membership(circle, member).role == Role.FACILITATOR


def test_the_manage_page_refuses_a_bad_role(client_for, circle, host, member):
    response = client_for(host).post(
        role_url(circle, membership(circle, member)), {"role": "king"}, follow=True
    )
    assert any("Choose member" in m for m in messages_of(response))
    assert membership(circle, member).role == Role.MEMBER


def test_the_manage_page_explains_the_last_host_rule(client_for, circle, host):
    response = client_for(host).post(
        role_url(circle, membership(circle, host)), {"role": "member"}, follow=True
    )
    assert any("only host" in m for m in messages_of(response))
    assert membership(circle, host).role == Role.HOST
