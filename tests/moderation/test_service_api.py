"""The functions higher apps call outside the queue: warnings, suspensions, circles' entries."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from circles import actions as circle_actions
from hearth.refusal import Refused
from moderation import actions
from moderation.actions import suspend_account, warn_member
from moderation.models import ModerationAction, Notice, Suspension
from tests.refusals import refused


def test_a_host_warns_a_member_live(host, member, circle):
    notice = warn_member(
        member, host, message="Please let others finish.", circle=circle, meeting_id=4
    )
    assert (notice.user, notice.kind) == (member, Notice.Kind.WARNING)
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.meeting_id) == ("moderation.member.warned", 4)


@pytest.mark.parametrize("who", ["facilitator", "other_member", "other_host"])
def test_only_hosts_and_staff_warn(request, member, circle, who):
    with refused("forbidden"):
        warn_member(member, request.getfixturevalue(who), message="x", circle=circle)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("message", ["", "   ", "x" * 501])
def test_a_warning_needs_a_sensible_message(host, member, circle, message):
    with pytest.raises(Refused):
        warn_member(member, host, message=message, circle=circle)
    assert not Notice.objects.exists()


def test_suspending_logs_out_only_that_member(client, staff, member, other_member):
    for user in (member, other_member):
        client.__class__().force_login(user)
    suspend_account(member, staff, reason="Abuse", hours=3)
    owners = {session.get_decoded().get("_auth_user_id") for session in Session.objects.all()}
    assert str(member.pk) not in owners
    assert str(other_member.pk) in owners


@pytest.mark.parametrize("who", ["host", "member"])
def test_only_staff_suspend(request, other_member, who):
    with refused("forbidden"):
        suspend_account(other_member, request.getfixturevalue(who), reason="x", hours=1)
    other_member.refresh_from_db()
    assert other_member.is_active
    assert not Suspension.objects.exists()


def test_staff_cannot_suspend_themselves(staff):
    with refused("forbidden"):
        suspend_account(staff, staff, reason="x", permanent=True)


@pytest.mark.parametrize(("hours", "reason"), [(-3, "x"), (0, "x"), (10**6, "x"), (2, "")])
def test_a_bad_suspension_is_refused(staff, member, hours, reason):
    with pytest.raises(Refused):
        suspend_account(member, staff, reason=reason, hours=hours)
    assert not Suspension.objects.exists()


def test_staff_end_a_suspension_early(staff, member):
    suspension = suspend_account(member, staff, reason="x", hours=30)
    assert actions.end_suspension(suspension, staff)
    assert not actions.end_suspension(suspension, staff)
    member.refresh_from_db()
    assert member.is_active
    assert ModerationAction.objects.filter(action="moderation.account.unsuspended").count() == 1


def test_after_commit_a_later_change_on_the_circle_page_is_logged_again(
    host, member, circle, member_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.handle_report(member_report, host, "mute", hours=5)
    membership = member.memberships.get(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.unmute_member(membership, host)
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.mute_member(membership, host, timezone.now() + timedelta(hours=1))
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == [
        "moderation.member.muted",
        "circles.member.unmuted",
        "circles.member.muted",
    ]


def test_a_rolled_back_queue_ban_leaves_no_entry_and_hides_no_later_ban(
    host, member, circle, member_report, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.handle_report(member_report, host, "ban", message="Hate")
        raise RuntimeError("rolled back")
    assert not ModerationAction.objects.exists()
    membership = member.memberships.get(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.ban_member(membership, host, "Threats")
    assert list(ModerationAction.objects.values_list("action", "reason")) == [
        ("circles.member.banned", "Threats")
    ]
