"""Every change is announced after commit, with a dotted action name."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circles import actions
from circles.invites import make_token
from circles.models import Circle, Membership
from circles.signals import (
    CIRCLE_ACTIONS,
    MEMBERSHIP_ACTIONS,
    circle_changed,
    membership_changed,
)
from hearth.refusal import Refused
from tests.circles.conftest import membership
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    received = []

    def on_membership(sender, membership, actor, action, reason, **kwargs):
        received.append((action, membership.user.display_name, reason))

    def on_circle(sender, circle, actor, action, reason, **kwargs):
        received.append((action, circle.name, reason))

    membership_changed.connect(on_membership)
    circle_changed.connect(on_circle)
    yield received
    membership_changed.disconnect(on_membership)
    circle_changed.disconnect(on_circle)


def test_nothing_is_sent_before_commit(circle, outsider, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.join_circle(outsider, circle, accepted_version=1)
    assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [("circles.member.joined", "Otto Outsider", "")]


def test_a_refusal_sends_nothing(circle, member, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused):
        actions.join_circle(member, circle, accepted_version=1)
    assert sent == []


def test_each_action_sends_its_dotted_name(
    circle, host, member, other_member, outsider, user_factory, sent,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        created = actions.create_circle(
            host, name="Second", description="x", topics=[TopicFactory()], agreements="- a"
        )
        actions.update_circle(created, host, description="y")
        actions.update_agreements(circle, host, "- new")
        actions.accept_agreements(member, circle, 2)
        invite = actions.create_invite(circle, host)
        actions.redeem_invite(
            user_factory(display_name="Ivy"), make_token(invite), accepted_version=2
        )
        actions.revoke_invite(invite, host)
        Circle.objects.filter(pk=circle.pk).update(join_policy="request")
        actions.join_circle(outsider, Circle.objects.get(pk=circle.pk), accepted_version=2)
        actions.decline_request(membership(circle, outsider), host)
        actions.join_circle(outsider, Circle.objects.get(pk=circle.pk), accepted_version=2)
        actions.approve_request(membership(circle, outsider), host)
        actions.change_role(membership(circle, member), host, "facilitator")
        actions.mute_member(membership(circle, member), host, later, "loud")
        actions.unmute_member(membership(circle, member), host)
        actions.leave_circle(member, circle)
        actions.remove_member(membership(circle, other_member), host, "rude")
        actions.ban_member(membership(circle, outsider), host, "threats")
        actions.unban_member(membership(circle, outsider), host)
    names = [action for action, *_ in sent]
    assert names == [
        "circles.circle.created",
        "circles.member.joined",
        "circles.circle.updated",
        "circles.agreements.updated",
        "circles.member.agreements_accepted",
        "circles.invite.created",
        "circles.member.joined",
        "circles.invite.revoked",
        "circles.member.requested",
        "circles.member.declined",
        "circles.member.requested",
        "circles.member.approved",
        "circles.member.role_changed",
        "circles.member.muted",
        "circles.member.unmuted",
        "circles.member.left",
        "circles.member.removed",
        "circles.member.banned",
        "circles.member.unbanned",
    ]
    assert set(names) == MEMBERSHIP_ACTIONS | CIRCLE_ACTIONS
    assert ("circles.member.removed", "Olive Other", "rude") in sent
    assert ("circles.member.role_changed", "Milo Member", "member -> facilitator") in sent


def test_a_repeated_change_sends_nothing_more(
    circle, host, pending, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve_request(membership(circle, pending), host)
        actions.approve_request(membership(circle, pending), host)
    assert [action for action, *_ in sent] == ["circles.member.approved"]


def test_the_signal_carries_the_membership_and_the_actor(
    circle, host, member, django_capture_on_commit_callbacks
):
    got = {}

    def receiver(sender, **kwargs):
        got.update(kwargs)

    membership_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.ban_member(membership(circle, member), host, "threats")
    finally:
        membership_changed.disconnect(receiver)
    assert got["membership"].state == Membership.State.BANNED
    assert got["actor"] == host
    assert got["reason"] == "threats"
