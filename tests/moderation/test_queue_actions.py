"""Every queue action and its effect, closed reports, races, and bad durations."""

import threading
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from circles.models import Membership
from hearth import groups
from hearth.refusal import Refused
from moderation import actions
from moderation.actions import file_report, handle_report
from moderation.models import ModerationAction, Notice, Report, Suspension
from tests.factories import MembershipFactory, UserFactory
from tests.refusals import refused


def act_url(report):
    return reverse("moderation:act", args=[report.pk])


def _membership(circle, user):
    return Membership.objects.get(circle=circle, user=user)


def test_dismiss_closes_the_report_and_logs_it(client, host, member_report):
    client.force_login(host)
    response = client.post(act_url(member_report), {"action": "dismiss", "message": "Fine"})
    assert response.status_code == 302
    member_report.refresh_from_db()
    assert member_report.state == Report.State.DISMISSED
    assert member_report.handled_by == host
    assert member_report.handled_by_name == host.display_name
    assert member_report.outcome == "moderation.report.dismissed"
    entry = ModerationAction.objects.get(action="moderation.report.dismissed")
    assert (entry.actor, entry.report, entry.reason) == (host, member_report, "Fine")


def test_hide_calls_the_content_handler(client, host, content_report, hidden):
    client.force_login(host)
    client.post(act_url(content_report), {"action": "hide"})
    assert hidden == [(content_report.object_id, host.pk)]
    content_report.refresh_from_db()
    assert content_report.state == Report.State.ACTIONED
    entry = ModerationAction.objects.get(action="moderation.content.hidden")
    assert entry.target_user == content_report.reported_user
    assert entry.meeting_id == 7
    assert "Something that was said" not in str(entry.extra) + entry.reason


def test_hide_is_not_offered_without_a_handler(client, host, member_report):
    client.force_login(host)
    response = client.post(act_url(member_report), {"action": "hide"})
    assert response.status_code == 403
    assert Report.objects.get().is_open


def test_warn_sends_the_member_a_notice_shown_on_their_home(client, host, member, member_report):
    client.force_login(host)
    client.post(act_url(member_report), {"action": "warn", "message": "Please be kind."})
    notice = Notice.objects.get(user=member)
    assert (notice.kind, notice.message) == (Notice.Kind.WARNING, "Please be kind.")
    assert ModerationAction.objects.filter(action="moderation.member.warned").count() == 1
    client.force_login(member)
    home = client.get(reverse("members:home")).content.decode()
    assert "Please be kind." in home
    assert host.display_name not in home


def test_warn_needs_a_message(client, host, member_report):
    client.force_login(host)
    response = client.post(act_url(member_report), {"action": "warn", "message": " "}, follow=True)
    assert "Please write a message" in response.content.decode()
    assert Report.objects.get().is_open
    assert not Notice.objects.exists()


def test_mute_mutes_the_member_in_the_circle_for_the_time_given(
    client, host, member, circle, member_report, django_capture_on_commit_callbacks
):
    client.force_login(host)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            act_url(member_report), {"action": "mute", "hours": "24", "message": "Cool off"}
        )
    membership = _membership(circle, member)
    assert membership.is_muted()
    assert timedelta(hours=23) < membership.muted_until - timezone.now() <= timedelta(hours=24)
    assert Notice.objects.get(user=member).kind == Notice.Kind.MUTED
    # One entry for the mute, with the report; circles' echo is not logged twice.
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "moderation.member.muted"
    ]


@pytest.mark.parametrize("hours", ["-5", "0", "100000", "", "soon"])
def test_a_negative_or_absurd_mute_is_refused_and_changes_nothing(
    client, host, member, circle, member_report, hours
):
    client.force_login(host)
    response = client.post(act_url(member_report), {"action": "mute", "hours": hours}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "hours" in body
    assert _membership(circle, member).muted_until is None
    assert Report.objects.get().is_open
    assert not ModerationAction.objects.exists()


def test_remove_takes_the_member_out_of_the_circle(client, host, member, circle, member_report):
    client.force_login(host)
    client.post(act_url(member_report), {"action": "remove", "message": "Repeated harassment"})
    assert _membership(circle, member).state == Membership.State.REMOVED
    assert ModerationAction.objects.get().action == "moderation.member.removed"


def test_ban_bans_the_member_from_the_circle(client, host, member, circle, member_report):
    client.force_login(host)
    client.post(act_url(member_report), {"action": "ban", "message": "Hate speech"})
    assert _membership(circle, member).state == Membership.State.BANNED
    assert ModerationAction.objects.get().action == "moderation.member.banned"


@pytest.mark.parametrize("action", ["remove", "ban"])
def test_remove_and_ban_need_a_reason(client, host, member, circle, member_report, action):
    client.force_login(host)
    client.post(act_url(member_report), {"action": action})
    assert _membership(circle, member).is_active
    assert Report.objects.get().is_open


def test_suspend_deactivates_logs_out_everywhere_and_closes_sockets(
    client, staff, member, member_report, django_capture_on_commit_callbacks
):
    member_client = client.__class__()
    member_client.force_login(member)
    assert member_client.get(reverse("members:home")).status_code == 200
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(groups.user_group(member.pk), channel)

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            act_url(member_report), {"action": "suspend", "hours": "48", "message": "Abuse"}
        )

    member.refresh_from_db()
    assert not member.is_active
    suspension = Suspension.objects.get(user=member)
    assert timedelta(hours=47) < suspension.ends_at - timezone.now() <= timedelta(hours=48)
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(member.pk) for s in Session.objects.all()
    )
    assert member_client.get(reverse("members:home")).status_code == 302
    assert async_to_sync(layer.receive)(channel) == {"type": "account.suspended"}
    assert ModerationAction.objects.get().action == "moderation.account.suspended"


