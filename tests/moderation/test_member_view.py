"""What a member sees of moderation: notices on /me/, actions about them, their data."""

import pytest
from django.urls import reverse

from members.data import export_member_data
from moderation.actions import handle_report, record_action
from moderation.models import Notice

MINE = reverse("moderation:mine")


def test_a_member_sees_actions_about_them_without_the_moderators_name(
    client, host, member, member_report
):
    handle_report(member_report, host, "warn", message="Please slow down")
    client.force_login(member)
    body = client.get(MINE).content.decode()
    assert "Warned" in body and "Please slow down" in body
    assert host.display_name not in body


def test_a_member_never_learns_who_reported_them(client, host, member, other_member, member_report):
    handle_report(member_report, host, "warn", message="Please slow down")
    client.force_login(member)
    for url in (MINE, reverse("members:home")):
        assert other_member.display_name not in client.get(url).content.decode()
    assert other_member.display_name not in str(export_member_data(member)["moderation"])


def test_their_own_membership_changes_are_not_listed(client, member, circle):
    record_action(actor=member, action="circles.member.left", target_user=member, circle=circle)
    client.force_login(member)
    assert "Left the circle" not in client.get(MINE).content.decode()


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("room.holder.nudged", "nudged"),
        ("room.participant.moved", "moved"),
        ("room.turn.skipped", "skipped"),
        ("room.turn.granted", "granted"),
        ("room.participant.cleared", "cleared"),
        ("room.support.acknowledged", "acknowledged"),
    ],
)
def test_room_housekeeping_is_not_listed_as_moderation(client, host, member, circle, action, label):
    record_action(actor=host, action=action, target_user=member, circle=circle, meeting_id=3)
    client.force_login(member)
    assert label not in client.get(MINE).content.decode()


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("room.participant.muted", "Muted in a meeting"),
        ("room.participant.removed", "Removed from a meeting"),
        ("room.share.hidden", "A share was hidden"),
        ("moderation.member.banned", "Banned from the circle"),
        ("circles.member.muted", "Muted in the circle"),
    ],
)
def test_mutes_removals_bans_and_hidden_shares_are_listed(
    client, host, member, circle, action, label
):
    record_action(actor=host, action=action, target_user=member, circle=circle, meeting_id=3)
    client.force_login(member)
    assert label in client.get(MINE).content.decode()


def test_a_notice_can_be_marked_read_and_leaves_the_home_panel(client, host, member, member_report):
    handle_report(member_report, host, "warn", message="Please slow down")
    notice = Notice.objects.get()
    client.force_login(member)
    assert "Please slow down" in client.get(reverse("members:home")).content.decode()
    response = client.post(
        reverse("moderation:notice_read", args=[notice.pk]), {"next": reverse("members:home")}
    )
    assert response.url == reverse("members:home")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "Please slow down" not in client.get(reverse("members:home")).content.decode()


def test_another_members_notice_cannot_be_marked(client, host, member, other_member, member_report):
    handle_report(member_report, host, "warn", message="Please slow down")
    notice = Notice.objects.get()
    client.force_login(other_member)
    response = client.post(reverse("moderation:notice_read", args=[notice.pk]), follow=True)
    assert "yours or no longer exists" in response.content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None


def test_marking_read_needs_post(client, member):
    client.force_login(member)
    assert client.get(reverse("moderation:notice_read", args=[1])).status_code == 405


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get(MINE).status_code == 302


def test_the_data_export_has_a_moderation_section(host, member, other_member, member_report):
    handle_report(member_report, host, "warn", message="Please slow down")
    mine = export_member_data(member)["moderation"]
    assert mine["notices"][0]["message"] == "Please slow down"
    assert mine["actions_about_me"][0]["action"] == "moderation.member.warned"
    theirs = export_member_data(other_member)["moderation"]
    assert theirs["reports_filed"][0]["reason"] == "harassment"


@pytest.mark.parametrize("method", ["post", "put"])
def test_the_page_refuses_other_methods(client, member, method):
    client.force_login(member)
    assert getattr(client, method)(MINE).status_code == 405


def test_hosts_see_what_waits_in_the_queue_on_their_home(
    client, host, member, circle, member_report
):
    from moderation.actions import record_safety_event

    record_safety_event(kind="need_support", user=member, circle=circle)
    client.force_login(host)
    body = client.get(reverse("members:home")).content.decode()
    assert "1 person may need support." in body
    assert "1 open report." in body
    assert reverse("moderation:queue") in body


def test_members_see_no_queue_panel(client, other_member, member_report):
    client.force_login(other_member)
    assert "Open the moderation queue" not in client.get(reverse("members:home")).content.decode()
