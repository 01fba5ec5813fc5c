"""Time-bound mutes and suspensions end by themselves (the beat task), and the member is told."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from circles.models import Membership
from moderation.actions import end_expired_restrictions, handle_report, suspend_account
from moderation.models import ModerationAction, Notice, Suspension
from moderation.tasks import end_expired_restrictions as task


def _membership(circle, member):
    return Membership.objects.get(circle=circle, user=member)


def test_a_mute_ends_when_its_time_comes_and_the_member_is_told(
    host, member, circle, member_report
):
    handle_report(member_report, host, "mute", hours=2)
    assert end_expired_restrictions() == {"suspensions": 0, "mutes": 0}
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        assert end_expired_restrictions() == {"suspensions": 0, "mutes": 1}
    assert _membership(circle, member).muted_until is None
    assert Notice.objects.filter(user=member, kind=Notice.Kind.MUTE_ENDED).count() == 1
    entry = ModerationAction.objects.get(action="moderation.member.unmuted")
    assert (entry.actor, entry.actor_name, entry.target_user) == (None, "Hearth", member)


def test_a_suspension_ends_when_its_time_comes(staff, member, member_report):
    handle_report(member_report, staff, "suspend", hours=24, message="Cool off")
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        end_expired_restrictions()
    member.refresh_from_db()
    assert not member.is_active
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert task() == {"suspensions": 1, "mutes": 0}
    member.refresh_from_db()
    assert member.is_active
    assert Suspension.objects.get().ended_at is not None
    assert Notice.objects.filter(user=member, kind=Notice.Kind.SUSPENSION_ENDED).exists()
    assert ModerationAction.objects.filter(action="moderation.account.unsuspended").count() == 1


def test_a_suspension_for_good_never_ends_by_itself(staff, member):
    suspend_account(member, staff, reason="Spam", permanent=True)
    with time_machine.travel(timezone.now() + timedelta(days=3650)):
        assert end_expired_restrictions() == {"suspensions": 0, "mutes": 0}
    member.refresh_from_db()
    assert not member.is_active


def test_running_it_twice_changes_nothing_more(host, member, circle, member_report):
    handle_report(member_report, host, "mute", hours=1)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        end_expired_restrictions()
        assert end_expired_restrictions() == {"suspensions": 0, "mutes": 0}
    assert Notice.objects.filter(kind=Notice.Kind.MUTE_ENDED).count() == 1


def test_a_new_suspension_replaces_the_current_one(staff, member):
    suspend_account(member, staff, reason="First", hours=5)
    suspend_account(member, staff, reason="Worse", permanent=True)
    assert Suspension.objects.filter(ended_at__isnull=True).get().reason == "Worse"
    with time_machine.travel(timezone.now() + timedelta(hours=6)):
        end_expired_restrictions()
    member.refresh_from_db()
    assert not member.is_active
