from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from circles.actions import (
    InvalidInvite,
    create_invite,
    redeem_invite,
    revoke_invite,
)
from circles.invites import make_token
from circles.models import Circle, Invite, Membership
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db
State = Membership.State


@pytest.fixture
def invite_only(circle):
    Circle.objects.filter(pk=circle.pk).update(join_policy=Circle.JoinPolicy.INVITE)
    circle.refresh_from_db()
    return circle


def invite_url(token):
    return reverse("circles:invite", args=[token])


def test_an_invite_link_lets_someone_into_an_invite_only_circle(invite_only, host, outsider):
    invite = create_invite(invite_only, host)
    joined = redeem_invite(outsider, make_token(invite), accepted_version=1)
    assert (joined.state, joined.accepted_version) == (State.ACTIVE, 1)
    invite.refresh_from_db()
    assert invite.uses == 1


def test_an_invite_skips_the_request_step(circle, host, outsider):
    Circle.objects.filter(pk=circle.pk).update(join_policy=Circle.JoinPolicy.REQUEST)
    token = make_token(create_invite(circle, host))
    assert redeem_invite(outsider, token, accepted_version=1).state == State.ACTIVE


def test_a_pending_request_becomes_active_with_an_invite(circle, host, pending):
    token = make_token(create_invite(circle, host))
    assert redeem_invite(pending, token, accepted_version=1).state == State.ACTIVE


def test_the_same_invite_gives_the_same_link(circle, host):
    invite = create_invite(circle, host)
    assert make_token(invite) == make_token(Invite.objects.get(pk=invite.pk))


def test_a_tampered_link_is_refused(circle, host, outsider):
    token = make_token(create_invite(circle, host))
    for bad in (token[:-2] + "xx", "nonsense", token.replace(":", "")):
        with pytest.raises(InvalidInvite) as caught:
            redeem_invite(outsider, bad, accepted_version=1)
        assert caught.value.reason == "tampered"
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_expired_link_is_refused(circle, host, outsider):
    token = make_token(create_invite(circle, host, expires_in=timedelta(days=1)))
    later = timezone.now() + timedelta(days=1, minutes=1)
    with time_machine.travel(later), pytest.raises(InvalidInvite, match="expired"):
        redeem_invite(outsider, token, accepted_version=1)
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_revoked_link_is_refused(circle, host, outsider):
    invite = create_invite(circle, host)
    revoke_invite(invite, host)
    with pytest.raises(InvalidInvite, match="withdrawn"):
        redeem_invite(outsider, make_token(invite), accepted_version=1)


def test_a_single_use_link_works_once(circle, host, outsider, user_factory):
    token = make_token(create_invite(circle, host, single_use=True))
    redeem_invite(outsider, token, accepted_version=1)
    with pytest.raises(InvalidInvite, match="already been used"):
        redeem_invite(user_factory(), token, accepted_version=1)


def test_a_reusable_link_works_for_several_people(circle, host, user_factory):
    token = make_token(create_invite(circle, host))
    for _ in range(3):
        redeem_invite(user_factory(), token, accepted_version=1)
    assert Invite.objects.get().uses == 3


def test_an_invite_does_not_lift_a_ban(circle, host, banned):
    token = make_token(create_invite(circle, host))
    with pytest.raises(Refused, match="banned"):
        redeem_invite(banned, token, accepted_version=1)
    assert membership(circle, banned).state == State.BANNED
    assert Invite.objects.get().uses == 0


def test_an_invite_does_not_make_room_in_a_full_circle(circle, host, member, outsider):
    Circle.objects.filter(pk=circle.pk).update(member_limit=2)
    token = make_token(create_invite(circle, host))
    with pytest.raises(Refused, match="full"):
        redeem_invite(outsider, token, accepted_version=1)
    assert Invite.objects.get().uses == 0


def test_members_cannot_redeem_twice(circle, host, member):
    token = make_token(create_invite(circle, host))
    with pytest.raises(Refused, match="already a member"):
        redeem_invite(member, token, accepted_version=1)


def test_redeeming_needs_the_current_agreements(circle, host, outsider):
    token = make_token(create_invite(circle, host))
    with pytest.raises(Refused, match="agreements changed"):
        redeem_invite(outsider, token, accepted_version=0)


def test_only_hosts_create_and_revoke_invites(circle, host, facilitator, member):
    for actor in (facilitator, member):
        with refused("forbidden"):
            create_invite(circle, actor)
    invite = create_invite(circle, host)
    with refused("forbidden"):
        revoke_invite(invite, member)
    assert Invite.objects.get().revoked_at is None