def test_staff_can_suspend_for_good(client, staff, member, member_report):
    client.force_login(staff)
    client.post(act_url(member_report), {"action": "suspend", "permanent": "on", "message": "Spam"})
    suspension = Suspension.objects.get(user=member)
    assert suspension.is_permanent
    member.refresh_from_db()
    assert not member.is_active


@pytest.mark.parametrize("hours", ["-1", "0", "9999999"])
def test_a_bad_suspension_duration_is_refused(client, staff, member, member_report, hours):
    client.force_login(staff)
    client.post(act_url(member_report), {"action": "suspend", "hours": hours, "message": "x"})
    member.refresh_from_db()
    assert member.is_active
    assert not Suspension.objects.exists()


def test_an_action_closes_every_report_of_the_same_thing(
    client, host, circle, member, content_report, content, snapshot_of
):
    third = UserFactory()
    MembershipFactory(circle=circle, user=third)
    file_report(third, target=content, reason="spam", snapshot=snapshot_of(member), circle=circle)
    client.force_login(host)
    client.post(act_url(content_report), {"action": "dismiss"})
    assert set(Report.objects.values_list("state", flat=True)) == {Report.State.DISMISSED}
    assert ModerationAction.objects.get().extra["reports_closed"] == 2


def test_acting_on_a_closed_report_says_who_handled_it(client, host, staff, member_report):
    handle_report(member_report, staff, "dismiss")
    client.force_login(host)
    response = client.post(
        act_url(member_report), {"action": "warn", "message": "Be kind"}, follow=True
    )
    assert "already handled by Stella Staff" in response.content.decode()
    assert not Notice.objects.exists()
    assert ModerationAction.objects.count() == 1


def test_an_unknown_action_changes_nothing(client, host, member_report):
    client.force_login(host)
    response = client.post(act_url(member_report), {"action": "delete"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert Report.objects.get().is_open


def test_acting_needs_post(client, host, member_report):
    client.force_login(host)
    assert client.get(act_url(member_report)).status_code == 405


def test_the_report_page_offers_the_allowed_actions(client, host, member_report):
    client.force_login(host)
    body = client.get(reverse("moderation:report_detail", args=[member_report.pk])).content.decode()
    for action in ("dismiss", "warn", "mute", "remove", "ban"):
        assert f'value="{action}"' in body
    assert 'value="suspend"' not in body
    assert 'value="hide"' not in body


# --- Two moderators at once ----------------------------------------------------------------


def _race(report, first, second, monkeypatch, *, lock: bool):
    """Both moderators read the report before either writes it."""
    barrier = threading.Barrier(2, timeout=10)
    original = actions._lock_group

    def without_lock(report):
        rows = list(Report.objects.filter(group_key=report.group_key, circle_id=report.circle_id))
        barrier.wait()
        locked = next(row for row in rows if row.pk == report.pk)
        return locked, [row for row in rows if row.is_open]

    def with_lock(report):
        barrier.wait()
        return original(report)

    monkeypatch.setattr(actions, "_lock_group", with_lock if lock else without_lock)
    outcomes = {}

    def run(actor):
        try:
            handle_report(report, actor, "warn", message=f"from {actor.display_name}")
            outcomes[actor.pk] = "done"
        except Refused as error:
            outcomes[actor.pk] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_one_wins_and_the_other_is_told(
    circle, host, staff, member_report, monkeypatch
):
    outcomes = _race(member_report, host, staff, monkeypatch, lock=True)
    results = sorted(outcomes.values(), key=lambda result: result != "done")
    assert results[0] == "done"
    assert results[1].startswith("This report was already handled by")
    assert ModerationAction.objects.count() == 1
    assert Notice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_both_moderators_act(
    circle, host, staff, member_report, monkeypatch
):
    outcomes = _race(member_report, host, staff, monkeypatch, lock=False)
    assert list(outcomes.values()) == ["done", "done"]
    assert Notice.objects.count() == 2


def test_a_report_already_handled_is_refused_as_a_conflict(member_report, host):
    handle_report(member_report, host, "dismiss")
    with refused("conflict"):
        handle_report(member_report, host, "dismiss")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (Report.DoesNotExist, "no longer exists"),
        (RuntimeError, "didn&#x27;t work"),
    ],
)
def test_a_handler_that_fails_changes_nothing(client, host, content_report, error, message):
    from moderation import registry

    def hide(object_id, actor):
        raise error("boom")

    registry.register_content_handler("circles.agreementversion", hide=hide)
    client.force_login(host)
    response = client.post(act_url(content_report), {"action": "hide"}, follow=True)
    assert message in response.content.decode()
    assert Report.objects.get().is_open
    assert not ModerationAction.objects.exists()
