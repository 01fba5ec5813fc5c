from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from circles import permissions
from circles.actions import (
    ban_member,
    ban_user,
    join_circle,
    mute_member,
    remove_member,
    unban_member,
    unmute_member,
)
from circles.models import Circle, Membership
from hearth.refusal import Refused
from tests.circles.conftest import membership, messages_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db
State = Membership.State


def action_url(circle, user, verb):
    return reverse("circles:member_action", args=[circle.slug, membership(circle, user).pk, verb])


def fresh(circle):
    return Circle.objects.get(pk=circle.pk)


def test_a_host_removes_a_member_with_a_reason(circle, host, member):
    removed = remove_member(membership(circle, member), host, "Repeatedly interrupted others")
    assert (removed.state, removed.reason) == (State.REMOVED, "Repeatedly interrupted others")


def test_a_removed_member_may_join_again(circle, host, member):
    remove_member(membership(circle, member), host, "Cooling off")
    assert join_circle(member, fresh(circle), accepted_version=1).state == State.ACTIVE


def test_removing_needs_a_reason(circle, host, member):
    with pytest.raises(Refused, match="reason"):
        remove_member(membership(circle, member), host, "  ")
    assert membership(circle, member).is_active


def test_an_over_long_reason_is_refused(circle, host, member):
    with pytest.raises(Refused, match="under 500"):
        remove_member(membership(circle, member), host, "x" * 501)


def test_removing_someone_who_is_not_a_member_is_refused(circle, host, member):
    remove_member(membership(circle, member), host, "Once")
    with pytest.raises(Refused, match="not a member"):
        remove_member(membership(circle, member), host, "Twice")


def test_a_host_cannot_remove_themselves(circle, host, member):
    with pytest.raises(Refused, match="Leave"):
        remove_member(membership(circle, host), host, "Bye")


def test_the_last_host_cannot_be_removed_or_banned(circle, host, staff):
    with pytest.raises(Refused, match="only host"):
        remove_member(membership(circle, host), staff, "Abandoned")
    with pytest.raises(Refused, match="only host"):
        ban_member(membership(circle, host), staff, "Abandoned")
    assert membership(circle, host).is_host


def test_members_cannot_remove_or_ban(circle, host, facilitator, member, other_member):
    for actor in (facilitator, member):
        with refused("forbidden"):
            remove_member(membership(circle, other_member), actor, "No")
        with refused("forbidden"):
            ban_member(membership(circle, other_member), actor, "No")
    assert membership(circle, other_member).is_active


def test_a_ban_removes_the_member_and_keeps_them_out(circle, host, member):
    banned = ban_member(membership(circle, member), host, "Harassed a member")
    assert (banned.state, banned.role, banned.reason) == (
        State.BANNED,
        "member",
        "Harassed a member",
    )
    assert not permissions.can_view_circle(member, fresh(circle))
    with pytest.raises(Refused, match="banned"):
        join_circle(member, fresh(circle), accepted_version=1)


def test_banning_twice_is_harmless(circle, host, member):
    ban_member(membership(circle, member), host, "Once")
    assert ban_member(membership(circle, member), host, "Twice").reason == "Once"


def test_ban_user_bans_someone_who_never_joined(circle, host, outsider):
    assert ban_user(circle, outsider, host, "Spam").state == State.BANNED


def test_ban_user_changes_nothing_when_refused(circle, member, outsider):
    with refused("forbidden"):
        ban_user(circle, outsider, member, "Spam")
    assert not Membership.objects.filter(user=outsider).exists()


def test_unbanning_lets_them_join_again(circle, host, banned):
    unban_member(membership(circle, banned), host)
    assert membership(circle, banned).state == State.LEFT
    assert join_circle(banned, fresh(circle), accepted_version=1).is_active


def test_unbanning_someone_not_banned_is_harmless(circle, host, member):
    assert unban_member(membership(circle, member), host).is_active


def test_a_host_mutes_and_unmutes(circle, host, member):
    until = timezone.now() + timedelta(hours=1)
    assert mute_member(membership(circle, member), host, until, "Talking over others").is_muted()
    assert not unmute_member(membership(circle, member), host).is_muted()


def test_a_mute_must_end_in_the_future(circle, host, member):
    with pytest.raises(Refused, match="future"):
        mute_member(membership(circle, member), host, timezone.now() - timedelta(minutes=1))
    assert membership(circle, member).muted_until is None


def test_members_cannot_mute(circle, host, facilitator, member):
    with refused("forbidden"):
        mute_member(membership(circle, member), facilitator, timezone.now() + timedelta(hours=1))


def test_the_manage_page_removes_with_a_reason(client_for, circle, host, member):
    response = client_for(host).post(
        action_url(circle, member, "remove"), {"reason": "Left rude notes"}, follow=True
    )
    assert any("was removed" in m for m in messages_of(response))
    assert membership(circle, member).state == State.REMOVED


def test_the_manage_page_needs_a_reason_to_remove(client_for, circle, host, member):
    response = client_for(host).post(action_url(circle, member, "remove"), {}, follow=True)
    assert any("required" in m for m in messages_of(response))
    assert membership(circle, member).is_active


def test_the_manage_page_bans_and_unbans(client_for, circle, host, member):
    client = client_for(host)
    client.post(action_url(circle, member, "ban"), {"reason": "Threats"})
    assert membership(circle, member).state == State.BANNED
    client.post(action_url(circle, member, "unban"))
    assert membership(circle, member).state == State.LEFT


def test_the_manage_page_mutes_and_unmutes(client_for, circle, host, member):
    client = client_for(host)
    client.post(action_url(circle, member, "mute"), {"hours": "24", "reason": ""})
    assert membership(circle, member).is_muted()
    client.post(action_url(circle, member, "unmute"))
    assert not membership(circle, member).is_muted()


def test_the_manage_page_refuses_a_bad_mute_duration(client_for, circle, host, member):
    client_for(host).post(action_url(circle, member, "mute"), {"hours": "9999"})
    assert not membership(circle, member).is_muted()


def test_a_member_cannot_ban_through_the_page(client_for, circle, host, member, other_member):
    url = action_url(circle, other_member, "ban")
    assert client_for(member).post(url, {"reason": "x"}).status_code == 403
    assert membership(circle, other_member).is_active