def test_an_invite_lasts_between_an_hour_and_thirty_days(circle, host):
    for lifetime in (timedelta(minutes=5), timedelta(days=31)):
        with pytest.raises(Refused, match="one hour to 30 days"):
            create_invite(circle, host, expires_in=lifetime)
    assert not Invite.objects.exists()


# --- Pages -----------------------------------------------------------------------------


def test_the_invite_page_shows_the_circle_and_its_agreements(
    client_for, invite_only, host, outsider
):
    token = make_token(create_invite(invite_only, host))
    body = client_for(outsider).get(invite_url(token)).content.decode()
    assert "You're invited to Evening grief circle" in body
    assert "We listen without fixing" in body
    assert "Accept and join" in body


def test_the_invite_page_joins(client_for, invite_only, host, outsider):
    token = make_token(create_invite(invite_only, host))
    response = client_for(outsider).post(
        invite_url(token), {"version": 1, "accept": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("circles:detail", args=[invite_only.slug])
    assert membership(invite_only, outsider).is_active


def test_the_invite_page_needs_the_tick(client_for, invite_only, host, outsider):
    token = make_token(create_invite(invite_only, host))
    response = client_for(outsider).post(invite_url(token), {"version": 1})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=outsider).exists()


def test_the_invite_page_explains_a_refusal(client_for, circle, host, member):
    token = make_token(create_invite(circle, host))
    response = client_for(member).post(
        invite_url(token), {"version": 1, "accept": "on"}, follow=True
    )
    assert any("already a member" in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("spoil", "status", "text"),
    [
        ("tamper", 400, "Check that you copied all of it"),
        ("revoke", 410, "withdrawn"),
        ("expire", 410, "expired"),
        ("use", 410, "already been used"),
    ],
)
def test_a_bad_link_gets_a_clear_page(
    client_for, circle, host, outsider, user_factory, spoil, status, text
):
    invite = create_invite(circle, host, single_use=True)
    token = make_token(invite)
    if spoil == "tamper":
        token = token[:-3] + "abc"
    elif spoil == "revoke":
        revoke_invite(invite, host)
    elif spoil == "expire":
        Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now())
    else:
        redeem_invite(user_factory(), token, accepted_version=1)
    for method in ("get", "post"):
        response = getattr(client_for(outsider), method)(invite_url(token))
        assert response.status_code == status
        assert "This invite link doesn't work" in response.content.decode()
        assert text in response.content.decode()


def test_visitors_are_asked_to_log_in_first(client, circle, host):
    token = make_token(create_invite(circle, host))
    assert "log in" in client.get(invite_url(token)).content.decode()
    response = client.post(invite_url(token), {"version": 1, "accept": "on"})
    assert response["Location"].startswith("/accounts/login/")


def test_the_manage_page_creates_and_lists_a_link(client_for, circle, host):
    client = client_for(host)
    response = client.post(
        reverse("circles:create_invite", args=[circle.slug]),
        {"days": "1", "single_use": "on"},
        follow=True,
    )
    invite = Invite.objects.get()
    assert invite.single_use
    assert timedelta(hours=23) < invite.expires_at - timezone.now() <= timedelta(days=1)
    assert make_token(invite) in response.content.decode()


def test_the_manage_page_refuses_a_bad_lifetime(client_for, circle, host):
    client_for(host).post(reverse("circles:create_invite", args=[circle.slug]), {"days": "365"})
    assert not Invite.objects.exists()


def test_the_manage_page_revokes_a_link(client_for, circle, host):
    invite = create_invite(circle, host)
    client_for(host).post(reverse("circles:revoke_invite", args=[circle.slug, invite.pk]))
    invite.refresh_from_db()
    assert invite.revoked_at is not None


def test_members_cannot_create_links_through_the_page(client_for, circle, member):
    url = reverse("circles:create_invite", args=[circle.slug])
    assert client_for(member).post(url, {"days": "7"}).status_code == 403
    assert not Invite.objects.exists()


def test_the_invite_pages_refuse_get(client_for, circle, host):
    invite = create_invite(circle, host)
    client = client_for(host)
    assert client.get(reverse("circles:create_invite", args=[circle.slug])).status_code == 405
    url = reverse("circles:revoke_invite", args=[circle.slug, invite.pk])
    assert client.get(url).status_code == 405
